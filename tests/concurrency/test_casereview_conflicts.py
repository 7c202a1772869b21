"""Two tabs or two people saving the same part of the case record review: the stale save is
refused, what was saved first stays, and the page shows both. A case audit's saved content is
shown decrypted only to the case's auditor, and that read is logged."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from peerdiag.casereview.domain.audits import NO_AUDIT_YET, GradeIn, read_case, save_audit
from peerdiag.casereview.domain.concerns import raise_concern
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import (
    CaseAudit,
    CaseReadLog,
    CaseReview,
    Moderation,
    SafeguardingConcern,
)
from peerdiag.common.versioning import UNCHECKED, StaleEdit
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db
CONFLICT_READ = "case audit saved by someone else"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    return c


def _name(user: Any) -> str:
    return (user.get_full_name() or "").strip() or user.email


def _version(page: str, name: str = "version", element_id: str = "") -> int:
    """The version one form on the page carries (found by its hidden input's id)."""
    inputs = re.findall(r"<input[^>]*>", page)
    for tag in inputs:
        if f'name="{name}"' in tag and (not element_id or f'id="{element_id}"' in tag):
            m = re.search(r'value="(\d+)"', tag)
            assert m, tag
            return int(m.group(1))
    raise AssertionError(f"no version ({element_id or name}) on the page")


@pytest.fixture
def team(world):  # type: ignore[no-untyped-def]
    """Cara audits the case; the PCM and the lead peer are cleared to read it."""
    cara = add_auditor(world.own, "cara@example.org", "Cara Auditor")
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    for user in (cara, world.peer, world.pcm):
        acknowledge_briefing(briefing, by=None, person=user.person)
    case = released_case(world.own)
    return {"cara": cara, "case": case}


def _audit_data(evidence: str, version: int, *, finish: bool = False) -> dict[str, str]:
    data = {"period_months": "12", "overall_grade": "good", "version": str(version)}
    data |= {f"{d}_grade": "good" for d in AuditDomain.values}
    data["voice_evidence"] = evidence
    data |= {"finish": "1"} if finish else {"save": "1"}
    return data


def _first_audit(case, by, *, finish: bool, evidence: str = ""):  # type: ignore[no-untyped-def]
    """The case's first audit, every domain graded good (with `evidence`), saved by `by`."""
    grades = {d: GradeIn("good", evidence=evidence) for d in AuditDomain.values}
    kwargs: dict[str, Any] = {"header": {}, "overall_grade": "good", "difference": ""}
    return save_audit(case, by=by, grades=grades, finish=finish, version=NO_AUDIT_YET, **kwargs)


def test_two_tabs_saving_one_audit_never_overwrite_each_other(world, team):  # type: ignore[no-untyped-def]
    cara, case = team["cara"], team["case"]
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    tab1, tab2 = _client(cara), _client(cara)
    v1 = _version(tab1.get(url).content.decode(), element_id="audit_version")
    v2 = _version(tab2.get(url).content.decode(), element_id="audit_version")
    assert v1 == v2 == NO_AUDIT_YET
    assert tab1.post(url, _audit_data("Seen alone at school", v1)).status_code == 302
    stale = tab2.post(url, _audit_data("Visited at home with her mother", v2))
    page = unescape(stale.content.decode())
    audit = CaseAudit.objects.get(case=case)
    assert audit.version == 1
    assert read_case(case, by=None).grades["voice"].evidence == "Seen alone at school"
    # The auditor sees what the other tab saved (decrypted) in the form, and their own beside it.
    assert "Saved by someone else" in page
    assert f"{_name(cara)} saved a change at" in page
    assert re.search(
        r'<textarea[^>]*name="voice_evidence"[^>]*>\s*Seen alone at school</textarea>', page
    )
    assert re.search(
        r"<textarea[^>]*readonly[^>]*>Visited at home with her mother</textarea>", page
    )
    # That read of the saved content is logged, as every read of a case is.
    assert CaseReadLog.objects.filter(user=cara, case=case, what=CONFLICT_READ).count() == 1
    # Saving again from the conflict page is deliberate, at the version now in the form.
    assert _version(page, element_id="audit_version") == 1
    both = "Seen alone at school; visited at home with her mother"
    assert tab2.post(url, _audit_data(both, 1)).status_code == 302
    audit.refresh_from_db()
    assert audit.version == 2
    assert read_case(case, by=None).grades["voice"].evidence == both


def test_a_draft_saved_after_the_audit_was_finished_elsewhere_is_kept_on_the_page(world, team):  # type: ignore[no-untyped-def]
    cara, case = team["cara"], team["case"]
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    tab1, tab2 = _client(cara), _client(cara)
    tab1.get(url), tab2.get(url)
    assert tab1.post(url, _audit_data("Finished wording", 0, finish=True)).status_code == 302
    stale = tab2.post(url, _audit_data("A later thought", 0))
    page = unescape(stale.content.decode())
    assert stale.status_code == 200
    audit = CaseAudit.objects.get(case=case)
    assert audit.status == "done"
    assert read_case(case, by=None).grades["voice"].evidence == "Finished wording"
    assert f"{_name(cara)} saved a change at" in page
    assert re.search(r"<textarea[^>]*readonly[^>]*>A later thought</textarea>", page)


def test_nobody_else_sees_an_audit_through_a_stale_save(world, team):  # type: ignore[no-untyped-def]
    cara, case = team["cara"], team["case"]
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    _first_audit(case, cara, finish=False, evidence="Private evidence")
    # The PCM may read the case but not audit it: a save is refused outright, with nothing of
    # the audit in the answer and no read logged for them.
    refused = _client(world.pcm).post(url, _audit_data("Overwrite?", 0))
    assert refused.status_code == 403
    assert b"Private evidence" not in refused.content
    assert not CaseReadLog.objects.filter(what=CONFLICT_READ).exists()
    assert read_case(case, by=None).grades["voice"].evidence == "Private evidence"


def test_the_domain_refuses_a_stale_audit(world, team):  # type: ignore[no-untyped-def]
    cara, case = team["cara"], team["case"]
    grades = {d: GradeIn("good", evidence="First") for d in AuditDomain.values}
    kwargs: dict[str, Any] = {"header": {}, "overall_grade": "good", "difference": ""}
    save_audit(case, by=cara, grades=grades, finish=False, version=NO_AUDIT_YET, **kwargs)
    other = {d: GradeIn("inadequate", evidence="Second") for d in AuditDomain.values}
    with pytest.raises(StaleEdit) as refused:
        save_audit(case, by=cara, grades=other, finish=False, version=NO_AUDIT_YET, **kwargs)
    assert refused.value.current_version == 1
    assert read_case(case, by=None).grades["voice"] == GradeIn("good", "First", "")


def test_two_people_writing_the_report_text(world, team):  # type: ignore[no-untyped-def]
    url = f"/diagnostics/{world.own.reference}/case-review/"
    cara, lead = _client(team["cara"]), _client(world.peer)
    v_cara = _version(cara.get(url).content.decode(), element_id="report_version")
    v_lead = _version(lead.get(url).content.decode(), element_id="report_version")
    assert v_cara == v_lead
    first = {"strengths": "Children are seen alone", "improvements": "", "version": v_cara}
    assert cara.post(url + "report/text/", first).status_code == 302
    second = {"strengths": "Visits are timely", "improvements": "Plans drift", "version": v_lead}
    page = unescape(lead.post(url + "report/text/", second).content.decode())
    review = CaseReview.objects.get(diagnostic=world.own)
    assert (review.report_strengths, review.report_improvements) == ("Children are seen alone", "")
    assert review.changed_by == team["cara"]
    assert f"{_name(team['cara'])} saved a change at" in page
    assert re.search(
        r'<textarea[^>]*name="strengths"[^>]*>\s*Children are seen alone</textarea>', page
    )
    assert re.search(r"<textarea[^>]*readonly[^>]*>Visits are timely</textarea>", page)
    assert re.search(r"<textarea[^>]*readonly[^>]*>Plans drift</textarea>", page)


def test_a_stale_named_contact_is_shown_by_name(world, team):  # type: ignore[no-untyped-def]
    url = f"/diagnostics/{world.own.reference}/case-review/"
    pcm, lead = _client(world.pcm), _client(world.peer)
    v = _version(pcm.get(url).content.decode(), element_id="named_contact_version")
    organiser, sponsor = world.organiser.person, world.sponsor.person
    assert (
        pcm.post(url + "named-contact/", {"person": organiser.code, "version": v}).status_code
        == 302
    )
    page = unescape(
        lead.post(url + "named-contact/", {"person": sponsor.code, "version": v}).content.decode()
    )
    review = CaseReview.objects.get(diagnostic=world.own)
    assert review.named_contact == organiser
    assert f"{_name(world.pcm)} saved a change at" in page
    assert f">{organiser.full_name}</div>" in page
    assert f'value="{sponsor.full_name}" readonly' in page


def test_drawing_or_releasing_from_a_stale_page_is_refused(world, team):  # type: ignore[no-untyped-def]
    url = f"/diagnostics/{world.own.reference}/case-review/"
    # Not released yet, so the sample may still be drawn.
    CaseReview.objects.get(diagnostic=world.own).cases.update(released_at=None)
    pcm, lead = _client(world.pcm), _client(world.peer)
    v = _version(pcm.get(url).content.decode(), element_id="draw_version")
    assert pcm.post(url + "sample/", {"size": "4", "seed": "abc", "version": v}).status_code == 302
    drawn = CaseReview.objects.get(diagnostic=world.own)
    assert (drawn.sample_size, drawn.seed) == (4, "abc")
    # The lead peer's page still shows the old sample: their draw and release are refused.
    stale = unescape(
        lead.post(url + "sample/", {"size": "6", "seed": "xyz", "version": v}).content.decode()
    )
    now = CaseReview.objects.get(diagnostic=world.own)
    assert (now.sample_size, now.seed) == (4, "abc")
    assert f"{_name(world.pcm)} saved a change at" in stale
    assert 'value="xyz" readonly' in stale
    assert re.search(r'name="seed"[^>]*value="abc"', stale)
    released = unescape(lead.post(url + "share-out/", {"version": v}).content.decode())
    assert "so no case has been released" in released
    assert f"{_name(world.pcm)} changed the case record review at" in released
    assert not now.cases.filter(released_at__isnull=False).exists()


def test_a_concern_acknowledged_by_the_other_recipient(world, team):  # type: ignore[no-untyped-def]
    cara, case = team["cara"], team["case"]
    audit = _first_audit(case, cara, finish=False)
    concern = raise_concern(audit, by=cara, summary="Bruising seen")
    url = f"/diagnostics/{world.own.reference}/case-review/concerns/{concern.code}/"
    pcm, sponsor = _client(world.pcm), _client(world.sponsor)
    v = _version(pcm.get(url).content.decode())
    assert v == _version(sponsor.get(url).content.decode())
    assert sponsor.post(url, {"version": v}).status_code == 302
    page = unescape(pcm.post(url, {"version": v}).content.decode())
    concern = SafeguardingConcern.objects.get(pk=concern.pk)
    assert concern.acknowledged_by == world.sponsor
    assert f"{_name(world.sponsor)} changed this safeguarding concern at" in page
    assert "your acknowledgement is not saved" in page


def test_two_second_readings_at_once_are_both_kept(world, team):  # type: ignore[no-untyped-def]
    """A second reading is never edited, only added: two at once are two readings."""
    cara, case = team["cara"], team["case"]
    _first_audit(case, cara, finish=True)
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    pcm, lead = _client(world.pcm), _client(world.peer)
    pcm.get(url), lead.get(url)
    assert pcm.post(url + "second-reading/", {"agrees": "yes"}).status_code == 302
    disagree = {"agrees": "no", "note": "Planning reads as requiring improvement"}
    assert lead.post(url + "second-reading/", disagree).status_code == 302
    readings = read_case(case, by=None).moderations
    assert {(m["by"].pk, m["agrees"]) for m in readings} == {
        (world.pcm.pk, True),
        (world.peer.pk, False),
    }
    assert set(Moderation.objects.values_list("version", "changed_by")) == {
        (1, world.pcm.pk),
        (1, world.peer.pk),
    }


def test_the_same_save_sent_twice_is_not_called_a_conflict(world, team):  # type: ignore[no-untyped-def]
    """A double click (or a form sent again after a slow answer) sends the old version twice:
    what the first stored is exactly what the second holds, so the page says it is saved."""
    cara, case = team["cara"], team["case"]
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    c = _client(cara)
    data = _audit_data("Seen alone at school", NO_AUDIT_YET)
    assert c.post(url, data).status_code == 302
    again = c.post(url, data, follow=True)
    page = unescape(again.content.decode())
    assert "Audit saved" in page and "Saved by someone else" not in page
    assert CaseAudit.objects.get(case=case).version == 1
    # Different words from the same old version are a real conflict, even from the same person.
    changed = c.post(url, _audit_data("Seen at home", NO_AUDIT_YET))
    assert "Saved by someone else" in unescape(changed.content.decode())
    assert read_case(case, by=None).grades["voice"].evidence == "Seen alone at school"


def test_approving_a_report_text_changed_since_is_refused(world, team):  # type: ignore[no-untyped-def]
    cara, case = team["cara"], team["case"]
    _first_audit(case, cara, finish=True)
    url = f"/diagnostics/{world.own.reference}/case-review/"
    pcm = _client(world.pcm)
    seen = _version(pcm.get(url).content.decode(), element_id="approve_version")
    text = {"strengths": "Written after the PCM looked", "improvements": "", "version": seen}
    assert _client(cara).post(url + "report/text/", text).status_code == 302
    page = unescape(
        pcm.post(url + "report/approve/", {"version": seen}, follow=True).content.decode()
    )
    review = CaseReview.objects.get(diagnostic=world.own)
    assert review.report_approved_at is None and review.report_issued_at is None
    assert f"{_name(cara)} changed the case record review at" in page
    assert "so the report has not been approved or issued" in page
    # From the page as it is now, the PCM approves what they can see.
    now = _version(page, element_id="approve_version")
    assert pcm.post(url + "report/approve/", {"version": now}).status_code == 302
    review.refresh_from_db()
    assert review.report_issued_at is not None
