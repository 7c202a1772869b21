"""An independent checker for timetable solutions.

The checker deliberately shares no logic with the solver: availability is tested minute by
minute straight from the problem's windows, and every rule is checked by brute force. A bug
in the model therefore shows up as a violation here rather than being repeated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .model import (
    Assignment,
    Person,
    Problem,
    Solution,
    format_time,
    time_range,
)

__all__ = [
    "Quality",
    "Report",
    "Violation",
    "check_solution",
    "has_free_stretch",
    "measure",
    "rule_violations",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is ``"coverage"`` or ``"rule 1"`` ... ``"rule 7"``."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Quality:
    """The quality figures of a solution, in the order they are compared."""

    weight: int
    max_weight: int
    musts_placed: int
    musts_total: int
    scheduled: int
    sessions: int
    # Sessions whose day, start or peers differ from ``previous``; None without a previous.
    changes: int | None
    # Largest minus smallest total session minutes over all peers.
    fairness: int
    peer_minutes: tuple[tuple[str, int], ...]
    # The largest total of peer-minutes (a session's minutes times its peers) on any one
    # listed day, and every listed day's total in the week's order.
    day_peak: int = 0
    day_minutes: tuple[tuple[str, int], ...] = ()

    def lines(self) -> list[str]:
        out = [
            f"weight: {self.weight} of {self.max_weight}",
            f"musts placed: {self.musts_placed} of {self.musts_total}",
            f"sessions scheduled: {self.scheduled} of {self.sessions}",
        ]
        if self.changes is not None:
            out.append(f"changes against previous: {self.changes}")
        out.append(f"busiest day: {self.day_peak} peer-minutes")
        out.append(
            "peer-minutes by day: "
            + ", ".join(f"{day} {minutes}" for day, minutes in self.day_minutes)
        )
        out.append(f"fairness spread: {self.fairness} minutes")
        out.append(
            "peer minutes: " + ", ".join(f"{pid} {minutes}" for pid, minutes in self.peer_minutes)
        )
        return out


@dataclass(frozen=True)
class Report:
    violations: tuple[Violation, ...]
    quality: Quality

    @property
    def valid(self) -> bool:
        return not self.violations


def check_solution(problem: Problem, solution: Solution) -> Report:
    """Check ``solution`` against every hard rule and that each session appears once."""
    violations: list[Violation] = []
    seen: dict[str, str] = {}

    def note(session_id: str, where: str) -> bool:
        if not problem.has_session(session_id):
            violations.append(Violation("coverage", f"{where}: unknown session {session_id!r}"))
            return False
        if session_id in seen:
            violations.append(
                Violation(
                    "coverage",
                    f"{where}: session {session_id!r} already appears at {seen[session_id]}",
                )
            )
            return False
        seen[session_id] = where
        return True

    known: list[Assignment] = []
    for i, a in enumerate(solution.assignments):
        if note(a.session, f"assignments[{i}]"):
            known.append(a)
    for i, u in enumerate(solution.unscheduled):
        if note(u.session, f"unscheduled[{i}]") and not u.reason.strip():
            violations.append(Violation("coverage", f"unscheduled[{i}]: no reason given"))
    for s in problem.sessions:
        if s.id not in seen:
            violations.append(
                Violation("coverage", f"session {s.id!r} is neither assigned nor unscheduled")
            )
    violations.extend(rule_violations(problem, known))
    return Report(tuple(violations), measure(problem, known))


def rule_violations(problem: Problem, assignments: Iterable[Assignment]) -> list[Violation]:
    """Violations of hard rules 1-7 by ``assignments`` (each a distinct, known session).

    Also usable on a partial timetable: every rule only gets harder as sessions are added.
    """
    week = problem.week
    out: list[Violation] = []
    placed = list(assignments)
    # Rules 1-4 concern one session at a time.
    for a in placed:
        s = problem.session(a.session)
        where = f"session {s.id!r}"
        if a.day not in week.days:
            out.append(Violation("rule 1", f"{where} is on {a.day}, which is not in the week"))
        elif s.days is not None and a.day not in s.days:
            out.append(Violation("rule 1", f"{where} is on {a.day}, not one of its days"))
        if not week.on_grid(a.start):
            out.append(
                Violation(
                    "rule 1",
                    f"{where} starts at {format_time(a.start)}, off the {week.slot_minutes}-minute "
                    f"grid from {format_time(week.day_start)}",
                )
            )
        if a.end - a.start != s.minutes:
            out.append(
                Violation(
                    "rule 1",
                    f"{where} runs {time_range(a.start, a.end)} but lasts {s.minutes} minutes",
                )
            )
        if a.end > week.day_end:
            out.append(
                Violation(
                    "rule 1",
                    f"{where} ends at {format_time(a.end)}, after the day ends at "
                    f"{format_time(week.day_end)}",
                )
            )
        if s.fixed is not None and (a.day, a.start) != (s.fixed.day, s.fixed.start):
            out.append(
                Violation(
                    "rule 2",
                    f"{where} is fixed at {s.fixed.day} {format_time(s.fixed.start)} but placed "
                    f"at {a.day} {format_time(a.start)}",
                )
            )
        out.extend(_peer_rule(problem, a))
        for pid in s.attendees + tuple(a.peers):
            if problem.has_person(pid) and not _available(problem.person(pid), a):
                out.append(
                    Violation(
                        "rule 4",
                        f"{pid!r} is not available for all of {where} "
                        f"({a.day} {time_range(a.start, a.end)})",
                    )
                )
    out.extend(_clashes(problem, placed))
    out.extend(_daily_caps(problem, placed))
    out.extend(_lunches(problem, placed))
    return out


def _peer_rule(problem: Problem, a: Assignment) -> list[Violation]:
    s = problem.session(a.session)
    where = f"session {s.id!r}"
    out: list[Violation] = []
    if len(set(a.peers)) != len(a.peers):
        out.append(Violation("rule 3", f"{where} lists a peer more than once"))
    if len(set(a.peers)) != s.peers_needed:
        out.append(
            Violation("rule 3", f"{where} has {len(set(a.peers))} peers but needs {s.peers_needed}")
        )
    for pid in a.peers:
        if not problem.has_person(pid) or not problem.person(pid).is_peer:
            out.append(Violation("rule 3", f"{where}: {pid!r} is not a peer"))
        elif s.eligible_peers is not None and pid not in s.eligible_peers:
            out.append(Violation("rule 3", f"{where}: peer {pid!r} is not eligible"))
    for pid in s.required_peers:
        if pid not in a.peers:
            out.append(Violation("rule 3", f"{where} is missing required peer {pid!r}"))
    return out


def _available(person: Person, a: Assignment) -> bool:
    """Minute by minute: inside some ``available`` window (if any) and no ``unavailable`` one."""
    windows = None if person.available is None else [w for w in person.available if w.day == a.day]
    holes = [w for w in person.unavailable if w.day == a.day]
    for minute in range(a.start, a.end):
        if windows is not None and not any(w.start <= minute < w.end for w in windows):
            return False
        if any(w.start <= minute < w.end for w in holes):
            return False
    return True


def _by_person(problem: Problem, placed: list[Assignment]) -> dict[str, list[Assignment]]:
    out: dict[str, list[Assignment]] = defaultdict(list)
    for a in placed:
        for pid in dict.fromkeys(problem.session(a.session).attendees + tuple(a.peers)):
            out[pid].append(a)
    return out


def _clashes(problem: Problem, placed: list[Assignment]) -> list[Violation]:
    buffer = problem.peer_buffer_minutes
    out: list[Violation] = []
    for pid, items in _by_person(problem, placed).items():
        is_peer = problem.has_person(pid) and problem.person(pid).is_peer
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a.day != b.day:
                    continue
                if a.start < b.end and b.start < a.end:
                    out.append(
                        Violation(
                            "rule 5",
                            f"{pid!r} is in {a.session!r} ({time_range(a.start, a.end)}) and "
                            f"{b.session!r} ({time_range(b.start, b.end)}) at once on {a.day}",
                        )
                    )
                elif is_peer:
                    gap = b.start - a.end if a.end <= b.start else a.start - b.end
                    if gap < buffer:
                        out.append(
                            Violation(
                                "rule 5",
                                f"peer {pid!r} has {gap} minutes between {a.session!r} and "
                                f"{b.session!r} on {a.day}; needs {buffer}",
                            )
                        )
    return out


def _daily_caps(problem: Problem, placed: list[Assignment]) -> list[Violation]:
    out: list[Violation] = []
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for a in placed:
        for pid in set(a.peers):
            counts[(pid, a.day)] += 1
    for (pid, day), n in sorted(counts.items()):
        if not problem.has_person(pid):
            continue
        cap = problem.person(pid).max_sessions_per_day
        if cap is not None and n > cap:
            out.append(
                Violation("rule 6", f"peer {pid!r} sits in {n} sessions on {day}; the cap is {cap}")
            )
    return out


def _lunches(problem: Problem, placed: list[Assignment]) -> list[Violation]:
    lunch = problem.week.lunch
    busy: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for a in placed:
        for pid in set(a.peers):
            busy[(pid, a.day)].append((a.start, a.end))
    out: list[Violation] = []
    for peer in problem.peers:
        for day in problem.week.days:
            spans = busy.get((peer.id, day), [])
            if not has_free_stretch(spans, lunch.earliest, lunch.latest, lunch.minutes):
                out.append(
                    Violation(
                        "rule 7",
                        f"peer {peer.id!r} has no {lunch.minutes}-minute lunch between "
                        f"{format_time(lunch.earliest)} and {format_time(lunch.latest)} "
                        f"on {day}",
                    )
                )
    return out


def has_free_stretch(busy: list[tuple[int, int]], earliest: int, latest: int, minutes: int) -> bool:
    """Whether ``[earliest, latest)`` holds ``minutes`` in one piece outside ``busy``."""
    cursor = earliest
    for start, end in sorted(busy):
        if end <= cursor:
            continue
        if start >= latest:
            break
        if start - cursor >= minutes:
            return True
        cursor = max(cursor, end)
    return latest - cursor >= minutes


def measure(problem: Problem, assignments: Iterable[Assignment]) -> Quality:
    """Quality figures of the assignments (which should be distinct, known sessions)."""
    placed = {a.session: a for a in assignments if problem.has_session(a.session)}
    weight = sum(problem.session(sid).weight for sid in placed)
    musts = [s for s in problem.sessions if s.priority == "must"]
    changes = None
    if problem.previous:
        changes = 0
        for prev in problem.previous:
            now = placed.get(prev.session)
            if (
                now is None
                or (now.day, now.start) != (prev.day, prev.start)
                or set(now.peers) != set(prev.peers)
            ):
                changes += 1
    minutes = {p.id: 0 for p in problem.peers}
    for a in placed.values():
        for pid in set(a.peers):
            if pid in minutes:
                minutes[pid] += a.end - a.start
    spread = max(minutes.values()) - min(minutes.values()) if minutes else 0
    # Day balance: counted from the assignments themselves, peer by peer, so a session
    # listing a peer twice (a rule 3 violation) cannot inflate a day either.
    by_day = {day: 0 for day in problem.week.days}
    for a in placed.values():
        if a.day in by_day:
            by_day[a.day] += (a.end - a.start) * len(set(a.peers))
    return Quality(
        weight=weight,
        max_weight=sum(s.weight for s in problem.sessions),
        musts_placed=sum(1 for s in musts if s.id in placed),
        musts_total=len(musts),
        scheduled=len(placed),
        sessions=len(problem.sessions),
        changes=changes,
        fairness=spread,
        peer_minutes=tuple(minutes.items()),
        day_peak=max(by_day.values(), default=0),
        day_minutes=tuple(by_day.items()),
    )
