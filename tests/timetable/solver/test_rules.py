"""One test per hard rule: a tiny problem only that rule constrains, solved exactly, and
a deliberately broken solution the checker must reject for that rule."""

from __future__ import annotations

import dataclasses

from peerdiag.timetable.solver import Assignment, Problem, Solution, check_solution
from peerdiag.timetable.solver.model import format_time

from .builders import MON, TUE, build, peer, person, run, session, spans, window


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def rules_broken(problem: Problem, solution: Solution) -> list[str]:
    return sorted({v.rule for v in check_solution(problem, solution).violations})


def replace(solution: Solution, session_id: str, **changes: object) -> Solution:
    assignments = tuple(
        dataclasses.replace(a, **changes) if a.session == session_id else a  # type: ignore[arg-type]
        for a in solution.assignments
    )
    return Solution(assignments, solution.unscheduled)


def assert_valid(problem: Problem, solution: Solution) -> None:
    report = check_solution(problem, solution)
    assert report.violations == ()


# Rule 1: listed day (and the session's days), on the grid, ends by the end of the day.


def test_rule1_day_grid_and_day_end() -> None:
    # A 50-minute session on a 45-minute grid in a 09:00-10:00 day: only 09:00 fits, and
    # only on the one day the session allows.
    problem = build(
        [peer("a")],
        [session("s", minutes=50, days=[TUE])],
        days=(MON, TUE),
        day_end="10:00",
        slot=45,
    )
    result = run(problem)
    assert spans(result) == {"s": (TUE, "09:00", "09:50", ("a",))}
    assert_valid(problem, result.solution)


def test_checker_rule1() -> None:
    problem = build(
        [peer("a")],
        [session("s", minutes=50, days=[TUE])],
        days=(MON, TUE),
        day_end="10:00",
        slot=45,
    )
    good = run(problem).solution
    assert rules_broken(problem, replace(good, "s", day=MON)) == ["rule 1"]
    assert rules_broken(problem, replace(good, "s", day="2027-03-09")) == ["rule 1"]
    off_grid = replace(good, "s", start=hm("09:05"), end=hm("09:55"))
    assert rules_broken(problem, off_grid) == ["rule 1"]
    assert rules_broken(problem, replace(good, "s", end=hm("09:40"))) == ["rule 1"]
    late = replace(good, "s", start=hm("09:45"), end=hm("10:35"))
    messages = [str(v) for v in check_solution(problem, late).violations]
    assert messages == [
        "rule 1: session 's' ends at 10:35, after the day ends at 10:00",
    ]


# Rule 2: a fixed session is exactly where it is fixed.


def test_rule2_fixed_session_stays_put() -> None:
    problem = build(
        [peer("a")],
        [session("kit", minutes=30, fixed={"day": TUE, "start": "16:30"})],
        days=(MON, TUE),
    )
    result = run(problem)
    assert spans(result) == {"kit": (TUE, "16:30", "17:00", ("a",))}


def test_checker_rule2() -> None:
    problem = build(
        [peer("a")],
        [session("kit", minutes=30, fixed={"day": TUE, "start": "16:30"})],
        days=(MON, TUE),
    )
    good = run(problem).solution
    moved = replace(good, "kit", start=hm("16:00"), end=hm("16:30"))
    assert rules_broken(problem, moved) == ["rule 2"]
    assert rules_broken(problem, replace(good, "kit", day=MON)) == ["rule 2"]


# Rule 3: exactly peers_needed distinct peers, with the required ones, from the eligible.


def test_rule3_required_and_eligible_peers() -> None:
    problem = build(
        [peer("a"), peer("b"), peer("c"), peer("d")],
        [session("s", peers_needed=2, required_peers=["c"], eligible_peers=["b", "c"])],
    )
    result = run(problem)
    assert spans(result)["s"][3] == ("b", "c")


def test_checker_rule3() -> None:
    problem = build(
        [peer("a"), peer("b"), peer("c"), person("x")],
        [session("s", peers_needed=2, required_peers=["c"], eligible_peers=["b", "c"])],
    )
    good = run(problem).solution
    assert_valid(problem, good)
    for peers in [("c",), ("b", "c", "a"), ("b", "a"), ("c", "a"), ("c", "c"), ("c", "x")]:
        assert rules_broken(problem, replace(good, "s", peers=peers)) == ["rule 3"], peers


# Rule 4: every attendee and peer is available throughout.


def test_rule4_availability_with_touching_windows() -> None:
    # The attendee's two half-hour windows touch, so together they hold the hour; peer A
    # is away on Tuesday, so peer B must go.
    problem = build(
        [
            peer("a", unavailable=[window(TUE, "09:00", "17:00")]),
            peer("b"),
            person("x", available=[window(TUE, "13:00", "13:30"), window(TUE, "13:30", "14:00")]),
        ],
        [session("s", attendees=["x"])],
        days=(MON, TUE),
    )
    result = run(problem)
    assert spans(result) == {"s": (TUE, "13:00", "14:00", ("b",))}


def test_rule4_unavailable_wins_over_available() -> None:
    problem = build(
        [
            peer("a"),
            person(
                "x",
                available=[window(MON, "09:00", "12:00")],
                unavailable=[window(MON, "09:00", "11:00")],
            ),
        ],
        [session("s", attendees=["x"])],
    )
    assert spans(run(problem)) == {"s": (MON, "11:00", "12:00", ("a",))}


def test_checker_rule4() -> None:
    problem = build(
        [
            peer("a", unavailable=[window(TUE, "09:00", "17:00")]),
            peer("b"),
            person("x", available=[window(TUE, "13:00", "13:30"), window(TUE, "13:30", "14:00")]),
        ],
        [session("s", attendees=["x"])],
        days=(MON, TUE),
    )
    good = run(problem).solution
    late = replace(good, "s", start=hm("13:30"), end=hm("14:30"))
    assert [str(v) for v in check_solution(problem, late).violations] == [
        "rule 4: 'x' is not available for all of session 's' (2027-03-02 13:30–14:30)"
    ]
    assert rules_broken(problem, replace(good, "s", peers=("a",))) == ["rule 4"]


# Rule 5: nobody in two places at once; peers keep a buffer between sessions.


def test_rule5_peer_buffer_after_a_fixed_meeting() -> None:
    # The meeting ends at 10:00; with a 15-minute buffer the interview's only start in a
    # day ending 11:15 is 10:15.
    problem = build(
        [peer("a")],
        [
            session("team", fixed={"day": MON, "start": "09:00"}, kind="meeting"),
            session("s"),
        ],
        day_end="11:15",
        buffer=15,
    )
    assert spans(run(problem)) == {
        "team": (MON, "09:00", "10:00", ("a",)),
        "s": (MON, "10:15", "11:15", ("a",)),
    }


def test_rule5_council_people_need_no_buffer() -> None:
    # Different peers, same attendee: back to back is fine for council people.
    problem = build(
        [peer("a"), peer("b"), person("x")],
        [
            session("s1", attendees=["x"], eligible_peers=["a"]),
            session("s2", attendees=["x"], eligible_peers=["b"]),
        ],
        day_end="11:00",
        buffer=30,
    )
    result = spans(run(problem))
    assert sorted((start, end) for _, start, end, _ in result.values()) == [
        ("09:00", "10:00"),
        ("10:00", "11:00"),
    ]


def test_checker_rule5() -> None:
    problem = build(
        [peer("a"), peer("b"), person("x")],
        [session("s1", attendees=["x"]), session("s2", attendees=["x"])],
        day_end="12:00",
        buffer=15,
    )
    assert_valid(problem, run(problem).solution)

    def timetable(s2_start: str, s2_peer: str) -> Solution:
        return Solution(
            (
                Assignment("s1", MON, hm("09:00"), hm("10:00"), ("a",)),
                Assignment("s2", MON, hm(s2_start), hm(s2_start) + 60, (s2_peer,)),
            ),
            (),
        )

    assert [str(v) for v in check_solution(problem, timetable("09:30", "b")).violations] == [
        f"rule 5: 'x' is in 's1' (09:00–10:00) and 's2' (09:30–10:30) at once on {MON}"
    ]
    assert [str(v) for v in check_solution(problem, timetable("10:00", "a")).violations] == [
        f"rule 5: peer 'a' has 0 minutes between 's1' and 's2' on {MON}; needs 15"
    ]
    assert_valid(problem, timetable("10:00", "b"))
    assert_valid(problem, timetable("10:15", "a"))


# Rule 6: a peer's daily cap, fixed meetings included.


def test_rule6_daily_cap_spreads_sessions() -> None:
    problem = build(
        [peer("a", max_sessions_per_day=1)],
        [session("s1"), session("s2")],
        days=(MON, TUE),
        day_end="12:00",
    )
    result = spans(run(problem))
    assert sorted(day for day, *_ in result.values()) == [MON, TUE]


def test_rule6_counts_fixed_meetings() -> None:
    problem = build(
        [peer("a", max_sessions_per_day=1)],
        [session("team", kind="meeting", fixed={"day": MON, "start": "09:00"}), session("s")],
        days=(MON, TUE),
    )
    result = spans(run(problem))
    assert result["team"][0] == MON
    assert result["s"][0] == TUE


def test_checker_rule6() -> None:
    problem = build(
        [peer("a", max_sessions_per_day=1)],
        [session("s1"), session("s2")],
        days=(MON, TUE),
        day_end="12:00",
    )
    good = run(problem).solution
    both_monday = Solution(
        (
            Assignment("s1", MON, hm("09:00"), hm("10:00"), ("a",)),
            Assignment("s2", MON, hm("10:00"), hm("11:00"), ("a",)),
        ),
        good.unscheduled,
    )
    assert [str(v) for v in check_solution(problem, both_monday).violations] == [
        f"rule 6: peer 'a' sits in 2 sessions on {MON}; the cap is 1"
    ]


# Rule 7: a lunch break for every peer every day.

LUNCH = {"earliest": "12:00", "latest": "13:00", "minutes": 30}


def test_rule7_lunch_forces_a_gap() -> None:
    # Two hours of sessions in 11:00-13:30: only 11:00 and 12:30 leave 30 minutes free
    # between 12:00 and 13:00.
    problem = build(
        [peer("a")],
        [session("s1"), session("s2")],
        day_start="11:00",
        day_end="13:30",
        slot=30,
        lunch=LUNCH,
    )
    result = spans(run(problem))
    assert sorted((start, end) for _, start, end, _ in result.values()) == [
        ("11:00", "12:00"),
        ("12:30", "13:30"),
    ]


def test_rule7_buffer_time_counts_as_free_for_lunch() -> None:
    # With a 15-minute buffer (and, below, a 30-minute one, as long as lunch) the only
    # layout has lunch 12:00-12:30 overlapping the buffer after the first session.
    for buffer in (15, 30):
        problem = build(
            [peer("a")],
            [session("s1"), session("s2")],
            day_start="11:00",
            day_end="13:30",
            lunch=LUNCH,
            buffer=buffer,
        )
        result = spans(run(problem))
        assert sorted((start, end) for _, start, end, _ in result.values()) == [
            ("11:00", "12:00"),
            ("12:30", "13:30"),
        ], buffer


def test_rule7_unavailable_time_counts_as_free_for_lunch() -> None:
    problem = build(
        [peer("a", unavailable=[window(MON, "12:00", "12:30")])],
        [session("s1", minutes=120), session("s2", minutes=120)],
        day_start="10:00",
        day_end="14:30",
        slot=30,
        lunch=LUNCH,
    )
    result = spans(run(problem))
    assert sorted((start, end) for _, start, end, _ in result.values()) == [
        ("10:00", "12:00"),
        ("12:30", "14:30"),
    ]


def test_checker_rule7() -> None:
    problem = build(
        [peer("a")],
        [session("s1"), session("s2")],
        day_start="11:00",
        day_end="13:30",
        slot=30,
        lunch=LUNCH,
    )
    good = run(problem).solution
    no_lunch = Solution(
        (
            Assignment("s1", MON, hm("11:30"), hm("12:30"), ("a",)),
            Assignment("s2", MON, hm("12:30"), hm("13:30"), ("a",)),
        ),
        good.unscheduled,
    )
    assert [str(v) for v in check_solution(problem, no_lunch).violations] == [
        f"rule 7: peer 'a' has no 30-minute lunch between 12:00 and 13:00 on {MON}"
    ]


def test_lunch_rule_applies_on_days_without_sessions_too() -> None:
    # A peer with nothing on is trivially fine; the check covers every day of the week.
    problem = build([peer("a")], [], days=(MON, TUE), lunch=LUNCH)
    report = check_solution(problem, Solution((), ()))
    assert report.valid
    assert format_time(problem.week.lunch.earliest) == "12:00"
