"""Entries for the scope (issue 17): the sponsor's confirmation page, the scoping meeting's link
and its invitations.

The scope page is read by everyone who sees the diagnostic; only the sponsor may answer on it
(a POST by anyone else, the organiser included, is refused with 403: the matrix cannot tell the
sponsor from the organiser, so tests/diagnostics/test_scope_confirmation.py shows it).
"""

from __future__ import annotations

from . import CHANGE, CHANGE_POST, VIEW, Case, R

ENTRIES: dict[str, Case] = {
    "web:scope": Case(VIEW, kwargs=R),
    "web:scoping_meeting": Case(CHANGE, kwargs=R),
    "web:scoping_invitations": Case(CHANGE_POST, method="POST", kwargs=R),
}
