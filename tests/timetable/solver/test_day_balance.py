"""Day balance (``day_peak``): the checker's figure, the solver's level and its place in the order.

The format puts day balance after the changes against ``previous`` and before fairness, so
the solver must spread a week over its days when it is free to, and must never move a
published session just to even the days out.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerdiag.timetable.solver import (
    Assignment,
    Solution,
    check_solution,
    measure,
    parse_problem,
    solve,
)
from peerdiag.timetable.solver.board import Board
from peerdiag.timetable.solver.model import format_time

from .builders import FRI, MON, THU, TUE, WED, build, peer, person, problem_doc, session, window


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# -- the checker --------------------------------------------------------------------------


def test_day_peak_counts_minutes_times_peers_fixed_meetings_included() -> None:
    problem = build(
        [peer("a"), peer("b"), peer("c")],
        [
            session(
                "team",
                kind="meeting",
                minutes=30,
                peers_needed=3,
                required_peers=["a", "b", "c"],
                fixed={"day": TUE, "start": "09:00"},
            ),
            session("s1", minutes=90, peers_needed=2),
            session("s2", minutes=60, peers_needed=1),
            session("s3", minutes=45, peers_needed=2),
        ],
        days=(MON, TUE, WED),
    )
    solution = Solution(
        (
            Assignment("team", TUE, hm("09:00"), hm("09:30"), ("a", "b", "c")),
            Assignment("s1", MON, hm("10:00"), hm("11:30"), ("a", "b")),
            Assignment("s2", MON, hm("10:00"), hm("11:00"), ("c",)),
            Assignment("s3", TUE, hm("10:00"), hm("10:45"), ("b", "c")),
        ),
        (),
    )
    report = check_solution(problem, solution)
    assert report.valid
    # Monday 2 x 90 + 60 = 240; Tuesday 3 x 30 + 2 x 45 = 180; Wednesday nothing.
    assert report.quality.day_minutes == ((MON, 240), (TUE, 180), (WED, 0))
    assert report.quality.day_peak == 240


def test_day_peak_of_an_empty_week_is_zero_and_every_day_is_listed() -> None:
    problem = build([peer("a")], [session("s1")], days=(MON, TUE))
    quality = measure(problem, [])
    assert quality.day_peak == 0
    assert quality.day_minutes == ((MON, 0), (TUE, 0))


def test_a_session_without_peers_adds_nothing_to_its_day() -> None:
    problem = build(
        [peer("a"), person("x"), person("y")],
        [session("talk", attendees=["x", "y"], peers_needed=0), session("s1", minutes=30)],
        days=(MON, TUE),
    )
    quality = measure(
        problem,
        [
            Assignment("talk", MON, hm("09:00"), hm("10:00"), ()),
            Assignment("s1", TUE, hm("09:00"), hm("09:30"), ("a",)),
        ],
    )
    assert quality.day_minutes == ((MON, 0), (TUE, 30))
    assert quality.day_peak == 30


# -- the solver ---------------------------------------------------------------------------


def all_week(days: tuple[str, ...], peers: int, sessions: int) -> dict[str, Any]:
    """Everyone available every day: the balanced optimum is the total over the days."""
    return problem_doc(
        [peer(f"p{i}") for i in range(peers)],
        [session(f"s{i}", minutes=60, peers_needed=1) for i in range(sessions)],
        days=days,
    )


def test_an_all_week_problem_is_spread_evenly_and_proven() -> None:
    problem = parse_problem(all_week((MON, TUE, WED, THU, FRI), peers=2, sessions=10))
    result = solve(problem, time_limit=10, workers=1)
    assert not result.solution.unscheduled
    # 600 peer-minutes over five days: 120 a day, and no day can carry less than that.
    assert result.quality.day_minutes == tuple((d, 120) for d in (MON, TUE, WED, THU, FRI))
    stage = result.stats.stage("day_peak")
    assert stage is not None
    assert (stage.value, stage.bound, stage.status) == (120, 120, "optimal")
    names = [s.name for s in result.stats.stages]
    assert names == ["weight", "day_peak", "fairness"]


def test_day_balance_comes_before_fairness() -> None:
    # b and c spend two hours of Monday in a fixed meeting; a can only come on Monday. Giving
    # a the one session would even the peers out but make Monday the busiest day (360
    # peer-minutes); putting it on Tuesday with b or c keeps the peak at Monday's 240.
    doc = problem_doc(
        [peer("a", unavailable=[window(TUE, "09:00", "17:00")]), peer("b"), peer("c")],
        [
            session(
                "meeting",
                kind="meeting",
                minutes=120,
                peers_needed=2,
                required_peers=["b", "c"],
                fixed={"day": MON, "start": "09:00"},
            ),
            session("s1", minutes=120),
        ],
        days=(MON, TUE),
    )
    result = solve(parse_problem(doc), time_limit=10, workers=1)
    placed = {a.session: a for a in result.solution.assignments}
    assert placed["s1"].day == TUE
    assert placed["s1"].peers in (("b",), ("c",))
    assert (result.quality.day_peak, result.quality.fairness) == (240, 240)
    assert all(stage.proven for stage in result.stats.stages)


def test_days_below_a_fixed_peak_are_evened_out_too() -> None:
    # Wednesday's fixed meeting (3 peers x 4 hours) is the busiest day whatever happens, so
    # day balance alone would accept all six interviews on Monday; the solver's last step
    # still shares them between Monday and Tuesday, with no level worse for it.
    doc = problem_doc(
        [peer("a"), peer("b"), peer("c")],
        [
            session(
                "away day",
                kind="meeting",
                minutes=240,
                peers_needed=3,
                required_peers=["a", "b", "c"],
                fixed={"day": WED, "start": "09:00"},
            ),
            *(session(f"s{i}") for i in range(6)),
        ],
        days=(MON, TUE, WED),
    )
    result = solve(parse_problem(doc), time_limit=10, workers=1)
    assert not result.solution.unscheduled
    assert result.quality.day_minutes == ((MON, 180), (TUE, 180), (WED, 720))
    assert (result.quality.day_peak, result.quality.fairness) == (720, 0)


def spread_out_week(problem: Any) -> list[Assignment] | None:
    """A simple spread: session i goes to day i mod D, first fit; None if one does not fit."""
    board = Board(problem)
    days = problem.week.days
    for i, s in enumerate(problem.sessions):
        day = days[i % len(days)]
        starts = [t for d, t in board.calendar.options(s).starts if d == day]
        if not any(board.try_place(s, day, t) is not None for t in starts):
            return None
    return list(board.placed.values())


@st.composite
def small_weeks(draw: st.DrawFn) -> dict[str, Any]:
    days = (MON, TUE, WED)[: draw(st.integers(2, 3))]
    n_peers = draw(st.integers(1, 3))
    peers = []
    for i in range(n_peers):
        fields: dict[str, Any] = {}
        if draw(st.booleans()):
            fields["unavailable"] = [window(draw(st.sampled_from(days)), "09:00", "10:00")]
        peers.append(peer(f"p{i}", **fields))
    sessions = [
        session(
            f"s{i}",
            minutes=draw(st.sampled_from([30, 60, 90])),
            peers_needed=draw(st.integers(1, n_peers)),
            priority=draw(st.sampled_from(["must", "should", "could"])),
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    return problem_doc(peers, sessions, days=days, day_end="11:00", slot=30)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(small_weeks())
def test_the_solver_is_never_busier_on_its_peak_day_than_a_simple_spread(
    doc: dict[str, Any],
) -> None:
    problem = parse_problem(doc)
    spread = spread_out_week(problem)
    if spread is None:
        return  # no simple spread exists for this week: nothing to compare with
    assert not any(check_solution(problem, Solution(tuple(spread), ())).violations)
    result = solve(problem, time_limit=10, workers=1)
    report = check_solution(problem, result.solution)
    assert report.valid
    # The spread places every session, so the solver must too (weight comes first), and
    # then its busiest day carries no more than the spread's.
    assert not result.solution.unscheduled
    assert report.quality.day_peak <= measure(problem, spread).day_peak


# -- re-plans: balance never buys a change -------------------------------------------------


def crowded_week() -> dict[str, Any]:
    """Six interviews, all published on Monday, though Tuesday and Wednesday are free."""
    people = [peer("a"), peer("b"), peer("c")] + [person(f"x{i}") for i in range(6)]
    sessions = [session(f"s{i}", attendees=[f"x{i}"]) for i in range(6)]
    previous = [
        {
            "session": f"s{i}",
            "day": MON,
            "start": format_time(hm("09:00") + 60 * (i // 3)),
            "peers": ["abc"[i % 3]],
        }
        for i in range(6)
    ]
    return problem_doc(people, sessions, days=(MON, TUE, WED), previous=previous)


def test_a_replan_keeps_a_crowded_week_rather_than_move_a_session_for_balance() -> None:
    problem = parse_problem(crowded_week())
    result = solve(problem, time_limit=10, workers=1)
    assert result.quality.changes == 0
    assert {a.day for a in result.solution.assignments} == {MON}
    assert result.quality.day_peak == 360
    assert all(stage.proven for stage in result.stats.stages)


def test_a_replan_moves_only_what_must_move_even_when_moving_more_would_balance() -> None:
    doc = crowded_week()
    # x5 can no longer come on Monday: s5 has to move, and nothing else may.
    for p in doc["people"]:
        if p["id"] == "x5":
            p["unavailable"] = [window(MON, "09:00", "17:00")]
    problem = parse_problem(doc)
    result = solve(problem, time_limit=10, workers=1)
    assert result.quality.changes == 1
    days = {a.session: a.day for a in result.solution.assignments}
    assert days["s5"] != MON
    assert all(days[f"s{i}"] == MON for i in range(5))
    # Among the timetables with one change, the balance level still had its say: the week
    # cannot be better than Monday's five hours.
    assert result.quality.day_peak == 300
    stage = result.stats.stage("day_peak")
    assert stage is not None and stage.proven
