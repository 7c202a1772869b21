"""Two people editing the same part of a diagnostic, its team or the bench: the second, stale
save is refused, the first one's words stay, and the page shows both (the API answers 409)."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.models import ApiToken
from peerdiag.common.versioning import UNCHECKED, StaleEdit
from peerdiag.diagnostics.domain import diagnostics as dd
from peerdiag.diagnostics.domain import kloes as dk
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain.briefing import issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.directory.domain.bench import save_peer_profile
from peerdiag.directory.models import PeerProfile
from tests.factories import CouncilRoleFactory, PersonFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 briefing"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page(response: Any) -> str:
    return unescape(response.content.decode())


def _version_on(page: str) -> int:
    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "the form carries no version"
    return int(m.group(1))


def _name(user: Any) -> str:
    return user.get_full_name()


def _says_who_and_both(page: str, who: Any, theirs: str, mine: str) -> None:
    """The conflict panel: who saved, their words in the form, ours kept (read-only) beside."""
    assert "There is a problem" in page and "Saved by someone else" in page
    assert f"{_name(who)} saved a change at" in page
    assert theirs in page
    assert re.search(r"readonly[^>]*>" + re.escape(mine) + "<", page) or re.search(
        r'value="' + re.escape(mine) + r'" readonly', page
    ), "our own words are not kept on the page"


def _api(user: Any, method: str, path: str, body: Any) -> Any:
    _, token = ApiToken.issue(user, "tests")
    if body is None:
        return getattr(Client(), method)(
            "/api" + path, headers={"Authorization": f"Bearer {token}"}
        )
    send = getattr(Client(), method)
    return send(
        "/api" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _assert_409(response: Any, *, current: int, by: Any) -> None:
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == current
    assert body["changed_by"] == (_name(by) if by else "Someone")
    if by:
        assert body["changed_at"]
    assert [d["field"] for d in body["detail"]] == ["version"]
    assert "your changes have not been saved" in body["detail"][0]["message"]


# --- The diagnostic's details and day 1 ---------------------------------------------------------


def _details(title: str, focus: str, version: int) -> dict[str, Any]:
    return {"title": title, "type": "send", "focus_statement": focus, "version": version}


def test_a_stale_save_of_the_details_is_refused_and_the_first_text_survives(world):  # type: ignore[no-untyped-def]
    d = world.own
    url = reverse("web:diagnostic_edit", args=[d.reference])
    admin, pcm = _client(world.admin), _client(world.pcm)
    seen_admin = _version_on(_page(admin.get(url)))
    seen_pcm = _version_on(_page(pcm.get(url)))
    assert seen_admin == seen_pcm == 1
    ok = admin.post(url, _details("Front door", "The admin's focus", seen_admin))
    assert ok.status_code == 302
    stale = pcm.post(url, _details("Front door", "The manager's focus", seen_pcm))
    page = _page(stale)
    d.refresh_from_db()
    assert (d.focus_statement, d.version) == ("The admin's focus", 2)
    _says_who_and_both(page, world.admin, "The admin's focus", "The manager's focus")
    assert re.search(r'<textarea[^>]*name="focus_statement"[^>]*>\s*The admin\'s focus<', page)
    # Saving again from the conflict page is a choice made at the new version.
    assert _version_on(page) == 2
    again = pcm.post(url, _details("Front door", "Both, merged", 2))
    assert again.status_code == 302
    d.refresh_from_db()
    assert (d.focus_statement, d.version) == ("Both, merged", 3)


def test_a_stale_day1_is_refused_and_both_dates_are_shown(world):  # type: ignore[no-untyped-def]
    d = world.own
    url = reverse("web:diagnostic_dates", args=[d.reference])
    admin, pcm = _client(world.admin), _client(world.pcm)
    seen = _version_on(_page(pcm.get(url)))
    admin.post(url, {"day1_0": "1", "day1_1": "3", "day1_2": "2027", "version": seen})
    page = _page(pcm.post(url, {"day1_0": "8", "day1_1": "3", "day1_2": "2027", "version": seen}))
    d.refresh_from_db()
    assert d.day1 == date(2027, 3, 1)
    assert f"{_name(world.admin)} saved a change at" in page
    assert "1 March 2027" in page
    assert 'value="8 March 2027" readonly' in page
    # The form now holds the saved date, ready to be changed on purpose.
    assert 'name="day1_0" type="text" inputmode="numeric" value="1"' in page


def test_a_details_save_without_a_version_changes_nothing(world):  # type: ignore[no-untyped-def]
    url = reverse("web:diagnostic_edit", args=[world.own.reference])
    page = _page(_client(world.pcm).post(url, {"title": "Lost?", "type": "send"}))
    assert "This form is out of date" in page
    world.own.refresh_from_db()
    assert world.own.title != "Lost?"


def test_the_api_refuses_a_stale_details_patch_with_409(world):  # type: ignore[no-untyped-def]
    path = f"/diagnostics/{world.own.reference}"
    read = _api(world.pcm, "get", path, None).json()
    assert read["version"] == 1
    first = _api(world.admin, "patch", path, {"version": 1, "focus_statement": "First"})
    assert (first.status_code, first.json()["version"]) == (200, 2)
    second = _api(world.pcm, "patch", path, {"version": 1, "focus_statement": "Second"})
    _assert_409(second, current=2, by=world.admin)
    world.own.refresh_from_db()
    assert world.own.focus_statement == "First"
    missing = _api(world.pcm, "patch", path, {"focus_statement": "No version"})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["detail"]] == ["version"]


def test_day1_and_details_in_one_patch_move_the_version_once_each(world):  # type: ignore[no-untyped-def]
    path = f"/diagnostics/{world.own.reference}"
    body = {"version": 1, "day1": "2027-03-01", "title": "Both at once"}
    response = _api(world.pcm, "patch", path, body)
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["changed"]) == (3, ["day1", "title"])


# --- Key lines of enquiry ---------------------------------------------------------------------


def test_a_stale_kloe_edit_is_refused_and_the_first_wording_survives(world):  # type: ignore[no-untyped-def]
    kloe = dk.add_kloe(world.own, by=world.pcm, text="How well is the front door run?")
    url = reverse("web:kloe_edit", args=[world.own.reference, kloe.code])
    admin, pcm = _client(world.admin), _client(world.pcm)
    v = _version_on(_page(pcm.get(url)))
    admin.post(url, {"text": "How consistently are thresholds applied?", "version": v})
    page = _page(pcm.post(url, {"text": "How quickly are contacts decided?", "version": v}))
    kloe.refresh_from_db()
    assert (kloe.text, kloe.version) == ("How consistently are thresholds applied?", 2)
    _says_who_and_both(
        page,
        world.admin,
        "How consistently are thresholds applied?",
        "How quickly are contacts decided?",
    )


def test_moving_or_removing_a_kloe_changed_since_the_page_was_drawn_is_refused(world):  # type: ignore[no-untyped-def]
    a = dk.add_kloe(world.own, by=world.pcm, text="A?")
    b = dk.add_kloe(world.own, by=world.pcm, text="B?")
    pcm = _client(world.pcm)
    listed = _page(pcm.get(reverse("web:kloe_list", args=[world.own.reference])))
    assert 'name="version" value="1"' in listed
    dk.edit_kloe(b, by=world.admin, text="B, reworded by the admin?", version=1)
    move = reverse("web:kloe_move", args=[world.own.reference, b.code])
    page = _page(pcm.post(move, {"direction": "up", "version": 1}, follow=True))
    assert f"{_name(world.admin)} changed key line of enquiry 2 at" in page
    assert "so it has not been moved" in page
    assert list(world.own.kloes.values_list("text", flat=True)) == [
        "A?",
        "B, reworded by the admin?",
    ]
    remove = reverse("web:kloe_delete", args=[world.own.reference, b.code])
    page = _page(pcm.post(remove, {"version": 1}, follow=True))
    assert "so it has not been removed" in page
    assert Kloe.objects.filter(pk=b.pk).exists()
    # The confirmation page carries the version it showed, so a removal made from it works.
    assert _version_on(_page(pcm.get(remove))) == 2
    assert pcm.post(remove, {"version": 2}).status_code == 302
    assert not Kloe.objects.filter(pk=b.pk).exists()
    assert Kloe.objects.filter(pk=a.pk).exists()


def test_the_api_refuses_a_stale_kloe_patch_and_removal_with_409(world):  # type: ignore[no-untyped-def]
    kloe = dk.add_kloe(world.own, by=world.pcm, text="First?")
    path = f"/diagnostics/{world.own.reference}/kloes/{kloe.code}"
    assert _api(world.admin, "patch", path, {"version": 1, "text": "Admin?"}).status_code == 200
    stale = _api(world.pcm, "patch", path, {"version": 1, "text": "Manager?"})
    _assert_409(stale, current=2, by=world.admin)
    gone = _api(world.pcm, "delete", path + "?version=1", None)
    _assert_409(gone, current=2, by=world.admin)
    kloe.refresh_from_db()
    assert kloe.text == "Admin?"


# --- Council roles, endorsements and the scoping record ---------------------------------------


def test_a_council_role_removed_twice_from_two_open_pages_is_removed_once(world):  # type: ignore[no-untyped-def]
    held = CouncilRoleFactory(diagnostic=world.own, role="partner_rep", person=PersonFactory())
    url = reverse("web:council_role_remove", args=[world.own.reference, held.code])
    admin, pcm = _client(world.admin), _client(world.pcm)
    assert _version_on(_page(admin.get(url))) == _version_on(_page(pcm.get(url))) == 1
    assert admin.post(url, {"version": 1}).status_code == 302
    page = _page(pcm.post(url, {"version": 1}, follow=True))
    assert "Someone else has already removed this role" in page
    assert world.own.audit.filter(action="council_role").count() == 1


def test_naming_a_sponsor_over_one_named_meanwhile_is_refused(world):  # type: ignore[no-untyped-def]
    url = reverse("web:council_roles", args=[world.own.reference])
    admin, pcm = _client(world.admin), _client(world.pcm)
    sponsor = world.own.council_roles.get(role="sponsor")
    assert f'name="seen_sponsor" value="{sponsor.code}"' in _page(pcm.get(url))
    first, second = (PersonFactory(organisation=world.own.host_council) for _ in range(2))
    body = {"role": "sponsor", "seen_sponsor": sponsor.code}
    assert admin.post(url, {**body, "person": first.code}).status_code == 302
    page = _page(pcm.post(url, {**body, "person": second.code}))
    assert f"{_name(world.admin)} changed who is sponsor at" in page
    assert "your choice has not been saved" in page
    sponsors = world.own.council_roles.filter(role="sponsor")
    assert list(sponsors.values_list("person", flat=True)) == [first.pk]
    # The page now names the new holding, so choosing again is a deliberate choice.
    now = world.own.council_roles.get(role="sponsor")
    assert f'name="seen_sponsor" value="{now.code}"' in page
    assert (
        pcm.post(url, {**body, "seen_sponsor": now.code, "person": second.code}).status_code == 302
    )
    assert list(sponsors.values_list("person", flat=True)) == [second.pk]


def test_a_council_role_changed_since_it_was_read_is_not_removed(world):  # type: ignore[no-untyped-def]
    held = CouncilRoleFactory(diagnostic=world.own, role="partner_rep", person=PersonFactory())
    with pytest.raises(StaleEdit):
        dp.remove_council_role(held, by=world.pcm, version=2)
    assert type(held).objects.filter(pk=held.pk).exists()
    path = f"/diagnostics/{world.own.reference}/council-roles/{held.code}?version=2"
    response = _api(world.pcm, "delete", path, None)
    _assert_409(response, current=1, by=None)


def test_a_stale_endorsement_is_refused_even_on_its_first_save(world):  # type: ignore[no-untyped-def]
    url = reverse("web:endorsement_edit", args=[world.own.reference, "lead_member"])
    admin, pcm = _client(world.admin), _client(world.pcm)
    assert _version_on(_page(pcm.get(url))) == 0  # nothing recorded yet
    admin.post(url, {"status": "pending", "note": "Asked by e-mail", "version": 0})
    body = {
        "status": "given",
        "given_on_0": "5",
        "given_on_1": "1",
        "given_on_2": "2027",
        "note": "Letter received",
        "version": 0,
    }
    page = _page(pcm.post(url, body))
    e = world.own.endorsements.get(role="lead_member")
    assert (e.status, e.note, e.version) == ("pending", "Asked by e-mail", 1)
    _says_who_and_both(page, world.admin, "Asked by e-mail", "Letter received")
    # The choices are shown by their labels, not their codes.
    assert 'value="Given" readonly' in page
    assert "(now in the form)</p>" in page and ">Asked for, not yet given</div>" in page


def test_a_stale_scoping_record_is_refused_with_both_texts(world):  # type: ignore[no-untyped-def]
    url = reverse("web:scoping", args=[world.own.reference])
    admin, pcm = _client(world.admin), _client(world.pcm)
    seen = _version_on(_page(pcm.get(url)))
    admin.post(
        url,
        {
            "team_requirements": "A lead peer who knows the front door",
            "case_list_names": "Children on plans",
            "version": seen,
        },
    )
    page = _page(
        pcm.post(
            url,
            {
                "team_requirements": "Two operational managers",
                "case_list_names": "Children in need",
                "version": seen,
            },
        )
    )
    meeting = Diagnostic.objects.get(pk=world.own.pk).scoping
    assert meeting.team_requirements == "A lead peer who knows the front door"
    assert list(world.own.agreed_case_lists.values_list("name", flat=True)) == ["Children on plans"]
    _says_who_and_both(
        page, world.admin, "A lead peer who knows the front door", "Two operational managers"
    )
    assert "Children in need" in page


# --- The peer team ---------------------------------------------------------------------------


def test_a_stale_council_decision_is_refused_and_the_first_one_stands(world):  # type: ignore[no-untyped-def]
    lead = world.own.team.get(role=TeamRole.LEAD_PEER)
    url = reverse("web:team_decide", args=[world.own.reference, lead.code])
    sponsor, organiser = _client(world.sponsor), _client(world.organiser)
    v = _version_on(_page(organiser.get(url)))
    sponsor.post(url, {"decision": "objected", "reason": "Reviewed us last year", "version": v})
    page = _page(organiser.post(url, {"decision": "approved", "reason": "", "version": v}))
    lead.refresh_from_db()
    assert (lead.council_decision, lead.council_reason) == ("objected", "Reviewed us last year")
    assert f"{_name(world.sponsor)} saved a change at" in page
    assert "Object to this peer" in page and "Approve this peer" in page
    stale = _api(
        world.organiser,
        "post",
        f"/diagnostics/{world.own.reference}/team/{lead.code}/decision",
        {"version": v, "decision": "approved"},
    )
    _assert_409(stale, current=2, by=world.sponsor)


def test_a_stale_carry_on_choice_is_refused_on_the_page_and_the_api(world):  # type: ignore[no-untyped-def]
    world.own.case_review_in_scope = True
    world.own.save()
    auditor = TeamMemberFactory(diagnostic=world.own, role=TeamRole.CASE_AUDITOR)
    url = reverse("web:team_continues", args=[world.own.reference, auditor.code])
    dp.set_continues_to_delivery(auditor, by=world.admin, continues=True, version=1)
    page = _page(_client(world.pcm).post(url, {"continues": "no", "version": 1}, follow=True))
    assert f"{_name(world.admin)} changed {auditor.person}'s place on the team at" in page
    auditor.refresh_from_db()
    assert auditor.continues_to_delivery is True
    path = f"/diagnostics/{world.own.reference}/team/{auditor.code}"
    stale = _api(world.pcm, "patch", path, {"version": 1, "continues_to_delivery": False})
    _assert_409(stale, current=2, by=world.admin)


def test_a_member_whose_place_changed_since_the_confirmation_is_not_removed(world):  # type: ignore[no-untyped-def]
    lead = world.own.team.get(role=TeamRole.LEAD_PEER)
    url = reverse("web:team_remove", args=[world.own.reference, lead.code])
    pcm = _client(world.pcm)
    seen = _version_on(_page(pcm.get(url)))
    dp.decide_on_peer(lead, by=world.sponsor, decision="approved", version=seen)
    page = _page(pcm.post(url, {"version": seen}, follow=True))
    assert f"{_name(world.sponsor)} changed {lead.person}'s place on the team at" in page
    assert "so they have not been removed" in page
    assert world.own.team.filter(pk=lead.pk).exists()
    path = f"/diagnostics/{world.own.reference}/team/{lead.code}?version={seen}"
    _assert_409(_api(world.pcm, "delete", path, None), current=seen + 1, by=world.sponsor)
    assert world.own.team.filter(pk=lead.pk).exists()


def test_a_briefing_issued_over_a_newer_one_is_refused(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    url = reverse("web:briefing", args=[world.own.reference])
    admin, pcm = _client(world.admin), _client(world.pcm)
    seen = _version_on(_page(pcm.get(url)))
    assert seen == 0
    admin.post(url, {"file": SimpleUploadedFile("Admin.pdf", PDF), "version": seen})
    page = _page(pcm.post(url, {"file": SimpleUploadedFile("Mine.pdf", PDF), "version": seen}))
    assert list(world.own.briefings.values_list("original_name", flat=True)) == ["Admin.pdf"]
    assert f"{_name(world.admin)} issued version 1 of the briefing at" in page
    assert "choose your file again" in page
    assert _version_on(page) == 1
    again = pcm.post(url, {"file": SimpleUploadedFile("Mine.pdf", PDF), "version": 1})
    assert again.status_code == 302
    assert world.own.briefings.count() == 2


def test_a_stale_agreement_text_is_refused_with_both_texts(world):  # type: ignore[no-untyped-def]
    url = reverse("web:confidentiality", args=[world.own.reference])
    sponsor, organiser = _client(world.sponsor), _client(world.organiser)
    seen = _version_on(_page(organiser.get(url)))
    sponsor.post(url, {"required": "yes", "text": "Keep what you read private.", "version": seen})
    page = _page(
        organiser.post(url, {"required": "yes", "text": "Shred notes after.", "version": seen})
    )
    assert list(world.own.agreements.values_list("text", flat=True)) == [
        "Keep what you read private."
    ]
    _says_who_and_both(page, world.sponsor, "Keep what you read private.", "Shred notes after.")
    stale = _api(
        world.organiser,
        "put",
        f"/diagnostics/{world.own.reference}/confidentiality",
        {"version": 0, "required": False},
    )
    _assert_409(stale, current=1, by=world.sponsor)
    world.own.refresh_from_db()
    assert world.own.confidentiality_required is True


def test_switching_the_agreement_off_is_a_change_others_must_see(world):  # type: ignore[no-untyped-def]
    set_confidentiality(world.own, by=world.sponsor, required=True, text="Private.", version=0)
    set_confidentiality(world.own, by=world.organiser, required=False, version=1)
    with pytest.raises(StaleEdit) as refused:
        set_confidentiality(world.own, by=world.sponsor, required=True, text="Mine.", version=1)
    assert (refused.value.current_version, refused.value.changed_by) == (0, world.organiser)
    world.own.refresh_from_db()
    assert world.own.confidentiality_required is False


# --- The bench -------------------------------------------------------------------------------


def _profile_body(summary: str, version: int) -> dict[str, Any]:
    return {
        "seniority": "ad",
        "roles": ["lead_peer"],
        "summary": summary,
        "active": "on",
        "version": version,
    }


def test_a_stale_bench_profile_is_refused_and_the_first_summary_survives(world):  # type: ignore[no-untyped-def]
    person = world.peer.person
    save_peer_profile(person, seniority="ad", roles=["lead_peer"], expertise=[], version=0)
    url = reverse("web:bench_profile_edit", args=[person.code])
    admin, peer = _client(world.admin), _client(world.peer)
    v = _version_on(_page(peer.get(url)))
    admin.post(url, _profile_body("Twenty years in children's services", v))
    page = _page(peer.post(url, _profile_body("Led a front door redesign", v)))
    assert PeerProfile.objects.get(person=person).summary == "Twenty years in children's services"
    _says_who_and_both(
        page, world.admin, "Twenty years in children's services", "Led a front door redesign"
    )
    stale = _api(
        world.peer,
        "put",
        f"/bench/{person.code}",
        {"version": v, "seniority": "ad", "roles": ["lead_peer"], "summary": "API words"},
    )
    _assert_409(stale, current=2, by=world.admin)


def test_putting_someone_on_the_bench_twice_at_once_keeps_the_first(world):  # type: ignore[no-untyped-def]
    person = PersonFactory()
    save_peer_profile(
        person, seniority="ad", roles=["lead_peer"], expertise=[], version=0, by=world.admin
    )
    with pytest.raises(StaleEdit):
        save_peer_profile(
            person, seniority="dcs", roles=["lead_peer"], expertise=[], version=0, by=world.pcm
        )
    assert PeerProfile.objects.get(person=person).seniority == "ad"


def test_internal_callers_still_move_the_version_on(world):  # type: ignore[no-untyped-def]
    dd.update_details(world.own, by=None, title="Renamed by the loader", version=UNCHECKED)
    world.own.refresh_from_db()
    assert world.own.version == 2
    issue_briefing(
        world.own,
        by=None,
        file=SimpleUploadedFile("b.pdf", PDF),
        name="b.pdf",
        version=UNCHECKED,
    )
    assert world.own.briefings.get().version == 1
