"""Who sees the LGA's portfolio: every diagnostic, the learning library and the charts."""

from __future__ import annotations

import rules

from peerdiag.diagnostics.rules import is_lga_admin, is_lga_staff

VIEW = "portfolio.view"
# The name it had while the portfolio lived in the evaluation app; kept so that callers that
# still check it (templates, API modules, other tools) get the same answer.
OLD_VIEW = "evaluation.view_portfolio"

# LGA staff and administrators.
can_view_portfolio = is_lga_admin | is_lga_staff

rules.add_perm(VIEW, can_view_portfolio)
rules.add_perm(OLD_VIEW, can_view_portfolio)
