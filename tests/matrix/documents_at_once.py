"""Entries for several key documents at once (issue 18): the PCM requests the standard list in
one step; the council (and the PCM on its behalf) uploads several files in one form."""

from __future__ import annotations

from . import CHANGE, Case, R, rel

# Who may supply documents: the council and the LGA side that manages the diagnostic.
SUPPLY = rel(anon=302, admin=200, pcm=200, team=403, council=200, none=404)

ENTRIES: dict[str, Case] = {
    "web:document_standard_create": Case(CHANGE, kwargs=R),
    "web:document_multi_upload": Case(SUPPLY, kwargs=R),
}
