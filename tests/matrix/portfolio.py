"""Entries for the LGA's portfolio: every diagnostic, its CSV, the learning library and the
charts. For LGA staff (here the PCMs) and administrators; nobody else, whatever their diagnostic.
"""

from __future__ import annotations

from . import Case, rel

PORTFOLIO = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=403)

ENTRIES: dict[str, Case] = {
    "web:portfolio": Case(PORTFOLIO),
    "web:portfolio_export": Case(PORTFOLIO),
    "web:learning_library": Case(PORTFOLIO),
    "web:portfolio_charts": Case(PORTFOLIO),
}
