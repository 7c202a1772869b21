"""Who the case page offers what (casereview/rules.py): the audit form, the contact log and a
second reading, for the case's auditor and for someone else who can see the case."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
import rules

from peerdiag.casereview import rules as cr
from peerdiag.casereview.enums import AuditStatus

AUDITOR = SimpleNamespace(person=SimpleNamespace(pk=1))
OTHER = SimpleNamespace(person=SimpleNamespace(pk=2))  # the PCM or the lead peer


def _case(*, released: bool, audit: str | None) -> SimpleNamespace:
    case = SimpleNamespace(
        auditor=SimpleNamespace(person_id=1), released_at=datetime(2027, 3, 1) if released else None
    )
    if audit is not None:
        case.audit = SimpleNamespace(status=audit)
    return case


@pytest.mark.parametrize(
    ("user", "released", "audit", "edit", "contact", "moderate"),
    [
        (AUDITOR, False, None, False, False, False),  # not released yet: nothing to do
        (AUDITOR, True, None, True, False, False),  # released: the form, no audit to log on
        (AUDITOR, True, AuditStatus.DRAFT, True, True, False),
        (AUDITOR, True, AuditStatus.DONE, False, True, False),  # finished: read-only
        (OTHER, True, None, False, False, False),
        (OTHER, True, AuditStatus.DRAFT, False, False, False),  # nothing to read again yet
        (OTHER, True, AuditStatus.DONE, False, False, True),
    ],
)
def test_what_the_case_page_offers(  # type: ignore[no-untyped-def]
    user, released, audit, edit, contact, moderate
) -> None:
    case = _case(released=released, audit=audit)
    assert rules.has_perm("casereview.edit_audit", user, case) is edit
    assert rules.has_perm("casereview.log_contact", user, case) is contact
    assert rules.has_perm("casereview.moderate_audit", user, case) is moderate
    # What the page's forms post to checks the same rules, less the audit's state (a form
    # sent after the audit changed gets an explanation, not a refusal).
    assert bool(cr.may_save_audit(user, case)) is (user is AUDITOR and released)
    assert bool(cr.may_read_again(user, case)) is (user is OTHER and audit is not None)
