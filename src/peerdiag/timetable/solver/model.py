"""Immutable value types for timetable problems and solutions.

Times of day are held as whole minutes after midnight (``570`` is 09:30) and days as ISO
date strings, exactly as they appear in the JSON documents, so a problem read from a file
and written back out is unchanged. Parsing and validation live in :mod:`.io`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PROBLEM_FORMAT = "peer-diagnostic-timetable/1"
SOLUTION_FORMAT = "peer-diagnostic-timetable-solution/1"

PRIORITY_WEIGHTS: dict[str, int] = {"must": 100, "should": 10, "could": 1}
PEER_ROLES: tuple[str, ...] = (
    "lead_peer",
    "operational_manager",
    "peer_challenge_manager",
    "case_auditor",
)
SIDES: tuple[str, ...] = ("peer", "council")
SESSION_KINDS: tuple[str, ...] = ("interview", "focus_group", "meeting")

MINUTES_PER_DAY = 24 * 60
DASH = "\u2013"  # en dash, for time ranges such as 13:00-14:00 in messages


def format_time(minutes: int) -> str:
    """``570`` -> ``"09:30"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_label(day: str) -> str:
    """``"2027-03-05"`` -> ``"Friday 5 March"``: how people name a day of the week."""
    date = dt.date.fromisoformat(day)
    return f"{date:%A} {date.day} {date:%B}"


def span_label(day: str, start: int, end: int) -> str:
    """``"Friday 5 March 13:00-14:00"`` (with an en dash)."""
    return f"{day_label(day)} {time_range(start, end)}"


def time_range(start: int, end: int) -> str:
    return f"{format_time(start)}{DASH}{format_time(end)}"


@dataclass(frozen=True)
class Window:
    """A stretch of one day, ``start`` inclusive to ``end`` exclusive."""

    day: str
    start: int
    end: int


@dataclass(frozen=True)
class Lunch:
    """Each peer needs ``minutes`` free in one piece between ``earliest`` and ``latest``."""

    earliest: int
    latest: int
    minutes: int


@dataclass(frozen=True)
class Week:
    days: tuple[str, ...]
    day_start: int
    day_end: int
    slot_minutes: int
    lunch: Lunch

    def starts(self, minutes: int) -> range:
        """Every grid start at which a session of ``minutes`` ends by the end of the day."""
        return range(self.day_start, self.day_end - minutes + 1, self.slot_minutes)

    def on_grid(self, start: int) -> bool:
        return start >= self.day_start and (start - self.day_start) % self.slot_minutes == 0


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    side: str
    role: str | None = None
    group: str | None = None
    max_sessions_per_day: int | None = None
    # ``None`` means "available all week" (less ``unavailable``); a tuple, even an empty one,
    # means "only inside these windows".
    available: tuple[Window, ...] | None = None
    unavailable: tuple[Window, ...] = ()

    @property
    def is_peer(self) -> bool:
        return self.side == "peer"


@dataclass(frozen=True)
class Placement:
    day: str
    start: int


@dataclass(frozen=True)
class Session:
    id: str
    title: str
    kind: str
    minutes: int
    attendees: tuple[str, ...]
    peers_needed: int
    priority: str
    required_peers: tuple[str, ...] = ()
    eligible_peers: tuple[str, ...] | None = None
    days: tuple[str, ...] | None = None
    fixed: Placement | None = None

    @property
    def weight(self) -> int:
        return PRIORITY_WEIGHTS[self.priority]


@dataclass(frozen=True)
class PreviousAssignment:
    session: str
    day: str
    start: int
    peers: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    week: Week
    peer_buffer_minutes: int
    people: tuple[Person, ...]
    sessions: tuple[Session, ...]
    previous: tuple[PreviousAssignment, ...] = ()
    _people_by_id: dict[str, Person] = field(init=False, repr=False, compare=False)
    _sessions_by_id: dict[str, Session] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_people_by_id", {p.id: p for p in self.people})
        object.__setattr__(self, "_sessions_by_id", {s.id: s for s in self.sessions})

    def person(self, person_id: str) -> Person:
        return self._people_by_id[person_id]

    def has_person(self, person_id: str) -> bool:
        return person_id in self._people_by_id

    def session(self, session_id: str) -> Session:
        return self._sessions_by_id[session_id]

    def has_session(self, session_id: str) -> bool:
        return session_id in self._sessions_by_id

    @property
    def peers(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.is_peer)

    def eligible_peers(self, session: Session) -> tuple[str, ...]:
        """The peers who may sit in ``session``, in the order the problem lists people."""
        allowed = None if session.eligible_peers is None else set(session.eligible_peers)
        return tuple(p.id for p in self.peers if allowed is None or p.id in allowed)

    def session_days(self, session: Session) -> tuple[str, ...]:
        """The week's days on which ``session`` may fall, in week order."""
        if session.fixed is not None:
            return (session.fixed.day,)
        if session.days is None:
            return self.week.days
        allowed = set(session.days)
        return tuple(d for d in self.week.days if d in allowed)

    def previous_for(self, session_id: str) -> PreviousAssignment | None:
        for entry in self.previous:
            if entry.session == session_id:
                return entry
        return None


@dataclass(frozen=True)
class Assignment:
    session: str
    day: str
    start: int
    end: int
    peers: tuple[str, ...]


@dataclass(frozen=True)
class Unscheduled:
    session: str
    reason: str


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...]

    def assignment_for(self, session_id: str) -> Assignment | None:
        for a in self.assignments:
            if a.session == session_id:
                return a
        return None
