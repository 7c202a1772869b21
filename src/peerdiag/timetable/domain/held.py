"""KIT and peer team meetings recorded as held (or not) during delivery: the gate to drafting
asks for them."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED

from ..enums import SessionStatus, SessionType
from ..models import Session
from .problem import latest_version
from .week import day_dates

# Meetings whose holding is recorded during delivery (the gate to drafting asks for them).
HELD_TYPES = frozenset({SessionType.KIT, SessionType.PEER_TEAM})


def record_session_held(
    session: Session,
    *,
    by: User | None,
    held: bool,
    version: int | None,
    today: date | None = None,
) -> None:
    """Record that a KIT or peer team meeting took place (or, with held=False, that it did not).

    Refused for other kinds of session, for a session not placed in the week, before the day
    the meeting is on, and once the diagnostic has ended; refused with StaleEdit when someone
    changed the session after `version`. Side effects: the session's `held` and status; audit
    entry.
    """
    diagnostic = session.diagnostic
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    if session.type not in HELD_TYPES:
        raise DomainError("Only keeping-in-touch and peer team meetings are recorded as held")
    dates = day_dates(diagnostic)
    if session.day is None or session.day not in dates:
        raise DomainError(f"‘{session.title}’ is not in the week, so it cannot have been held")
    on = dates[session.day]
    today = today or timezone.localdate()
    if held and on > today:
        raise DomainError(
            f"‘{session.title}’ is on {on.day} {on:%B %Y}: record it as held on or after that day"
        )
    with transaction.atomic():
        claim(session, version=version, by=by, noun="this meeting")
        if held:
            session.status = SessionStatus.HELD
        else:
            latest = latest_version(diagnostic)
            published = latest is not None and any(
                s["code"] == session.code for s in latest.snapshot.get("sessions", [])
            )
            session.status = SessionStatus.INVITED if published else SessionStatus.PROPOSED
        session.save(update_fields=with_version_fields(["status", "updated_at"]))
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Recorded ‘{session.title}’ as {'held' if held else 'not held'}",
        )


__all__ = ["HELD_TYPES", "record_session_held"]
