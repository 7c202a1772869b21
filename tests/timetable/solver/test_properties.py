"""Property tests on random small problems, against an exhaustive search.

For each problem, every valid timetable is enumerated by brute force (using only the
checker to judge validity), and the solver's result must be valid and as good as the best
of them in the format's order: weight, then changes against previous, then day balance,
then fairness. In
particular, every must-session that the exhaustive search can place is placed.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerdiag.timetable.solver import (
    Assignment,
    Problem,
    check_solution,
    measure,
    parse_problem,
    solve,
)
from peerdiag.timetable.solver.check import rule_violations

from .builders import MON, TUE, peer, person, problem_doc, session, window

GRID = ["09:00", "09:30", "10:00", "10:30", "11:00"]


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


@st.composite
def windows(draw: st.DrawFn, days: list[str]) -> dict[str, str]:
    day = draw(st.sampled_from(days))
    start = draw(st.sampled_from(GRID[:-1]))
    end = draw(st.sampled_from([t for t in GRID if t > start]))
    return window(day, start, end)


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    days = [MON, TUE][: draw(st.integers(1, 2))]
    peers = []
    for i in range(draw(st.integers(1, 3))):
        fields: dict[str, Any] = {}
        cap = draw(st.sampled_from([None, None, 1, 2]))
        if cap is not None:
            fields["max_sessions_per_day"] = cap
        if draw(st.booleans()):
            fields["unavailable"] = [draw(windows(days))]
        peers.append(peer(f"p{i}", **fields))
    council = []
    for i in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["free", "available", "unavailable"]))
        fields = {}
        if kind != "free":
            fields[kind] = draw(st.lists(windows(days), min_size=1, max_size=2))
        council.append(person(f"c{i}", **fields))
    peer_ids = [p["id"] for p in peers]
    sessions = []
    for i in range(draw(st.integers(1, 3))):
        minutes = draw(st.sampled_from([30, 60]))
        need = draw(st.integers(0, min(2, len(peer_ids))))
        required = draw(st.lists(st.sampled_from(peer_ids), unique=True, max_size=need))
        eligible = None
        if draw(st.booleans()):
            extra = draw(st.lists(st.sampled_from(peer_ids), unique=True))
            eligible = sorted(set(required) | set(extra))
        attendees = draw(st.lists(st.sampled_from([c["id"] for c in council] or ["-"])))
        attendees = sorted({a for a in attendees if a != "-"})
        fixed = None
        if draw(st.integers(0, 4)) == 0:
            start = draw(st.sampled_from([t for t in GRID if hm(t) + minutes <= hm("11:00")]))
            fixed = {"day": draw(st.sampled_from(days)), "start": start}
        session_days = None
        if fixed is None and len(days) > 1 and draw(st.booleans()):
            session_days = [draw(st.sampled_from(days))]
        sessions.append(
            session(
                f"s{i}",
                minutes=minutes,
                attendees=attendees,
                peers_needed=need,
                priority=draw(st.sampled_from(["must", "should", "could"])),
                required_peers=required,
                eligible_peers=eligible,
                days=session_days,
                fixed=fixed,
            )
        )
    previous = []
    for s in sessions:
        if draw(st.integers(0, 2)) == 0:
            pool = s["eligible_peers"] if s["eligible_peers"] is not None else peer_ids
            if s["peers_needed"] == 0:
                previous.append({"session": s["id"], "day": days[0], "start": "09:00", "peers": []})
            elif len(pool) >= s["peers_needed"]:
                previous.append(
                    {
                        "session": s["id"],
                        "day": draw(st.sampled_from(days)),
                        "start": draw(st.sampled_from(GRID[:-1])),
                        "peers": draw(
                            st.lists(
                                st.sampled_from(pool),
                                unique=True,
                                min_size=s["peers_needed"],
                                max_size=s["peers_needed"],
                            )
                        ),
                    }
                )
    lunch = draw(
        st.sampled_from(
            [
                None,
                {"earliest": "10:00", "latest": "11:00", "minutes": 30},
                {"earliest": "09:30", "latest": "10:30", "minutes": 30},
            ]
        )
    )
    return problem_doc(
        peers + council,
        sessions,
        days=tuple(days),
        day_end="11:00",
        slot=30,
        lunch=lunch,
        buffer=draw(st.sampled_from([0, 15, 30])),
        previous=previous or None,
    )


def candidates(problem: Problem, session_id: str) -> list[Assignment]:
    """Every placement the format allows in principle, valid or not."""
    s = problem.session(session_id)
    out = []
    pool = problem.eligible_peers(s)
    for day in problem.session_days(s):
        for start in problem.week.starts(s.minutes):
            for peers in itertools.combinations(pool, s.peers_needed):
                if set(s.required_peers) <= set(peers):
                    out.append(Assignment(s.id, day, start, start + s.minutes, peers))
    return out


def best_by_brute_force(problem: Problem) -> tuple[int, int, int, int, int]:
    """(weight, musts placed, -changes, -day_peak, -fairness) of the best valid timetable."""
    options = [candidates(problem, s.id) for s in problem.sessions]
    best: tuple[int, int, int, int, int] | None = None

    def walk(index: int, placed: list[Assignment]) -> None:
        nonlocal best
        if index == len(options):
            q = measure(problem, placed)
            key = (q.weight, q.musts_placed, -(q.changes or 0), -q.day_peak, -q.fairness)
            if best is None or key > best:
                best = key
            return
        walk(index + 1, placed)
        for a in options[index]:
            trial = [*placed, a]
            if not rule_violations(problem, trial):
                walk(index + 1, trial)

    walk(0, [])
    assert best is not None
    return best


@settings(
    max_examples=int(__import__("os").environ.get("PD_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=__import__("os").environ.get("PD_RANDOM") is None,
)
@given(problems())
def test_solutions_are_valid_and_optimal(doc: dict[str, Any]) -> None:
    problem = parse_problem(doc)
    result = solve(problem, time_limit=10, workers=1)
    report = check_solution(problem, result.solution)
    assert report.violations == ()
    assert all(stage.proven for stage in result.stats.stages)
    for u in result.solution.unscheduled:
        assert u.reason and "could not fit" not in u.reason
    q = report.quality
    weight, musts, neg_changes, neg_peak, neg_fairness = best_by_brute_force(problem)
    assert q.weight == weight
    assert q.musts_placed == musts
    assert -(q.changes or 0) == neg_changes
    assert -q.day_peak == neg_peak
    assert -q.fairness == neg_fairness
