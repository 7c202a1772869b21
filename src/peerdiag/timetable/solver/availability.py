"""Who is free when, and where each session could possibly go.

Everything here depends on the problem alone, never on other sessions: a session's
*options* are the grid starts where its own people could all be there. The solver chooses
among them; a session with none is unscheduled before solving, and :mod:`.explain` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .model import MINUTES_PER_DAY, Person, Problem, Session

Span = tuple[int, int]


def merge(spans: list[Span]) -> list[Span]:
    """Sort and join overlapping or touching spans (10:00-11:00 and 11:00-12:00 join)."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in spans:
        pieces = [(start, end)]
        for h_start, h_end in holes:
            next_pieces: list[Span] = []
            for a, b in pieces:
                if h_end <= a or h_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < h_start:
                    next_pieces.append((a, h_start))
                if h_end < b:
                    next_pieces.append((h_end, b))
            pieces = next_pieces
        out.extend(pieces)
    return merge(out)


def free_spans(person: Person, day: str) -> list[Span]:
    """The parts of ``day`` when ``person`` is available (``unavailable`` wins)."""
    if person.available is None:
        base = [(0, MINUTES_PER_DAY)]
    else:
        base = merge([(w.start, w.end) for w in person.available if w.day == day])
    holes = [(w.start, w.end) for w in person.unavailable if w.day == day]
    return subtract(base, holes) if holes else base


@dataclass(frozen=True)
class Options:
    """Where one session could go, judged only by its own people's availability."""

    session: Session
    # (day, start) pairs in week order where every attendee and required peer is free and
    # enough eligible peers are free.
    starts: tuple[tuple[str, int], ...]
    # For each of those starts, the eligible peers free for the whole session.
    peers_at: dict[tuple[str, int], tuple[str, ...]]

    @cached_property
    def days(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(day for day, _ in self.starts))


class Calendar:
    """Caches each person's free time for one problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._spans: dict[tuple[str, str], list[Span]] = {}
        self._starts: dict[tuple[str, str, int], frozenset[int]] = {}
        self._options: dict[str, Options] = {}

    def spans(self, person_id: str, day: str) -> list[Span]:
        key = (person_id, day)
        found = self._spans.get(key)
        if found is None:
            found = free_spans(self.problem.person(person_id), day)
            self._spans[key] = found
        return found

    def is_free(self, person_id: str, day: str, start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in self.spans(person_id, day))

    def free_starts(self, person_id: str, day: str, minutes: int) -> frozenset[int]:
        """Grid starts on ``day`` at which ``person_id`` is free for ``minutes``."""
        key = (person_id, day, minutes)
        found = self._starts.get(key)
        if found is None:
            spans = self.spans(person_id, day)
            found = frozenset(
                t
                for t in self.problem.week.starts(minutes)
                if any(a <= t and t + minutes <= b for a, b in spans)
            )
            self._starts[key] = found
        return found

    def starts_for_all(self, person_ids: tuple[str, ...], day: str, minutes: int) -> list[int]:
        """Grid starts on ``day`` at which every one of ``person_ids`` is free."""
        starts = set(self.problem.week.starts(minutes))
        for pid in person_ids:
            starts &= self.free_starts(pid, day, minutes)
            if not starts:
                break
        return sorted(starts)

    def options(self, session: Session) -> Options:
        found = self._options.get(session.id)
        if found is None:
            found = self._compute_options(session)
            self._options[session.id] = found
        return found

    def _compute_options(self, session: Session) -> Options:
        problem = self.problem
        eligible = problem.eligible_peers(session)
        need = session.peers_needed
        starts: list[tuple[str, int]] = []
        peers_at: dict[tuple[str, int], tuple[str, ...]] = {}
        if len(eligible) >= need:
            fixed = session.fixed
            for day in problem.session_days(session):
                times = self.starts_for_all(
                    session.attendees + session.required_peers, day, session.minutes
                )
                if fixed is not None:
                    times = [t for t in times if t == fixed.start]
                for t in times:
                    free = tuple(
                        p for p in eligible if t in self.free_starts(p, day, session.minutes)
                    )
                    if len(free) >= need:
                        starts.append((day, t))
                        peers_at[(day, t)] = free
        return Options(session, tuple(starts), peers_at)
