"""The case review's gate conditions, registered as the 'case_review' and 'retention'
capabilities (diagnostics/domain/capabilities.py)."""

from __future__ import annotations

from peerdiag.diagnostics.domain.capabilities import (
    Blocker,
    register_capability,
    register_warnings,
)
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic

from ..enums import AuditStatus
from ..models import CaseReview, SafeguardingConcern

FIX = "case_review"


def case_review_blockers(d: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage != Stage.READY or not d.case_review_in_scope:
        return []
    review = CaseReview.objects.filter(diagnostic=d).first()
    if review is None:
        return [Blocker("case_review.not_started", "Start the case record review", FIX)]
    out = []
    if not review.sharing_recorded_at:
        out.append(
            Blocker(
                "case_review.sharing",
                "Accept the council's proposal for how it shares the cases",
                FIX,
            )
        )
    cases = review.cases.all()
    if not cases.exists():
        out.append(Blocker("case_review.no_cases", "Choose the cases from the agreed lists", FIX))
    unfinished = cases.exclude(audit__status=AuditStatus.DONE).count()
    if unfinished:
        out.append(
            Blocker(
                "case_review.audits",
                f"{unfinished} case {'audit is' if unfinished == 1 else 'audits are'} not finished",
                FIX,
            )
        )
    open_ = SafeguardingConcern.objects.filter(
        audit__case__review=review, escalated_at__isnull=True
    ).count()
    if open_:
        out.append(
            Blocker(
                "case_review.concerns",
                f"{open_} safeguarding {'concern has' if open_ == 1 else 'concerns have'} not "
                "been escalated to the council",
                FIX,
            )
        )
    if not review.report_issued_at:
        out.append(
            Blocker(
                "case_review.report",
                "Issue the case review report to the council and the team",
                FIX,
            )
        )
    return out


def case_review_warnings(d: Diagnostic) -> list[str]:
    """Advice that does not block (R29, decision 6)."""
    if not d.case_review_in_scope:
        return []
    if not d.team.filter(role=TeamRole.CASE_AUDITOR, continues_to_delivery=True).exists():
        return ["No case auditor carries on into delivery: at least one usually should"]
    return []


def retention_blockers(d: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage != Stage.CLOSED:
        return []
    review = CaseReview.objects.filter(diagnostic=d).first()
    if review is None or review.content_destroyed_at is not None:
        return []
    # Only case content is checked here; peer notes belong to the findings capability.
    return [
        Blocker(
            "retention.case_content",
            "The case review's content must be destroyed before closing: destroy it now, or "
            "wait for the destroy-by date",
            "closing",
        )
    ]


def register() -> None:
    register_capability("case_review", case_review_blockers)
    register_capability("retention", retention_blockers)
    register_warnings(
        "case_review",
        lambda d, to: (
            case_review_warnings(d) if d.stage == Stage.CASE_REVIEW and to == Stage.READY else []
        ),
    )
