"""The case review report (decision 7): themes by domain, grade counts, strengths and areas
for improvement, never a child's identity. Approved by the PCM, then issued to the council and
the team. `build_docx` takes plain dataclasses, so it can be tested without a database."""

from __future__ import annotations

import io
import logging
import smtplib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.enums import CouncilRoleKind

from ..enums import AuditStatus, Grade, audit_domains
from ..models import CaseReview, DomainGrade
from .reviews import NOUN

log = logging.getLogger(__name__)
GRADE_ORDER = [g.value for g in Grade]
REPORT_HEADINGS = (
    "About this review",
    "Grades by domain",
    "Overall grades",
    "Strengths",
    "Areas for improvement",
)


@dataclass(frozen=True)
class DomainTheme:
    domain: str  # the label
    counts: dict[str, int]  # grade label → number of cases


@dataclass(frozen=True)
class ReportData:
    reference: str
    council: str
    cases_audited: int
    auditors: int
    domains: list[DomainTheme] = field(default_factory=list)
    overall: dict[str, int] = field(default_factory=dict)
    strengths: str = ""
    improvements: str = ""
    approved: bool = False


def _labelled(counter: Counter[str]) -> dict[str, int]:
    return {str(Grade(g).label): counter.get(g, 0) for g in GRADE_ORDER}


def gather_report(review: CaseReview) -> ReportData:
    """Counts from the finished audits only; nothing that identifies a case."""
    audits = list(
        review.cases.filter(audit__status=AuditStatus.DONE).values_list(
            "audit__overall_grade", "audit__auditor_id"
        )
    )
    d = review.diagnostic
    # The headings of the diagnostic's type: SEND headings for SEND, social-care otherwise.
    headings = dict(audit_domains(d.type))
    by_domain: dict[str, Counter[str]] = {value: Counter() for value in headings}
    for domain, grade in DomainGrade.objects.filter(
        audit__case__review=review, audit__status=AuditStatus.DONE
    ).values_list("domain", "grade"):
        if domain in by_domain:
            by_domain[domain][grade] += 1
    return ReportData(
        reference=d.reference,
        council=d.host_council.name,
        cases_audited=len(audits),
        auditors=len({a for _, a in audits}),
        domains=[DomainTheme(headings[k], _labelled(v)) for k, v in by_domain.items()],
        overall=_labelled(Counter(g for g, _ in audits if g)),
        strengths=review.report_strengths,
        improvements=review.report_improvements,
        approved=review.report_approved_at is not None,
    )


# The tables' layout on A4 portrait with 25 mm margins (160 mm between them). Their text is
# Arial, which Word has and LibreOffice draws with the same widths (Liberation Sans); the
# widths let the longest word of every heading fit on its line at HEADER_PT in bold, so
# headings wrap between words, never inside one (tests/casereview/test_report_docx.py measures).
TABLE_FONT = "Arial"
HEADER_PT = 9
BODY_PT = 10
CELL_MARGIN_MM = 1.5
TEXT_WIDTH_MM = 160.0
GRADE_COLUMN_MM = 24.0  # each grade's count; the domain takes the rest of the width
OVERALL_WIDTHS_MM = [70.0, 24.0]  # the grade, its count


def _table(doc: Any, header: list[str], rows: list[list[str]], widths: list[float]) -> Any:
    """A bordered table with a repeating bold header row and fixed column widths. Every column
    after the first holds numbers, so it is aligned right, heading included."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from peerdiag.common import wordfiles

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for row_cells, texts, size in (
        (table.rows[0].cells, header, HEADER_PT),
        *((table.add_row().cells, row, BODY_PT) for row in rows),
    ):
        for column, (cell, text) in enumerate(zip(row_cells, texts, strict=True)):
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(2)
            if column:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = para.add_run(text)
            run.font.name = TABLE_FONT
            run.font.size = Pt(size)
    wordfiles.header_row(table)
    wordfiles.cell_margins(table, CELL_MARGIN_MM)
    wordfiles.set_widths(table, widths)
    return table


def title(data: ReportData) -> str:
    return f"Case record review: {data.council}"


def build_docx(data: ReportData, *, when: datetime | None = None) -> bytes:
    """The report as a Word document: A4, English (UK), page numbers, its title first."""
    from docx import Document  # only the report's builders need python-docx

    from peerdiag.common import wordfiles

    doc: Any = Document()
    doc.styles["Normal"].font.name = TABLE_FONT
    wordfiles.a4_portrait(doc)
    wordfiles.british(doc)
    wordfiles.page_numbers(doc)
    wordfiles.core_properties(doc, title(data), when)
    doc.core_properties.subject = f"{data.council} {data.reference}"
    doc.core_properties.keywords = "peer diagnostic; case record review"
    doc.add_paragraph(title(data), style="Title")
    doc.add_paragraph(
        f"Diagnostic {data.reference}" + ("" if data.approved else " (draft)"), style="Subtitle"
    )
    doc.add_heading(REPORT_HEADINGS[0], level=1)
    doc.add_paragraph(
        f"{data.auditors} case auditors read {data.cases_audited} cases chosen from the lists "
        "agreed at scoping. This report gives counts and themes only and names no child."
    )
    grades = list(data.overall)
    doc.add_heading(REPORT_HEADINGS[1], level=1)
    _table(
        doc,
        ["Domain", *grades],
        [[t.domain, *(str(t.counts.get(g, 0)) for g in grades)] for t in data.domains],
        [TEXT_WIDTH_MM - GRADE_COLUMN_MM * len(grades), *([GRADE_COLUMN_MM] * len(grades))],
    )
    doc.add_heading(REPORT_HEADINGS[2], level=1)
    _table(
        doc,
        ["Grade", "Cases"],
        [[g, str(data.overall[g])] for g in grades if g != str(Grade.NA.label)],
        OVERALL_WIDTHS_MM,
    )
    for heading, text in (
        (REPORT_HEADINGS[3], data.strengths),
        (REPORT_HEADINGS[4], data.improvements),
    ):
        doc.add_heading(heading, level=1)
        for para in [p for p in text.splitlines() if p.strip()] or ["None recorded."]:
            doc.add_paragraph(para.strip())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def save_report_text(
    review: CaseReview,
    *,
    by: User | None,
    strengths: str,
    improvements: str,
    version: int | None,
) -> CaseReview:
    """The auditors' strengths and areas for improvement. Changing them withdraws an approval.
    Refused with StaleEdit (nothing saved) when the review changed after `version`, so two
    auditors writing at once never overwrite each other's themes."""
    if review.report_issued_at:
        raise DomainError("The report is issued and can no longer change")
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        review.report_strengths = strengths.strip()
        review.report_improvements = improvements.strip()
        review.report_approved_at, review.report_approved_by = None, None
        review.save()
        record(
            review.diagnostic,
            by=by,
            action="case_report_written",
            summary="Case review report text saved",
        )
    return review


def approve_report(review: CaseReview, *, by: User | None, version: int | None) -> CaseReview:
    """The PCM approves the report; every audit must be finished first. Refused with StaleEdit
    (nothing approved) when the review changed after `version`: the PCM approves only the text
    they read."""
    _refuse_unless_complete(review)
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        review.report_approved_at, review.report_approved_by = timezone.now(), by
        review.save(
            update_fields=with_version_fields(
                ["report_approved_at", "report_approved_by", "updated_at"]
            )
        )
        record(
            review.diagnostic,
            by=by,
            action="case_report_approved",
            summary="Case review report approved",
        )
    return review


def issue_report(review: CaseReview, *, by: User | None, version: int | None) -> CaseReview:
    """Issue the approved report to the council and the team (R28). Refused with StaleEdit
    when the review changed after `version`."""
    if review.report_approved_at is None:
        raise DomainError("The peer challenge manager must approve the report first")
    if review.report_issued_at:
        raise DomainError("The report is already issued")
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        review.report_issued_at = timezone.now()
        review.save(update_fields=with_version_fields(["report_issued_at", "updated_at"]))
        record(
            review.diagnostic,
            by=by,
            action="case_report_issued",
            summary="Case review report issued to the council and the team",
        )
    _tell_council(review)
    return review


def council_readers(review: CaseReview) -> list[Any]:
    """The people at the council who read the issued report: the sponsor and the organiser."""
    d = review.diagnostic
    return [
        r.person
        for r in d.council_roles.filter(
            role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
        ).select_related("person")
    ]


def _tell_council(review: CaseReview) -> None:
    """E-mail the sponsor and organiser that the report is issued: a link only, nothing of the
    report (and so nothing about any child). A failed e-mail is logged and recorded; the report
    stays issued and on their page."""
    d = review.diagnostic
    to = sorted({p.email for p in council_readers(review) if p.email})
    if not to:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "web:casereview_issued_report", args=[d.reference]
    )
    body = (
        f"The case record review report for {d.reference} ({d.host_council.name}) is issued.\n\n"
        f"Sign in to read it and download it as a Word document:\n{link}\n"
    )
    try:
        outbox.send(
            kind=MailKind.CASE_REPORT,
            subject=f"{d.reference}: the case record review report is issued",
            body=body,
            to=to,
            diagnostic=d,
        )
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("case review report e-mail for %s not sent: %s", d.reference, exc)
        record(
            d,
            by=None,
            action="case_report_email_failed",
            summary="The e-mail telling the council the case review report is issued failed",
        )


def _refuse_unless_complete(review: CaseReview) -> None:
    if not review.cases.exists():
        raise DomainError("No cases have been audited")
    if review.cases.exclude(audit__status=AuditStatus.DONE).exists():
        raise DomainError("Every case audit must be finished first")
