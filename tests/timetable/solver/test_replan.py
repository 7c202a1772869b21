"""Re-planning: after a peer loses an afternoon, only what had to move moves."""

from __future__ import annotations

from peerdiag.timetable.solver import check_solution, parse_problem, solve
from peerdiag.timetable.solver.model import format_time

from .builders import MON, TUE, WED, peer, person, problem_doc, session, window

LUNCH = {"earliest": "12:00", "latest": "14:00", "minutes": 30}


def week() -> dict:  # type: ignore[type-arg]
    people = [peer("a"), peer("b"), peer("c")] + [person(f"x{i}") for i in range(8)]
    sessions = [
        session(f"s{i}", minutes=60 + 30 * (i % 2), attendees=[f"x{i % 8}"], peers_needed=1 + i % 2)
        for i in range(12)
    ]
    sessions.append(
        session(
            "team",
            kind="meeting",
            minutes=30,
            peers_needed=3,
            required_peers=["a", "b", "c"],
            fixed={"day": MON, "start": "09:00"},
        )
    )
    return problem_doc(people, sessions, days=(MON, TUE, WED), lunch=LUNCH, buffer=15)


def test_only_sessions_that_had_to_move_move() -> None:
    doc = week()
    first = solve(parse_problem(doc), time_limit=10, workers=1).solution
    assert not first.unscheduled

    # The peer and day with the most afternoon sessions lose that afternoon.
    load: dict[tuple[str, str], list[str]] = {}
    for a in first.assignments:
        if a.end > 13 * 60:
            for pid in a.peers:
                load.setdefault((pid, a.day), []).append(a.session)
    (gone, day), must_move = max(load.items(), key=lambda kv: (len(kv[1]), kv[0]))
    assert must_move

    doc["previous"] = [
        {"session": a.session, "day": a.day, "start": format_time(a.start), "peers": list(a.peers)}
        for a in first.assignments
    ]
    for p in doc["people"]:
        if p["id"] == gone:
            p["unavailable"] = [window(day, "13:00", "17:00")]
    problem = parse_problem(doc)
    result = solve(problem, time_limit=10, workers=1)
    report = check_solution(problem, result.solution)
    assert report.valid
    assert not result.solution.unscheduled

    before = {a.session: a for a in first.assignments}
    moved = {
        a.session
        for a in result.solution.assignments
        if (a.day, a.start, set(a.peers))
        != (before[a.session].day, before[a.session].start, set(before[a.session].peers))
    }
    assert moved == set(must_move)
    assert report.quality.changes == len(must_move)
    assert all(stage.proven for stage in result.stats.stages)


def test_previous_placement_is_kept_when_nothing_changes() -> None:
    doc = week()
    first = solve(parse_problem(doc), time_limit=10, workers=1).solution
    doc["previous"] = [
        {"session": a.session, "day": a.day, "start": format_time(a.start), "peers": list(a.peers)}
        for a in first.assignments
    ]
    again = solve(parse_problem(doc), time_limit=10, workers=1)
    assert again.quality.changes == 0
    assert {a.session: a for a in again.solution.assignments} == {
        a.session: a for a in first.assignments
    }
