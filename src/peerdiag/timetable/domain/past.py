"""Sessions that a publish would put on record after they have taken place (issue 18).

Publishing a session dated before today sends nobody anything about it (invitations.py skips
it), but a PCM publishing a week that is already under way, or recording one after the event,
is asked first: the publish page lists the new or changed sessions that are in the past and
waits for a tick. Unchanged sessions are not listed again on every later publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from peerdiag.diagnostics.models import Diagnostic

from ..models import Session
from .problem import latest_version
from .versions import changed_codes, snapshot


@dataclass(frozen=True)
class PastSession:
    code: str
    title: str
    when: str  # for example "Tuesday 1 December 2026, 09:30 to 10:30"


def past_changed_sessions(
    diagnostic: Diagnostic,
    sessions: list[Session],
    *,
    today: date,
    show_internal: bool = True,
) -> list[PastSession]:
    """The draft's sessions, new or changed since the last version, dated before `today`, in
    date order. Private peer sessions are left out unless `show_internal`."""
    previous = latest_version(diagnostic)
    draft = snapshot(diagnostic, sessions)
    changed = changed_codes(previous.snapshot if previous else None, draft)
    past: list[dict[str, Any]] = sorted(
        (
            s
            for s in draft.get("sessions", [])
            if s["code"] in changed
            and str(s.get("date") or "") < today.isoformat()
            and (show_internal or not s.get("internal"))
        ),
        key=lambda s: (s.get("date", ""), s.get("start", "")),
    )
    return [PastSession(s["code"], s["title"], _when(s)) for s in past]


def _when(s: dict[str, Any]) -> str:
    day = date.fromisoformat(s["date"])
    return f"{day:%A} {day.day} {day:%B %Y}, {s.get('start', '')} to {s.get('end', '')}"
