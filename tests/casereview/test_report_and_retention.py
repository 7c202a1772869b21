import io
from datetime import date, timedelta

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import (
    REPORT_HEADINGS,
    approve_report,
    build_docx,
    gather_report,
    issue_report,
    save_report_text,
)
from peerdiag.casereview.domain.retention import run_retention
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview, Destruction, DomainGrade
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.capabilities import capability_blockers
from peerdiag.diagnostics.models import Diagnostic
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    cases = [released_case(world.own), released_case(world.own)]
    for case, grade in zip(cases, ["good", "inadequate"], strict=True):
        grades = {d: GradeIn(grade, "Seen alone", "") for d in AuditDomain.values}
        grades["permanence"] = GradeIn("na")
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
    return CaseReview.objects.get(diagnostic=world.own), cases


def _text(data: bytes) -> tuple[list[str], str]:
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    cells = " | ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    return headings, " ".join(p.text for p in document.paragraphs) + " " + cells


def test_the_report_has_its_headings_and_counts_and_no_case_reference(world, audited, tmp_path):  # type: ignore[no-untyped-def]
    review, cases = audited
    save_report_text(
        review,
        by=world.peer,
        strengths="Children are seen alone",
        improvements="Plans drift",
        version=review.version,
    )
    out = tmp_path / "r.docx"
    call_command("casereview", "report", world.own.reference, "-o", str(out))
    headings, text = _text(out.read_bytes())
    assert headings == list(REPORT_HEADINGS)
    table = docx.Document(str(out)).tables[0]
    header = [c.text for c in table.rows[0].cells]
    voice = next(
        r for r in table.rows if r.cells[0].text == "Voice and lived experience of the child"
    )
    assert dict(zip(header[1:], [c.text for c in voice.cells[1:]], strict=True)) == {
        "Outstanding": "0",
        "Good": "1",
        "Requires improvement to be good": "0",
        "Inadequate": "1",
        "Not applicable": "0",
    }
    assert "Children are seen alone" in text and "2 cases" in text
    for case in cases:
        assert case.entry.pseudonymous_ref not in text


def test_the_pcm_approves_before_the_report_is_issued(world, audited):  # type: ignore[no-untyped-def]
    review, _ = audited
    with pytest.raises(DomainError, match="approve"):
        issue_report(review, by=world.pcm, version=review.version)
    approve_report(review, by=world.pcm, version=review.version)
    issue_report(review, by=world.pcm, version=review.version)
    assert review.report_issued_at is not None
    assert gather_report(review).approved


def test_the_report_command_refuses_an_unknown_reference(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="no case record review"):
        call_command("casereview", "report", "RPD-1999-001", "-o", str(tmp_path / "x.docx"))


def test_the_builder_needs_no_database():
    from peerdiag.casereview.domain.report import DomainTheme, ReportData

    data = ReportData(
        "RPD-1", "Council A", 0, 0, [DomainTheme("Planning", {"Good": 0})], {"Good": 0}
    )
    assert build_docx(data)[:2] == b"PK"


def test_content_is_destroyed_on_the_destroy_by_date_and_the_destruction_recorded(world, audited):  # type: ignore[no-untyped-def]
    _, cases = audited
    issued = date(2026, 1, 10)
    Diagnostic.objects.filter(pk=world.own.pk).update(written_feedback_issued_on=issued)
    assert run_retention(today=issued + timedelta(days=29)).destroyed == []
    assert (
        capability_blockers("retention", world.own, "closed", needs=[])[0].code
        == "retention.case_content"
    )
    assert run_retention(today=issued + timedelta(days=30)).destroyed == [world.own.reference]
    assert set(DomainGrade.objects.values_list("evidence_enc", flat=True)) == {""}
    assert set(DomainGrade.objects.values_list("grade", flat=True)) == {"good", "inadequate", "na"}
    cases[0].entry.refresh_from_db()
    assert cases[0].entry.pseudonymous_ref.startswith("destroyed-")
    destruction = Destruction.objects.get()
    assert destruction.counts["domain_grades"] == 22
    # Safe to run again: nothing more happens.
    call_command("retention", "run")
    assert Destruction.objects.count() == 1
    assert capability_blockers("retention", world.own, "closed", needs=[]) == []
