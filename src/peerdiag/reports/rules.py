"""Who may do what with the written feedback and the feedback exports.

The PCM drafts and quality-checks the written feedback (decision 11); the lead peer may edit it
too. The host council reads it only once it reaches the factual-accuracy check, and may comment
only while it is there. Pages that must refuse an LGA admin (a superuser passes every
`user.has_perm`) ask `rules.has_perm(name, user, diagnostic)` instead.
"""

from __future__ import annotations

from typing import Any

import rules

from peerdiag.diagnostics.rules import (
    is_host_council_user,
    is_lga_admin,
    is_manager,
    is_on_team,
)
from peerdiag.findings.rules import is_lead_peer

from .enums import WrittenState


@rules.predicate
def is_at_council_check(user: Any, diagnostic: Any) -> bool:
    from .models import WrittenFeedback

    return WrittenFeedback.objects.filter(
        diagnostic=diagnostic, state=WrittenState.COUNCIL_CHECK
    ).exists()


rules.add_perm("reports.view_written", is_lga_admin | is_on_team | is_host_council_user)
rules.add_perm("reports.edit_written", is_lga_admin | is_manager | is_lead_peer)
rules.add_perm("reports.check_written", is_manager)
rules.add_perm("reports.comment", is_host_council_user & is_at_council_check)
# The council says its check is finished; the PCM may record it for them (a reply by e-mail).
rules.add_perm("reports.council_done", is_host_council_user | is_manager)
rules.add_perm("reports.issue", is_manager | is_lga_admin)
rules.add_perm("reports.export", is_lga_admin | is_on_team)
