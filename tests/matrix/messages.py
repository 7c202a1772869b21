"""Entries for the messages thread (issue 17).

The sponsor and organiser (council) and the LGA team (admins, the PCM, peers on the team) read
and write; another council or another team's peer learns nothing (404). A message is changed
only by its author (here, the PCM wrote it); only the PCM or an LGA admin hides one.
"""

from __future__ import annotations

from typing import Any

from peerdiag.diagnostics.enums import TeamRole
from peerdiag.messaging.domain.threads import post_message

from . import RC, Case, R, rel

THREAD = rel(anon=302, admin=200, pcm=200, team=200, council=200, none=404)
AUTHOR_ONLY = rel(anon=302, admin=403, pcm=200, team=403, council=403, none=404)
HIDER = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=404)


def _by_pcm(d: Any) -> dict[str, str]:
    """A fresh message from the diagnostic's PCM."""
    pcm = d.team.get(role=TeamRole.PEER_CHALLENGE_MANAGER).person.user
    return {"code": post_message(d, by=pcm, text="Please send the staffing figures.").code}


ENTRIES = {
    "web:messages": Case(THREAD, kwargs=R),
    "web:message_edit": Case(AUTHOR_ONLY, kwargs=RC, make=_by_pcm),
    "web:message_hide": Case(HIDER, kwargs=RC, make=_by_pcm),
}
