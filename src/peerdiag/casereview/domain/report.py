"""The case review report (decision 7): themes by domain, grade counts, strengths and areas
for improvement, never a child's identity. Approved by the PCM, then issued to the council and
the team. `build_docx` takes plain dataclasses, so it can be tested without a database."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain.audit import record

from ..enums import AuditDomain, AuditStatus, Grade
from ..models import CaseReview, DomainGrade
from .reviews import NOUN

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
    by_domain: dict[str, Counter[str]] = {d: Counter() for d in AuditDomain.values}
    for domain, grade in DomainGrade.objects.filter(
        audit__case__review=review, audit__status=AuditStatus.DONE
    ).values_list("domain", "grade"):
        by_domain[domain][grade] += 1
    d = review.diagnostic
    return ReportData(
        reference=d.reference,
        council=d.host_council.name,
        cases_audited=len(audits),
        auditors=len({a for _, a in audits}),
        domains=[
            DomainTheme(str(AuditDomain(k).label), _labelled(v)) for k, v in by_domain.items()
        ],
        overall=_labelled(Counter(g for g, _ in audits if g)),
        strengths=review.report_strengths,
        improvements=review.report_improvements,
        approved=review.report_approved_at is not None,
    )


def build_docx(data: ReportData) -> bytes:
    """The report as a Word document."""
    import docx  # only this function needs python-docx

    doc = docx.Document()
    doc.add_heading(f"Case record review: {data.council}", level=0)
    doc.add_paragraph(f"Diagnostic {data.reference}" + ("" if data.approved else " (draft)"))
    doc.add_heading(REPORT_HEADINGS[0], level=1)
    doc.add_paragraph(
        f"{data.auditors} case auditors read {data.cases_audited} cases chosen from the lists "
        "agreed at scoping. This report gives counts and themes only and names no child."
    )
    grades = list(data.overall)
    doc.add_heading(REPORT_HEADINGS[1], level=1)
    table = doc.add_table(rows=1, cols=len(grades) + 1)
    table.style = "Table Grid"
    for i, text in enumerate(["Domain", *grades]):
        table.rows[0].cells[i].text = text
    for theme in data.domains:
        cells = table.add_row().cells
        cells[0].text = theme.domain
        for i, g in enumerate(grades, start=1):
            cells[i].text = str(theme.counts.get(g, 0))
    doc.add_heading(REPORT_HEADINGS[2], level=1)
    overall = doc.add_table(rows=1, cols=2)
    overall.style = "Table Grid"
    overall.rows[0].cells[0].text, overall.rows[0].cells[1].text = "Grade", "Cases"
    for g in grades:
        if g == str(Grade.NA.label):
            continue
        row = overall.add_row().cells
        row[0].text, row[1].text = g, str(data.overall[g])
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
    return review


def _refuse_unless_complete(review: CaseReview) -> None:
    if not review.cases.exists():
        raise DomainError("No cases have been audited")
    if review.cases.exclude(audit__status=AuditStatus.DONE).exists():
        raise DomainError("Every case audit must be finished first")
