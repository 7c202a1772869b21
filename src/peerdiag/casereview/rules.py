"""Who may do what in a case record review. Reading case content also needs the
`diagnostics.view_child_data` permission and a two-factor session (web/views/sensitive.py)."""

from __future__ import annotations

from typing import Any

import rules

from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.rules import (
    has_data_access_clearance,
    is_lga_admin,
    is_manager,
    is_on_team,
    is_organiser,
    is_sponsor_or_organiser,
    relation,
)

from .enums import AuditStatus


@rules.predicate
def is_lead_peer(user: Any, diagnostic: Any) -> bool:
    return TeamRole.LEAD_PEER in relation(user, diagnostic).team_roles


@rules.predicate
def is_case_auditor(user: Any, diagnostic: Any) -> bool:
    return TeamRole.CASE_AUDITOR in relation(user, diagnostic).team_roles


# R25 and decision 1: the PCM or the lead peer chooses the cases, from the agreed lists only.
rules.add_perm("casereview.select_cases", (is_manager | is_lead_peer) & has_data_access_clearance)
rules.add_perm("casereview.approve_report", is_manager)
rules.add_perm("casereview.write_report", (is_manager | is_lead_peer | is_case_auditor))


_INTERNAL = is_lga_admin | is_on_team
# Decision 19: the organiser proposes how cases are shared, the PCM answers; the page (no case
# content on it) is open to the team and to the sponsor and organiser.
rules.add_perm("casereview.view_sharing", _INTERNAL | is_sponsor_or_organiser)
rules.add_perm("casereview.propose_sharing", is_organiser)
rules.add_perm("casereview.decide_sharing", is_manager)
# The issued report: the team always; the sponsor and organiser once it is issued (the view
# checks the issue, which is a state, not a relation).
rules.add_perm("casereview.view_report", _INTERNAL | is_sponsor_or_organiser)


# One sampled case (the object is a SampledCase): what its page offers to whom. The case
# content itself is behind `diagnostics.view_child_data` and a two-factor session as above.
def _audit(case: Any) -> Any:
    return getattr(case, "audit", None) if hasattr(case, "audit") else None


@rules.predicate
def audits_the_case(user: Any, case: Any) -> bool:
    """The case auditor the case is shared out to (no one else may write its audit)."""
    person = getattr(user, "person", None)
    return person is not None and case.auditor is not None and case.auditor.person_id == person.pk


@rules.predicate
def case_released(user: Any, case: Any) -> bool:
    return case.released_at is not None


@rules.predicate
def has_audit(user: Any, case: Any) -> bool:
    return _audit(case) is not None


@rules.predicate
def audit_is_draft(user: Any, case: Any) -> bool:
    audit = _audit(case)
    return audit is None or audit.status == AuditStatus.DRAFT


@rules.predicate
def audit_is_done(user: Any, case: Any) -> bool:
    audit = _audit(case)
    return audit is not None and audit.status == AuditStatus.DONE


# Its auditor saves the audit once the case is released; the form is open while it is a draft.
may_save_audit = audits_the_case & case_released
rules.add_perm("casereview.edit_audit", may_save_audit & audit_is_draft)
# Its auditor logs talks with the case's practitioner or manager, once the audit is begun.
may_log_contact = audits_the_case & has_audit
rules.add_perm("casereview.log_contact", may_log_contact)
# A second reading is by someone who sees the case but did not audit it (the PCM, the lead
# peer), of a finished audit.
may_read_again = ~audits_the_case & has_audit
rules.add_perm("casereview.moderate_audit", may_read_again & audit_is_done)
