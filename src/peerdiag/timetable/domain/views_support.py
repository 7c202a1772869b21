"""What the schedule pages need beyond the core: recording meetings as held, and read helpers
that lay the draft out as a day grid, a person's itinerary and a publish preview.

The read helpers work on lists already loaded (planned_sessions, delivery_members), so a page
makes the same few queries whatever the number of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, TeamMember

from ..enums import SessionStatus, SessionType
from ..models import Attendee, Session, Timetable
from .problem import hhmm, latest_version, minutes_of
from .versions import Change
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


def visible_sessions(sessions: list[Session], *, internal: bool) -> list[Session]:
    """The sessions a reader may see: without internal ones unless they may see those."""
    return sessions if internal else [s for s in sessions if not s.internal_only]


# The day grid ---------------------------------------------------------------------------------


def grid_sessions(diagnostic: Diagnostic, *, day: int, internal: bool) -> list[Session]:
    """The sessions the day grid shows: every session that is not cancelled (the grid lists
    the unplaced ones), in planned_sessions' order, visible to the reader.

    Only the sessions placed on `day` come with their attendees and peers, which are all the
    grid reads of them: prefetching five relations for the whole week cost more than the rest
    of the page put together. At most three queries, whatever the size of the week.
    """
    sessions = visible_sessions(
        list(
            Session.objects.filter(diagnostic=diagnostic)
            .exclude(status=SessionStatus.CANCELLED)
            .order_by("fixed_day", "fixed_start", "title", "pk")
        ),
        internal=internal,
    )
    prefetch_related_objects(
        [s for s in sessions if s.placed and s.day == day], "attendees", "peers"
    )
    return sessions


@dataclass
class GridBlock:
    """One or more sessions of one peer that share rows (more than one only if they clash)."""

    sessions: list[Session]
    first_row: int
    rows: int


@dataclass
class GridCell:
    block: GridBlock | None = None
    covered: bool = False  # a block in a row above spans this cell


@dataclass
class GridRow:
    label: str
    cells: list[GridCell]


@dataclass
class DayGrid:
    day: int
    date: date | None
    row_minutes: int
    columns: list[TeamMember]
    rows: list[GridRow]
    sessions: list[Session]
    without_peers: list[Session] = field(default_factory=list)


def _row_minutes(t: Timetable) -> int:
    slot = t.slot_minutes or 30
    return slot if 10 <= slot <= 60 else 30


def day_grid(
    t: Timetable,
    *,
    day: int,
    day_date: date | None,
    sessions: list[Session],
    members: list[TeamMember],
) -> DayGrid:
    """Lay out the placed sessions of `day` in rows of time and one column per peer.

    Sessions that clash for a peer share one cell, so the table stays rectangular.
    """
    step = _row_minutes(t)
    todays = [s for s in sessions if s.placed and s.day == day]
    todays.sort(key=lambda s: (s.start, s.title))
    first = minutes_of(t.day_start)
    last = minutes_of(t.day_end)
    for s in todays:
        assert s.start is not None
        first = min(first, minutes_of(s.start))
        last = max(last, minutes_of(s.start) + s.minutes)
    first -= first % step
    count = max(1, -(-(last - first) // step))
    by_member: dict[int, list[Session]] = {m.pk: [] for m in members}
    without = []
    for s in todays:
        peers = [m.pk for m in s.peers.all() if m.pk in by_member]
        if not peers:
            without.append(s)
        for pk in peers:
            by_member[pk].append(s)
    columns: list[list[GridCell]] = []
    for m in members:
        cells = [GridCell() for _ in range(count)]
        blocks: list[GridBlock] = []
        for s in by_member[m.pk]:
            assert s.start is not None
            top = (minutes_of(s.start) - first) // step
            bottom = max(top + 1, -(-(minutes_of(s.start) + s.minutes - first) // step))
            if blocks and top < blocks[-1].first_row + blocks[-1].rows:
                b = blocks[-1]
                b.sessions.append(s)
                b.rows = max(b.rows, bottom - b.first_row)
            else:
                blocks.append(GridBlock([s], top, bottom - top))
        for b in blocks:
            cells[b.first_row].block = b
            for i in range(b.first_row + 1, b.first_row + b.rows):
                cells[i].covered = True
        columns.append(cells)
    rows = []
    for i in range(count):
        at = first + i * step
        rows.append(GridRow(f"{at // 60:02d}:{at % 60:02d}", [col[i] for col in columns]))
    return DayGrid(day, day_date, step, members, rows, todays, without)


# Itineraries ----------------------------------------------------------------------------------


@dataclass
class Appointment:
    session: Session
    others: list[str]


@dataclass
class ItineraryDay:
    day: int
    date: date | None
    appointments: list[Appointment]


@dataclass
class Itinerary:
    name: str
    role: str
    days: list[ItineraryDay]
    not_placed: list[Session]


def person_itinerary(
    person: TeamMember | Attendee,
    *,
    sessions: list[Session],
    names: dict[int, str],
    dates: dict[int, date],
) -> Itinerary:
    """`person`'s sessions day by day, each with the other people in it.

    `names` maps TeamMember pk to the name to show; `sessions` are already filtered to what
    the reader may see.
    """
    if isinstance(person, TeamMember):
        name, role = person.person.full_name, person.get_role_display()

        def takes_part(s: Session) -> bool:
            # Until the scheduler gives an unplaced session its peers, only the required
            # peers are known to be in it.
            chosen = s.peers.all() if s.placed else s.required_peers.all()
            return any(m.pk == person.pk for m in chosen)
    else:
        name, role = person.name, ", ".join(x for x in (person.job_title, person.group) if x)

        def takes_part(s: Session) -> bool:
            return any(a.pk == person.pk for a in s.attendees.all())

    days: dict[int, list[Appointment]] = {}
    not_placed = []
    for s in sessions:
        if not takes_part(s):
            continue
        if not s.placed:
            not_placed.append(s)
            continue
        assert s.day is not None
        others = [names.get(m.pk, "A peer") for m in s.peers.all() if m.pk != person.pk]
        others += [a.name for a in s.attendees.all() if a.pk != person.pk]
        days.setdefault(s.day, []).append(Appointment(s, sorted(others)))
    out = [
        ItineraryDay(n, dates.get(n), sorted(days[n], key=lambda a: a.session.start or time()))
        for n in sorted(days)
    ]
    return Itinerary(name, role, out, not_placed)


# Publishing -----------------------------------------------------------------------------------


def internal_codes(*snapshots: dict[str, Any] | None) -> set[str]:
    """Codes of the internal sessions in any of the snapshots."""
    out = set()
    for snap in snapshots:
        for s in (snap or {}).get("sessions", []):
            if s.get("internal"):
                out.add(s["code"])
    return out


def visible_changes(
    changes: list[Change],
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    internal: bool,
) -> list[Change]:
    """The changes a reader may see: none about internal sessions unless they may see those."""
    if internal:
        return changes
    hidden = internal_codes(old, new)
    return [c for c in changes if c.code not in hidden]


def snapshot_days(
    snap: dict[str, Any], *, internal: bool
) -> list[tuple[int, date, list[dict[str, Any]]]]:
    """A snapshot's sessions grouped by day: (day, date, sessions), internal ones hidden
    unless the reader may see them."""
    by_day: dict[int, list[dict[str, Any]]] = {}
    for s in snap.get("sessions", []):
        if s.get("internal") and not internal:
            continue
        by_day.setdefault(int(s["day"]), []).append(s)
    return [(n, date.fromisoformat(by_day[n][0]["date"]), by_day[n]) for n in sorted(by_day)]


__all__ = [
    "DayGrid",
    "Itinerary",
    "day_grid",
    "hhmm",
    "internal_codes",
    "person_itinerary",
    "record_session_held",
    "snapshot_days",
    "visible_changes",
    "visible_sessions",
]
