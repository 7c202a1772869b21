"""Entries for the LGA's portfolio in the API: LGA staff (here the PCMs) and administrators;
everyone else 403, whatever their diagnostic, as on the pages (tests/matrix/portfolio.py)."""

from __future__ import annotations

from . import Case, rel

A_PORTFOLIO = rel(anon=401, admin=200, pcm=200, team=403, council=403, none=403)

ENTRIES: dict[str, Case] = {
    "api:portfolio_list": Case(A_PORTFOLIO, api=True),
    "api:portfolio_charts_data": Case(A_PORTFOLIO, api=True),
}
