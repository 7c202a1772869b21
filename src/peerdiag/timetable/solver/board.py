"""A timetable under construction: who is busy when, and what stops a session going in.

Used by the first-fit baseline (:mod:`.greedy`), by the pass that tops up a solver result,
and by :mod:`.explain` to name what stands in the way of an unscheduled session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .availability import Calendar
from .check import has_free_stretch
from .model import Assignment, Problem, Session


@dataclass(frozen=True)
class Block:
    """Why one person cannot take a session at a given time.

    ``kind`` is ``"busy"`` (in ``session`` at the time), ``"buffer"`` (a peer would have no
    break before or after ``session``), ``"cap"`` (a peer already has their daily maximum)
    or ``"lunch"`` (a peer would be left without lunch that day).
    """

    kind: str
    person: str
    session: str | None = None


class Board:
    def __init__(self, problem: Problem, calendar: Calendar | None = None) -> None:
        self.problem = problem
        self.calendar = calendar or Calendar(problem)
        self.placed: dict[str, Assignment] = {}
        self._busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        self._count: dict[tuple[str, str], int] = defaultdict(int)
        self.minutes: dict[str, int] = {p.id: 0 for p in problem.peers}

    def add(self, a: Assignment) -> None:
        session = self.problem.session(a.session)
        self.placed[a.session] = a
        for pid in session.attendees:
            self._busy[(pid, a.day)].append((a.start, a.end, a.session))
        for pid in a.peers:
            self._busy[(pid, a.day)].append((a.start, a.end, a.session))
            self._count[(pid, a.day)] += 1
            self.minutes[pid] += a.end - a.start

    def remove(self, session_id: str) -> None:
        a = self.placed.pop(session_id)
        session = self.problem.session(session_id)
        for pid in session.attendees + a.peers:
            self._busy[(pid, a.day)].remove((a.start, a.end, a.session))
        for pid in a.peers:
            self._count[(pid, a.day)] -= 1
            self.minutes[pid] -= a.end - a.start

    def busy(self, person_id: str, day: str) -> list[tuple[int, int, str]]:
        return self._busy.get((person_id, day), [])

    def attendee_block(self, person_id: str, day: str, start: int, end: int) -> Block | None:
        for b_start, b_end, sid in self.busy(person_id, day):
            if b_start < end and start < b_end:
                return Block("busy", person_id, sid)
        return None

    def peer_block(self, person_id: str, day: str, start: int, end: int) -> Block | None:
        """What stops peer ``person_id`` joining a session at ``day`` ``start``-``end``."""
        spans = self.busy(person_id, day)
        for b_start, b_end, sid in spans:
            if b_start < end and start < b_end:
                return Block("busy", person_id, sid)
        buffer = self.problem.peer_buffer_minutes
        for b_start, b_end, sid in spans:
            if b_start < end + buffer and start < b_end + buffer:
                return Block("buffer", person_id, sid)
        cap = self.problem.person(person_id).max_sessions_per_day
        if cap is not None and self._count.get((person_id, day), 0) >= cap:
            return Block("cap", person_id)
        lunch = self.problem.week.lunch
        if start < lunch.latest and end > lunch.earliest:
            taken = [(a, b) for a, b, _ in spans] + [(start, end)]
            if not has_free_stretch(taken, lunch.earliest, lunch.latest, lunch.minutes):
                return Block("lunch", person_id)
        return None

    def pick_peers(
        self, session: Session, day: str, start: int, candidates: tuple[str, ...]
    ) -> tuple[str, ...] | None:
        """Required peers plus the least-loaded free eligible peers, or None if too few."""
        end = start + session.minutes
        chosen = list(session.required_peers)
        for pid in chosen:
            if self.peer_block(pid, day, start, end) is not None:
                return None
        spare = [
            pid
            for pid in candidates
            if pid not in chosen and self.peer_block(pid, day, start, end) is None
        ]
        order = {pid: i for i, pid in enumerate(candidates)}
        spare.sort(key=lambda pid: (self.minutes[pid], order[pid]))
        missing = session.peers_needed - len(chosen)
        if len(spare) < missing:
            return None
        chosen.extend(spare[:missing])
        return tuple(p for p in candidates if p in chosen)

    def try_place(self, session: Session, day: str, start: int) -> Assignment | None:
        """Place ``session`` at ``day`` ``start`` if the rules allow it; return the assignment."""
        options = self.calendar.options(session)
        candidates = options.peers_at.get((day, start))
        if candidates is None:
            return None
        end = start + session.minutes
        for pid in session.attendees:
            if self.attendee_block(pid, day, start, end) is not None:
                return None
        peers = self.pick_peers(session, day, start, candidates)
        if peers is None:
            return None
        a = Assignment(session.id, day, start, end, peers)
        self.add(a)
        return a
