"""Entries for the case record review. Pages with case content sit behind
`sensitive("child_data")`, which no matrix user passes (nobody here is briefed or signed in
with a second factor): the cleared path is tried in tests/diagnostics/test_sensitive_urls.py
and tests/casereview/test_views.py."""

from __future__ import annotations

from typing import Any

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.concerns import raise_concern
from peerdiag.casereview.domain.report import approve_report, issue_report
from peerdiag.casereview.domain.reviews import record_sharing_mechanism
from peerdiag.casereview.domain.sampling import share_out
from peerdiag.casereview.domain.sharing import propose, sharing_for
from peerdiag.casereview.enums import (
    AuditDomain,
    AuditStatus,
    SharingMethod,
    SharingState,
    audit_domains,
)
from peerdiag.common.versioning import UNCHECKED
from tests.casereview.helpers import make_review, released_case

from . import A_INTERNAL, CHANGE_POST, RC, Case, R, rel

SENSITIVE = rel(anon=302, admin=403, pcm=403, team=403, council=403, none=404)
# The council's named contact (or organiser) and the PCM see a concern; nobody else.
CONCERN = rel(anon=302, admin=403, pcm=200, team=403, council=200, none=404)
# The team reads and downloads the report; the sponsor and organiser once it is issued (the
# entries issue it; tests/casereview/test_report_reaches_council.py shows the 404 before).
REPORT = rel(anon=302, admin=200, pcm=200, team=200, council=200, none=404)
# How the cases are shared: no case content, so the sponsor and organiser open it too.
SHARING = rel(anon=302, admin=200, pcm=200, team=200, council=200, none=404)
# The organiser proposes (an empty form comes back with its errors); the sponsor does not.
PROPOSE = rel(anon=302, admin=200, pcm=403, team=403, council=200, sponsor=403, none=404)
# The PCM answers (an empty form comes back with its errors).
DECIDE = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=404)


def _proposed(d: Any) -> dict[str, str]:
    """A review whose council has proposed how the cases are shared, waiting for the PCM (left
    as it is once cases are released: the way of sharing is fixed then)."""
    review = make_review(d)
    record = sharing_for(review)
    released = review.cases.filter(released_at__isnull=False).exists()
    if record.state != SharingState.PROPOSED and not released:
        propose(
            record,
            by=None,
            method=SharingMethod.ACCOUNTS,
            details="Mosaic accounts for two weeks",
            contact_name="Olive Organiser",
            contact_email="olive@example.org",
            version=UNCHECKED,
        )
    return {}


def _issued(d: Any) -> dict[str, str]:
    """A review whose every case is audited and finished, its report approved and issued
    (other entries may have left cases on the review before: they are finished too)."""
    review = make_review(d)
    if review.report_issued_at is not None:
        return {}
    if not review.cases.exists():
        released_case(d)
    if not review.sharing_recorded_at:
        record_sharing_mechanism(review, by=None, text="Mosaic accounts", version=UNCHECKED)
    share_out(review, by=None, version=UNCHECKED)
    for case in review.cases.select_related("auditor__person__user", "audit"):
        audit = getattr(case, "audit", None) if hasattr(case, "audit") else None
        if audit is not None and audit.status == AuditStatus.DONE:
            continue
        assert case.auditor is not None
        save_audit(
            case,
            by=case.auditor.person.user,
            header={},
            grades={k: GradeIn("good") for k, _ in audit_domains(d.type)},
            overall_grade="good",
            difference="",
            finish=True,
            version=UNCHECKED,
        )
    review.refresh_from_db()
    approve_report(review, by=None, version=UNCHECKED)
    issue_report(review, by=None, version=UNCHECKED)
    return {}


def _review(d: Any) -> dict[str, str]:
    make_review(d)
    return {}


def _list(d: Any) -> dict[str, str]:
    return {"code": make_review(d).diagnostic.agreed_case_lists.first().code}


def _case(d: Any) -> dict[str, str]:
    return {"code": released_case(d).code}


def _concern(d: Any) -> dict[str, str]:
    case = released_case(d)
    assert case.auditor is not None
    user = case.auditor.person.user
    grades = {k: GradeIn("good") for k in AuditDomain.values}
    audit = save_audit(
        case,
        by=user,
        header={},
        grades=grades,
        overall_grade="good",
        difference="",
        finish=False,
        version=0,
    )
    return {"code": raise_concern(audit, by=user, summary="At risk").code}


ENTRIES: dict[str, Case] = {
    "web:casereview": Case(SENSITIVE, kwargs=R, make=_review),
    "web:casereview_sharing": Case(SHARING, kwargs=R, make=_proposed),
    "web:casereview_sharing_propose": Case(PROPOSE, method="POST", kwargs=R, make=_review),
    "web:casereview_sharing_decide": Case(DECIDE, method="POST", kwargs=R, make=_proposed),
    "web:casereview_upload": Case(SENSITIVE, kwargs=RC, make=_list),
    "web:casereview_reference_format": Case(SENSITIVE, kwargs=R, make=_review),
    "web:casereview_draw": Case(SENSITIVE, method="POST", kwargs=R, make=_review),
    "web:casereview_by_hand": Case(SENSITIVE, method="POST", kwargs=R, make=_review),
    "web:casereview_share_out": Case(SENSITIVE, method="POST", kwargs=R, make=_review),
    "web:casereview_case": Case(SENSITIVE, kwargs=RC, make=_case),
    "web:casereview_raise_concern": Case(SENSITIVE, kwargs=RC, make=_case),
    "web:casereview_contact": Case(SENSITIVE, method="POST", kwargs=RC, make=_case),
    "web:casereview_moderate": Case(SENSITIVE, method="POST", kwargs=RC, make=_case),
    "web:casereview_named_contact": Case(SENSITIVE, method="POST", kwargs=R, make=_review),
    "web:casereview_report_text": Case(SENSITIVE, method="POST", kwargs=R, make=_review),
    "web:casereview_concern": Case(CONCERN, kwargs=RC, make=_concern),
    "web:casereview_report": Case(REPORT, kwargs=R, make=_issued),
    "web:casereview_issued_report": Case(REPORT, kwargs=R, make=_issued),
    "web:casereview_report_approve": Case(CHANGE_POST, method="POST", kwargs=R, make=_review),
    "api:casereview_status": Case(A_INTERNAL, kwargs=R, api=True),
}
