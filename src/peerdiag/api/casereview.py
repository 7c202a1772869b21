"""The case record review over HTTP: its progress, never case content.

Case content needs a two-factor session (web/views/sensitive.py), which an API token cannot
show, so the API gives only counts and dates, which any token may read. An operation added
here that shows case content must call `auth.require_scope(request, Scope.SENSITIVE)`, as
the sensitive document download does.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from peerdiag.casereview.domain.gate import case_review_blockers, case_review_warnings
from peerdiag.casereview.enums import AuditStatus
from peerdiag.casereview.models import CaseReview, SafeguardingConcern
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import Stage

from .common import READ_ERRORS, Ref, caller
from .schemas.casereview import CaseReviewOut
from .schemas.common import Message

router = Router(tags=["casereview"])


@router.get(
    "/diagnostics/{ref}/case-review",
    response={200: CaseReviewOut, **READ_ERRORS, 403: Message},
    url_name="casereview_status",
    operation_id="getCaseReview",
    summary="Progress of the case record review: counts and dates, no case content",
)
def casereview_status(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm="diagnostics.view_internal")
    review = CaseReview.objects.filter(diagnostic=d).first()
    concerns = SafeguardingConcern.objects.filter(audit__case__review=review)
    blockers = case_review_blockers(d, Stage.READY)
    return {
        "in_scope": bool(d.case_review_in_scope),
        "sharing_recorded_at": review.sharing_recorded_at if review else None,
        "sample_size": review.sample_size if review else 0,
        "seed": review.seed if review else "",
        "cases": review.cases.count() if review else 0,
        "audits_finished": review.cases.filter(audit__status=AuditStatus.DONE).count()
        if review
        else 0,
        "concerns_open": concerns.filter(acknowledged_at__isnull=True).count() if review else 0,
        "concerns_not_escalated": concerns.filter(escalated_at__isnull=True).count()
        if review
        else 0,
        "report_approved_at": review.report_approved_at if review else None,
        "report_issued_at": review.report_issued_at if review else None,
        "content_destroyed_at": review.content_destroyed_at if review else None,
        "blockers": [{"code": b.code, "message": b.message} for b in blockers],
        "warnings": case_review_warnings(d),
    }
