"""The pages added around the audit: contacts with the practitioner, the second reading, the
named contact for safeguarding concerns, the report text and grade labels on the read-only view.
Each is tried as the case's auditor, the PCM, another case auditor and the council."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import approve_report, issue_report
from peerdiag.casereview.domain.reviews import named_contact, set_named_contact
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview, Moderation, PractitionerContact
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.models import AuditEntry
from tests.casereview.helpers import add_auditor, released_case
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    return c


@pytest.fixture
def team(world):  # type: ignore[no-untyped-def]
    """Cara audits the case; Dan is another cleared case auditor; the PCM and lead peer are
    cleared too."""
    # Plain names, so that the page's HTML escaping does not get in the way of the asserts.
    for user, name in ((world.sponsor, "Sam Sponsor"), (world.organiser, "Olu Organiser")):
        user.person.full_name = name
        user.person.save()
    cara = add_auditor(world.own, "cara@example.org")
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    for user in (cara, world.peer, world.pcm):
        acknowledge_briefing(briefing, by=None, person=user.person)
    case = released_case(world.own)
    assert case.auditor is not None and case.auditor.person.user == cara
    dan = add_auditor(world.own, "dan@example.org", "Dan Auditor")
    acknowledge_briefing(briefing, by=None, person=dan.person)
    return {"cara": cara, "dan": dan, "case": case}


def _audit(case, user, *, finish: bool, grade: str = "good"):  # type: ignore[no-untyped-def]
    grades = {k: GradeIn(grade, evidence=f"Seen in {k}") for k in AuditDomain.values}
    return save_audit(
        case,
        by=user,
        header={},
        grades=grades,
        overall_grade="good",
        difference="Calmer at school",
        finish=finish,
        version=UNCHECKED,
    )


def _url(world, case, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/{tail}"


def _review_url(world, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/diagnostics/{world.own.reference}/case-review/{tail}"


def _v(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The review's version as the overview page would send it now."""
    return {"version": str(CaseReview.objects.get(diagnostic=world.own).version)}


def _contact(day: str = "", role: str = "Allocated social worker", note: str = "") -> dict:  # type: ignore[type-arg]
    on = timezone.localdate() - timedelta(days=1)
    return {
        "contacted_on_0": day or str(on.day),
        "contacted_on_1": str(on.month),
        "contacted_on_2": str(on.year),
        "role_contacted": role,
        "note": note,
    }


# Contacts with the practitioner


def test_the_auditor_logs_a_contact_and_sees_it_listed(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    _audit(case, team["cara"], finish=False)
    c = _client(team["cara"])
    page = c.get(_url(world, case)).content.decode()
    assert "Contacts with the practitioner" in page
    assert "No contacts logged." in page
    assert "Log the contact" in page
    response = c.post(
        _url(world, case, "contacts/"), _contact(note="Agreed the plan needs a review date")
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world, case)
    page = c.get(response["Location"]).content.decode()
    assert "The contact is logged" in page
    assert "Allocated social worker" in page
    assert "Agreed the plan needs a review date" in page
    saved = PractitionerContact.objects.get(audit__case=case)
    assert "Agreed the plan" not in saved.note_enc, "the note is stored encrypted"
    assert AuditEntry.objects.filter(action="practitioner_contacted").count() == 1


def test_a_contact_without_a_role_or_dated_tomorrow_names_the_field(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    _audit(case, team["cara"], finish=False)
    c = _client(team["cara"])
    response = c.post(_url(world, case, "contacts/"), _contact(role=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert 'href="#contact_role_contacted"' in page
    assert "Say who you spoke to (their role, not their name)" in page
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = _contact() | {
        "contacted_on_0": str(tomorrow.day),
        "contacted_on_1": str(tomorrow.month),
        "contacted_on_2": str(tomorrow.year),
    }
    page = c.post(_url(world, case, "contacts/"), data).content.decode()
    assert 'href="#contact_contacted_on_0"' in page
    assert "The date cannot be in the future" in page
    page = c.post(_url(world, case, "contacts/"), _contact() | {"contacted_on_0": ""}).content
    assert "The date must include a day" in page.decode()
    assert not PractitionerContact.objects.exists()


def test_only_the_auditor_logs_contacts(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    url = _url(world, case, "contacts/")
    # Before the audit is started there is nothing to hang a contact on.
    assert _client(team["cara"]).post(url, _contact()).status_code == 403
    _audit(case, team["cara"], finish=False)
    assert _client(world.pcm).post(url, _contact()).status_code == 403
    assert _client(world.peer).post(url, _contact()).status_code == 403
    assert _client(team["dan"]).post(url, _contact()).status_code == 404
    assert _client(world.sponsor).post(url, _contact()).status_code == 403
    assert _client(world.other_council_user).post(url, _contact()).status_code == 404
    assert "Log the contact" not in _client(world.pcm).get(_url(world, case)).content.decode()
    assert not PractitionerContact.objects.exists()


# The second reading


def test_the_pcm_gives_a_finished_audit_a_second_reading(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    _audit(case, team["cara"], finish=True)
    c = _client(world.pcm)
    page = c.get(_url(world, case)).content.decode()
    assert "Second reading" in page
    assert "Nobody has given this audit a second reading yet." in page
    assert "Record the second reading" in page
    response = c.post(_url(world, case, "second-reading/"), {"agrees": "no", "note": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#moderation_note"' in page
    assert "Say which grades you disagree with and why" in page
    response = c.post(
        _url(world, case, "second-reading/"),
        {"agrees": "no", "note": "Planning reads as requiring improvement"},
    )
    assert response.status_code == 302
    page = c.get(response["Location"]).content.decode()
    assert "Your second reading is recorded: you disagree with the grades" in page
    assert "disagrees with the grades. Planning reads as requiring improvement" in page
    response = c.post(_url(world, case, "second-reading/"), {"agrees": "yes"})
    page = c.get(response["Location"]).content.decode()
    assert "Your second reading is recorded: you agree with the grades" in page
    assert sorted(Moderation.objects.values_list("agrees", flat=True)) == [False, True]
    # The auditor sees the readings but cannot give one.
    page = _client(team["cara"]).get(_url(world, case)).content.decode()
    assert "disagrees with the grades. Planning reads as requiring improvement" in page
    assert "Record the second reading" not in page


def test_a_second_reading_is_refused_to_the_auditor_others_and_on_a_draft(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    url = _url(world, case, "second-reading/")
    _audit(case, team["cara"], finish=False)
    response = _client(world.peer).post(url, {"agrees": "yes"}, follow=True)
    assert "Only a finished audit can be given a second reading" in response.content.decode()
    _audit(case, team["cara"], finish=True)
    assert _client(team["cara"]).post(url, {"agrees": "yes"}).status_code == 403
    assert _client(team["dan"]).post(url, {"agrees": "yes"}).status_code == 404
    assert _client(world.sponsor).post(url, {"agrees": "yes"}).status_code == 403
    assert not Moderation.objects.exists()
    assert _client(world.peer).post(url, {"agrees": "yes"}).status_code == 302
    assert Moderation.objects.get().moderator == world.peer


# Labels on the read-only view


def test_the_read_only_view_shows_domain_and_grade_labels(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    _audit(case, team["cara"], finish=True, grade="requires_improvement")
    page = _client(world.pcm).get(_url(world, case)).content.decode()
    assert "Voice and lived experience of the child" in page
    assert "Requires improvement to be good" in page
    assert "Evidence: Seen in voice" in page
    assert ">voice<" not in page and "requires_improvement<" not in page


# The named contact


def test_the_pcm_names_the_contact_for_safeguarding_concerns(world, team):  # type: ignore[no-untyped-def]
    review = team["case"].review
    c = _client(world.pcm)
    page = c.get(_review_url(world)).content.decode()
    assert "Named contact for safeguarding concerns" in page
    assert (
        f"Nobody is named, so {world.sponsor.person.full_name}, the sponsor, is told of any "
        "safeguarding concern." in page
    )
    response = c.post(
        _review_url(world, "named-contact/"), {"person": world.organiser.person.code} | _v(world)
    )
    assert response.status_code == 302
    page = c.get(response["Location"]).content.decode()
    name = world.organiser.person.full_name
    assert f"{name} will hear of any safeguarding concern" in page
    assert f"{name} is told of any safeguarding concern." in page
    review.refresh_from_db()
    assert named_contact(review) == world.organiser.person
    entry = AuditEntry.objects.get(action="case_named_contact")
    assert entry.summary == f"Named contact for safeguarding concerns: {name}"
    # Clearing it falls back to the sponsor.
    response = c.post(_review_url(world, "named-contact/"), {"person": ""} | _v(world), follow=True)
    assert (
        f"Nobody is named, so {world.sponsor.person.full_name}, the sponsor, will hear of any "
        "safeguarding concern" in response.content.decode()
    )
    review.refresh_from_db()
    assert named_contact(review) == world.sponsor.person


def test_the_named_contact_must_work_for_the_council(world, team):  # type: ignore[no-untyped-def]
    review = team["case"].review
    outsider = world.other_council_user.person
    response = _client(world.pcm).post(
        _review_url(world, "named-contact/"), {"person": outsider.code} | _v(world)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_person"' in page
    assert "Choose someone who works for Council A" in page
    with pytest.raises(DomainError, match="Choose someone who works for Council A"):
        set_named_contact(review, by=world.pcm, person=PersonFactory(), version=review.version)
    review.refresh_from_db()
    assert review.named_contact is None


def test_only_the_pcm_and_lead_peer_name_the_contact(world, team):  # type: ignore[no-untyped-def]
    url = _review_url(world, "named-contact/")
    data = {"person": world.organiser.person.code} | _v(world)
    assert _client(team["cara"]).post(url, data).status_code == 403
    assert _client(world.sponsor).post(url, data).status_code == 403
    assert _client(world.other_pcm).post(url, data).status_code == 404
    page = _client(team["cara"]).get(_review_url(world)).content.decode()
    assert "Save the named contact" not in page
    assert _client(world.peer).post(url, data).status_code == 302
    assert named_contact(team["case"].review) == world.organiser.person


# The report text


def test_the_report_text_is_saved_and_withdraws_an_approval(world, team):  # type: ignore[no-untyped-def]
    case = team["case"]
    _audit(case, team["cara"], finish=True)
    review = case.review
    approve_report(review, by=world.pcm, version=review.version)
    c = _client(world.pcm)
    page = c.get(_review_url(world)).content.decode()
    assert "Report text" in page
    assert "The report is approved: saving new text withdraws the approval." in page
    response = c.post(
        _review_url(world, "report/text/"),
        {"strengths": "  Children are seen alone  ", "improvements": "Plans lack dates"}
        | _v(world),
    )
    assert response.status_code == 302
    assert "The report text is saved" in c.get(response["Location"]).content.decode()
    review.refresh_from_db()
    assert (review.report_strengths, review.report_improvements) == (
        "Children are seen alone",
        "Plans lack dates",
    )
    assert review.report_approved_at is None
    # Once issued the text is fixed.
    approve_report(review, by=world.pcm, version=review.version)
    issue_report(review, by=world.pcm, version=review.version)
    response = c.post(_review_url(world, "report/text/"), {"strengths": "Changed"} | _v(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The report is issued and can no longer change" in page
    assert "The report is issued, so its text can no longer change." in page


def test_who_writes_the_report_text(world, team):  # type: ignore[no-untyped-def]
    url = _review_url(world, "report/text/")
    assert _client(world.sponsor).post(url, {"strengths": "x"} | _v(world)).status_code == 403
    assert _client(world.other_pcm).post(url, {"strengths": "x"} | _v(world)).status_code == 404
    # The case auditors write the themes (casereview.write_report), as do the PCM and lead peer.
    assert _client(team["dan"]).post(url, {"strengths": "From Dan"} | _v(world)).status_code == 302
    lead = {"strengths": "From the lead peer"} | _v(world)
    assert _client(world.peer).post(url, lead).status_code == 302
    team["case"].review.refresh_from_db()
    assert team["case"].review.report_strengths == "From the lead peer"
