"""Destroying the working data early from the pages, so the diagnostic can close (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.retention import CASE_CONTENT_STEP, run_retention
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview, DomainGrade
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.gates import gate_blockers
from peerdiag.diagnostics.domain.retention import REMOVED, registered_steps
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.documents.models import DocumentVersion
from peerdiag.evaluation.domain import closing
from peerdiag.evaluation.models import Survey
from peerdiag.findings.models import DigestItem, EvidenceNote
from peerdiag.reports.models import FactualComment
from peerdiag.timetable.models import Attendee
from tests.casereview.helpers import add_auditor, released_case
from tests.retention.helpers import DUE, fill

pytestmark = pytest.mark.django_db

TODAY = date(2027, 4, 10)  # after issue, well before the destroy-by date


@pytest.fixture
def filled(world):  # type: ignore[no-untyped-def]
    x = fill(world)
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    grades = {d: GradeIn("good", "Seen alone", "") for d in AuditDomain.values}
    save_audit(
        case,
        by=auditor,
        header={},
        grades=grades,
        overall_grade="good",
        difference="Safer",
        finish=True,
        version=0,
    )
    EvidenceNote.objects.create(
        diagnostic=x.d, source_type="interview", title="Head of service", body="Caseloads high"
    )
    return x


def _close_blockers(d: Diagnostic) -> list[str]:
    return [b.code for b in gate_blockers(d, Stage.CLOSED, today=TODAY)]


def test_every_retention_step_is_run_early_or_left_out_with_a_reason():
    assert closing.covered_steps() == set(registered_steps()) | {CASE_CONTENT_STEP}


def test_destroying_early_takes_what_the_destroy_by_date_would_and_lets_the_diagnostic_close(
    world, filled
):  # type: ignore[no-untyped-def]
    d = filled.d
    assert {"retention.case_content", "findings.notes_kept"} <= set(_close_blockers(d))
    result = closing.destroy_working_data_now(
        d, by=world.pcm, confirmation=f" {d.reference.lower()} ", today=TODAY
    )
    assert not result.repeated
    assert {"case content", "peer notes", "KIT digest text"} <= set(result.destroyed)
    # Gone: case content, notes, digests, comments, names, personal-data files, internal notes.
    assert CaseReview.objects.get(diagnostic=d).content_destroyed_at is not None
    assert set(DomainGrade.objects.values_list("evidence_enc", flat=True)) == {""}
    assert set(EvidenceNote.objects.values_list("body", flat=True)) == {""}
    assert DigestItem.objects.get(digest=filled.digest).text == REMOVED
    assert FactualComment.objects.get(pk=filled.comment.pk).text == REMOVED
    assert Attendee.objects.get(pk=filled.attendees[0].pk).email == ""
    assert DocumentVersion.objects.get(pk=filled.personal.pk).file.name == ""
    assert DocumentVersion.objects.get(pk=filled.official.pk).file.name != ""
    d.refresh_from_db()
    assert d.internal_notes == "" and d.destroyed_early_at is not None
    # Kept: the evaluation's comments have their own, later, date.
    assert Survey.objects.get(pk=filled.survey.pk).comments == "Thanks to Ann"
    # Recorded, with who did it.
    entry = d.audit.get(action=closing.ACTION)
    assert entry.actor == world.pcm and "peer notes" in entry.summary
    assert not {"retention.case_content", "findings.notes_kept"} & set(_close_blockers(d))


def test_a_second_request_destroys_nothing_more_and_records_nothing_more(world, filled):  # type: ignore[no-untyped-def]
    d = filled.d
    closing.destroy_working_data_now(d, by=world.pcm, confirmation=d.reference, today=TODAY)
    entries = d.audit.count()
    again = closing.destroy_working_data_now(
        d, by=world.admin, confirmation=d.reference, today=TODAY
    )
    assert again.repeated and again.destroyed == ()
    assert d.audit.count() == entries
    # The daily run on the destroy-by date finds nothing of it left to destroy.
    assert [r for _, r in run_retention(today=DUE).others if r == d.reference] == []


def test_refused_before_written_feedback_is_issued_and_with_the_wrong_reference(world, filled):  # type: ignore[no-untyped-def]
    d = filled.d
    with pytest.raises(DomainError, match="Type the reference RPD-"):
        closing.destroy_working_data_now(d, by=world.pcm, confirmation="yes", today=TODAY)
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=Stage.FEEDBACK_GIVEN, written_feedback_issued_on=None
    )
    d.refresh_from_db()
    with pytest.raises(DomainError, match="Written feedback has not been issued yet"):
        closing.destroy_working_data_now(d, by=world.pcm, confirmation=d.reference, today=TODAY)
    assert EvidenceNote.objects.exclude(body="").count() == 1
    assert not d.audit.filter(action=closing.ACTION).exists()


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_the_close_gate_links_to_the_page_instead_of_a_command(world, filled):  # type: ignore[no-untyped-def]
    page = _client(world.pcm).get(reverse("web:advance", args=[filled.d.reference, "closed"]))
    html = page.content.decode()
    assert reverse("web:closing_destroy", args=[filled.d.reference]) in html
    assert "peerdiag retention run" not in html
    assert "must be destroyed before closing" in html


def test_the_page_spells_out_the_consequences_and_asks_for_the_reference(world, filled):  # type: ignore[no-untyped-def]
    url = reverse("web:closing_destroy", args=[filled.d.reference])
    html = _client(world.pcm).get(url).content.decode()
    assert "What is destroyed" in html and "What stays" in html
    assert "This cannot be undone" in html
    assert 'name="confirmation"' in html and 'name="once"' in html


def test_a_wrong_reference_shows_an_error_and_destroys_nothing(world, filled):  # type: ignore[no-untyped-def]
    url = reverse("web:closing_destroy", args=[filled.d.reference])
    page = _client(world.pcm).post(url, {"confirmation": "RPD-1999-001"})
    html = page.content.decode()
    assert "govuk-error-summary" in html and f"Type the reference {filled.d.reference}" in html
    assert 'value="RPD-1999-001"' in html  # what they typed is kept
    assert EvidenceNote.objects.exclude(body="").count() == 1


def test_the_pcm_destroys_it_from_the_page_once_even_when_sent_twice(world, filled):  # type: ignore[no-untyped-def]
    url = reverse("web:closing_destroy", args=[filled.d.reference])
    client = _client(world.pcm)
    data = {"confirmation": filled.d.reference, "once": "abcdefghijklmnopqrstuv"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first["Location"] == second["Location"] == url
    assert filled.d.audit.filter(action=closing.ACTION).count() == 1
    assert filled.d.audit.filter(action="notes_destroyed").count() == 1
    html = client.get(url).content.decode()
    assert "Working data destroyed" in html and "pcm@example.org" in html.lower()
    assert 'name="confirmation"' not in html
    assert reverse("web:advance", args=[filled.d.reference, "closed"]) in html


def test_the_page_says_why_it_cannot_destroy_before_written_feedback(world, filled):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=filled.d.pk).update(
        stage=Stage.FEEDBACK_GIVEN, written_feedback_issued_on=None
    )
    url = reverse("web:closing_destroy", args=[filled.d.reference])
    html = _client(world.admin).get(url).content.decode()
    assert "Written feedback has not been issued yet" in html
    assert 'name="confirmation"' not in html
    refused = _client(world.admin).post(url, {"confirmation": filled.d.reference})
    assert "Written feedback has not been issued yet" in refused.content.decode()
    assert EvidenceNote.objects.exclude(body="").count() == 1
