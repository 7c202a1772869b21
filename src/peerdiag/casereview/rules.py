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
