"""Who may read and act on the evaluation.

The survey itself needs no permission: its link carries a secret token (see web:survey). Who
sees the LGA's portfolio is the portfolio app's rule (peerdiag/portfolio/rules.py).
"""

from __future__ import annotations

import rules

from peerdiag.diagnostics.rules import is_lga_admin, is_manager, is_on_team

# The results (ratings, comments, further support asked for): the LGA and the team, never the
# council, whose own people wrote them.
rules.add_perm("evaluation.view_results", is_lga_admin | is_on_team)
# Sending early, recording the outcome and the check-ins: the LGA admin or the PCM.
rules.add_perm("evaluation.manage", is_lga_admin | is_manager)
