"""Entries for closing a diagnostic: destroying its working data early (issue 18).

Only the PCM or an LGA administrator opens the page; a peer or the council may see the
diagnostic but not this (403); anyone else learns nothing (404).
"""

from __future__ import annotations

from . import CHANGE, Case, R

ENTRIES = {
    "web:closing_destroy": Case(CHANGE, kwargs=R),
}
