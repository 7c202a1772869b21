"""A person's itinerary: a peer's or an attendee's sessions day by day, each with the other
people in it.

It works on lists already loaded (planned_sessions), so the page makes the same few queries
whatever the number of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from peerdiag.diagnostics.models import TeamMember

from ..models import Attendee, Session


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


__all__ = ["Appointment", "Itinerary", "ItineraryDay", "person_itinerary"]
