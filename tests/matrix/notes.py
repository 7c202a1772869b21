"""Entries for the evidence notes pages. Notes are the peer team's: the council gets 403 on every
one of them. LGA admins read the team's notes but hold no place on the team, so every page that
writes (or, like a session's note, makes a note on opening) refuses them with 403. A note is
changed only by its author: the matrix's notes are the lead peer's, so the PCM's save is 403."""

from __future__ import annotations

from typing import Any

from peerdiag.common.models import new_code
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.findings.enums import SourceType
from peerdiag.findings.models import EvidenceNote, Quote
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Session

from . import INTERNAL, RC, Case, R, rel

# Pages that write: the team (lead peer and PCM), never an LGA admin without a team place.
WRITE = rel(anon=302, admin=403, pcm=200, team=200, council=403, none=404)
WRITE_POST = rel(anon=302, admin=403, pcm=302, team=302, council=403, none=404)
# Only the note's author (here the lead peer) saves it.
AUTHOR_POST = rel(anon=302, admin=403, pcm=403, team=302, council=403, none=404)
# Letting a small group's quote into the outputs: the PCM alone.
PCM_ONLY = rel(anon=302, admin=403, pcm=200, team=403, council=403, none=404)


def _session(d: Any) -> dict[str, str]:
    s = Session.objects.create(diagnostic=d, type=SessionType.INTERVIEW, title=f"Talk {new_code()}")
    return {"code": s.code}


def _lead_note(d: Any) -> EvidenceNote:
    lead = d.team.filter(role=TeamRole.LEAD_PEER).order_by("pk").first()
    return EvidenceNote.objects.create(
        diagnostic=d, author=lead, source_type=SourceType.DOCUMENT, title=f"Note {new_code()}"
    )


def _note(d: Any) -> dict[str, str]:
    return {"code": _lead_note(d).code}


def _small_quote(d: Any) -> dict[str, str]:
    note = _lead_note(d)
    q = Quote.objects.create(note=note, text="Only me here", group="IRO", group_size=1)
    return {"code": note.code, "pk": str(q.pk)}


ENTRIES: dict[str, Case] = {
    "web:notes": Case(INTERNAL, kwargs=R),
    "web:note_add": Case(WRITE, kwargs=R),
    # No case review in the matrix world: refused with a message and back to the notes.
    "web:notes_pull_case_review": Case(WRITE_POST, method="POST", kwargs=R),
    "web:session_note": Case(WRITE, kwargs=RC, make=_session),
    # Read-only for everyone on the team but the author; LGA admins read it too.
    "web:note_edit": Case(INTERNAL, kwargs=RC, make=_note),
    "web:note_save": Case(
        AUTHOR_POST,
        method="POST",
        kwargs=RC,
        make=_note,
        data={"revision": "0", "body": "Heard today", "polarity": "neutral"},
    ),
    "web:quote_add": Case(
        WRITE_POST,
        method="POST",
        kwargs=RC,
        make=_note,
        data={"text": "We are heard", "group_other": "Social workers", "group_size": "5"},
    ),
    "web:quote_override": Case(PCM_ONLY, kwargs=("ref", "code", "pk"), make=_small_quote),
}
