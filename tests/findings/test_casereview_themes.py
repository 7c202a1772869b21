"""The case review's themes pulled into evidence notes: counts and the report's words only."""

from __future__ import annotations

import pytest

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import save_report_text
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.findings.domain.casereview_themes import (
    IMPROVEMENTS,
    STRENGTHS,
    TITLE_PREFIX,
    pull_case_review_themes,
)
from peerdiag.findings.models import EvidenceNote
from tests.casereview.helpers import add_auditor, make_review, released_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    cases = [released_case(world.own), released_case(world.own)]
    for case, grade in zip(cases, ["good", "inadequate"], strict=True):
        grades = {d: GradeIn(grade, "Seen alone", "") for d in AuditDomain.values}
        save_audit(
            case,
            by=auditor,
            header={},
            grades=grades,
            overall_grade=grade,
            difference="Safer",
            finish=True,
            version=0,
        )
    review = CaseReview.objects.get(diagnostic=world.own)
    save_report_text(
        review,
        by=world.peer,
        strengths="Children are seen alone",
        improvements="Plans drift",
        version=review.version,
    )
    return review, cases


def _everything(notes: list[EvidenceNote]) -> str:
    return " ".join(f"{n.title} {n.heard_from} {n.body}" for n in notes)


def test_a_note_per_domain_with_grade_counts_and_the_strengths_and_improvements(world, audited):  # type: ignore[no-untyped-def]
    _, cases = audited
    notes = pull_case_review_themes(world.own, by=world.peer)
    assert len(notes) == len(AuditDomain.values) + 2
    assert all(n.source_type == "case_review" and n.session_id is None for n in notes)
    voice = next(n for n in notes if n.title.endswith("Voice and lived experience of the child"))
    assert voice.body.startswith("Grades from 2 finished case audits:")
    assert "Good 1" in voice.body and "Inadequate 1" in voice.body and "Outstanding 0" in voice.body
    by_title = {n.title: n for n in notes}
    assert by_title[STRENGTHS].body == "Children are seen alone"
    assert by_title[STRENGTHS].polarity == "strength"
    assert by_title[IMPROVEMENTS].body == "Plans drift"
    assert by_title[IMPROVEMENTS].polarity == "concern"
    assert by_title[STRENGTHS].author.person.user == world.peer  # type: ignore[union-attr]
    text = _everything(notes)
    for case in cases:
        assert case.entry.pseudonymous_ref not in text
        assert case.code not in text
    assert AuditEntry.objects.filter(
        diagnostic=world.own, summary__startswith="Pulled the case review's themes"
    ).exists()


def test_pulling_again_updates_the_same_notes(world, audited):  # type: ignore[no-untyped-def]
    review, _ = audited
    first = pull_case_review_themes(world.own, by=world.peer)
    review.refresh_from_db()
    save_report_text(
        review,
        by=world.peer,
        strengths="Visits are timely",
        improvements="Drift",
        version=review.version,
    )
    again = pull_case_review_themes(world.own, by=world.pcm)
    assert sorted(n.pk for n in again) == sorted(n.pk for n in first)
    notes = list(EvidenceNote.objects.all())  # titles are encrypted: compared after reading
    assert len([n for n in notes if n.title.startswith(TITLE_PREFIX)]) == len(first)
    (strengths,) = [n for n in notes if n.title == STRENGTHS]
    assert strengths.body == "Visits are timely"
    assert strengths.revision == 1  # a peer editing it at that moment is told, not overwritten


def test_refused_without_a_review_or_a_finished_audit(world):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="no case review"):
        pull_case_review_themes(world.own, by=world.peer)
    make_review(world.own)
    with pytest.raises(DomainError, match="No case audit is finished"):
        pull_case_review_themes(world.own, by=world.peer)
    with pytest.raises(DomainError, match="Only members of the peer team"):
        pull_case_review_themes(world.own, by=world.admin)
    assert not EvidenceNote.objects.exists()


def test_the_page_action_pulls_and_explains(client, world, audited):  # type: ignore[no-untyped-def]
    _, cases = audited
    client.force_login(world.peer)
    page = client.get(f"/diagnostics/{world.own.reference}/notes/").content.decode()
    assert "Pull in the case review" in page and "no case references" in page
    response = client.post(f"/diagnostics/{world.own.reference}/notes/case-review/", follow=True)
    body = response.content.decode()
    assert f"themes are in {len(AuditDomain.values) + 2} notes" in body
    assert STRENGTHS in body
    assert cases[0].entry.pseudonymous_ref not in body
