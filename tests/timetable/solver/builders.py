"""Small problem documents for the scheduler tests.

Defaults keep every rule out of the way unless a test switches it on: one day 09:00-17:00,
a 15-minute grid, no peer buffer, and a lunch window before the day starts (so lunch is
always free).
"""

from __future__ import annotations

from typing import Any

from peerdiag.timetable.solver import Problem, SolveResult, parse_problem, solve

MON, TUE, WED, THU, FRI = (
    "2027-03-01",
    "2027-03-02",
    "2027-03-03",
    "2027-03-04",
    "2027-03-05",
)
NO_LUNCH = {"earliest": "07:00", "latest": "08:00", "minutes": 30}


def peer(pid: str, role: str = "case_auditor", **fields: Any) -> dict[str, Any]:
    return {"id": pid, "name": f"Peer {pid.upper()}", "side": "peer", "role": role, **fields}


def person(pid: str, group: str = "Social workers", **fields: Any) -> dict[str, Any]:
    return {"id": pid, "name": f"Person {pid.upper()}", "side": "council", "group": group, **fields}


def window(day: str, start: str, end: str) -> dict[str, str]:
    return {"day": day, "start": start, "end": end}


def session(
    sid: str,
    minutes: int = 60,
    attendees: tuple[str, ...] | list[str] = (),
    peers_needed: int = 1,
    priority: str = "must",
    **fields: Any,
) -> dict[str, Any]:
    return {
        "id": sid,
        "title": f"Session {sid}",
        "kind": "interview",
        "minutes": minutes,
        "attendees": list(attendees),
        "peers_needed": peers_needed,
        "required_peers": [],
        "eligible_peers": None,
        "priority": priority,
        "days": None,
        "fixed": None,
        **fields,
    }


def problem_doc(
    people: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
    *,
    days: tuple[str, ...] = (MON,),
    day_start: str = "09:00",
    day_end: str = "17:00",
    slot: int = 15,
    lunch: dict[str, Any] | None = None,
    buffer: int = 0,
    previous: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "peer-diagnostic-timetable/1",
        "week": {
            "days": list(days),
            "day_start": day_start,
            "day_end": day_end,
            "slot_minutes": slot,
            "lunch": lunch or NO_LUNCH,
        },
        "rules": {"peer_buffer_minutes": buffer},
        "people": people,
        "sessions": sessions,
    }
    if previous is not None:
        doc["previous"] = previous
    return doc


def build(*args: Any, **kwargs: Any) -> Problem:
    return parse_problem(problem_doc(*args, **kwargs))


def run(problem: Problem, time_limit: float = 10.0, workers: int = 1) -> SolveResult:
    return solve(problem, time_limit=time_limit, workers=workers)


def spans(result: SolveResult) -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
    """session -> (day, start, end, peers) with times as HH:MM, for exact comparisons."""
    from peerdiag.timetable.solver.model import format_time

    return {
        a.session: (a.day, format_time(a.start), format_time(a.end), a.peers)
        for a in result.solution.assignments
    }
