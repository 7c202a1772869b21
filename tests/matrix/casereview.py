"""Entries for the case record review. Pages with case content sit behind
`sensitive("child_data")`, which no matrix user passes (nobody here is briefed or signed in
with a second factor): the cleared path is tried in tests/diagnostics/test_sensitive_urls.py
and tests/casereview/test_views.py."""

from __future__ import annotations

from typing import Any

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.concerns import raise_concern
from peerdiag.casereview.enums import AuditDomain
from tests.casereview.helpers import make_review, released_case

from . import A_INTERNAL, CHANGE_POST, RC, Case, R, rel

SENSITIVE = rel(anon=302, admin=403, pcm=403, team=403, council=403, none=404)
# The council's named contact (or organiser) and the PCM see a concern; nobody else.
CONCERN = rel(anon=302, admin=403, pcm=200, team=403, council=200, none=404)
# The team downloads the report; the council once it is issued.
REPORT = rel(anon=302, admin=200, pcm=200, team=200, council=403, none=404)


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
    "web:casereview_sharing": Case(SENSITIVE, method="POST", kwargs=R, make=_review),
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
    "web:casereview_report": Case(REPORT, kwargs=R, make=_review),
    "web:casereview_report_approve": Case(CHANGE_POST, method="POST", kwargs=R, make=_review),
    "api:casereview_status": Case(A_INTERNAL, kwargs=R, api=True),
}
