"""Text the retention run destroys is never copied into the audit trail, which cannot change."""

from __future__ import annotations

import pytest

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import diagnostics as dd

pytestmark = pytest.mark.django_db


def test_internal_notes_are_recorded_as_changed_without_their_text(world):  # type: ignore[no-untyped-def]
    d = world.own
    dd.update_details(d, by=world.pcm, internal_notes="Jo Bloggs is off sick", version=UNCHECKED)
    changed = dd.update_details(
        d,
        by=world.pcm,
        internal_notes="Ann Smith covers",
        focus_statement="The front door",
        version=UNCHECKED,
    )
    assert {c["field"] for c in changed} == {"internal_notes", "focus_statement"}
    d.refresh_from_db()
    assert d.internal_notes == "Ann Smith covers"  # the field itself keeps the text
    entries = list(d.audit.filter(action="details"))
    assert len(entries) == 2
    trail = repr([(e.summary, e.changes) for e in entries])
    assert "Jo Bloggs" not in trail and "Ann Smith" not in trail
    assert "(not recorded)" in trail and "The front door" in trail  # other fields keep values
