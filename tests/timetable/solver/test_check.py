"""The checker: coverage of every session, and the quality figures."""

from __future__ import annotations

from peerdiag.timetable.solver import Assignment, Solution, Unscheduled, check_solution

from .builders import MON, TUE, build, peer, person, session


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def problem_with_previous():  # type: ignore[no-untyped-def]
    return build(
        [peer("a"), peer("b"), peer("c"), person("x")],
        [
            session(
                "team",
                kind="meeting",
                minutes=30,
                peers_needed=3,
                required_peers=["a", "b", "c"],
                fixed={"day": MON, "start": "09:00"},
            ),
            session("s1", attendees=["x"], priority="must"),
            session("s2", minutes=90, priority="should"),
            session("s3", minutes=45, priority="could"),
        ],
        days=(MON, TUE),
        previous=[
            {"session": "s1", "day": MON, "start": "10:00", "peers": ["a"]},
            {"session": "s2", "day": MON, "start": "11:00", "peers": ["b"]},
            {"session": "s3", "day": TUE, "start": "09:00", "peers": ["c"]},
        ],
    )


def test_quality_figures() -> None:
    problem = problem_with_previous()
    solution = Solution(
        (
            Assignment("team", MON, hm("09:00"), hm("09:30"), ("a", "b", "c")),
            Assignment("s1", MON, hm("10:00"), hm("11:00"), ("a",)),  # as before
            Assignment("s2", MON, hm("11:00"), hm("12:30"), ("c",)),  # other peer
        ),
        (Unscheduled("s3", "dropped for the test"),),  # was placed: a change
    )
    report = check_solution(problem, solution)
    assert report.valid
    q = report.quality
    assert (q.weight, q.max_weight) == (210, 211)
    assert (q.musts_placed, q.musts_total) == (2, 2)
    assert (q.scheduled, q.sessions) == (3, 4)
    assert q.changes == 2
    # Minutes include the fixed meeting; b sat in nothing else.
    assert dict(q.peer_minutes) == {"a": 90, "b": 30, "c": 120}
    assert q.fairness == 90
    # Monday: the meeting's 3 x 30, s1's 60 and s2's 90 peer-minutes; Tuesday has nothing.
    assert q.day_peak == 240
    assert q.day_minutes == ((MON, 240), (TUE, 0))
    assert q.lines() == [
        "weight: 210 of 211",
        "musts placed: 2 of 2",
        "sessions scheduled: 3 of 4",
        "changes against previous: 2",
        "busiest day: 240 peer-minutes",
        f"peer-minutes by day: {MON} 240, {TUE} 0",
        "fairness spread: 90 minutes",
        "peer minutes: a 90, b 30, c 120",
    ]


def test_peer_order_does_not_count_as_a_change() -> None:
    problem = build(
        [peer("a"), peer("b")],
        [session("s", peers_needed=2)],
        previous=[{"session": "s", "day": MON, "start": "10:00", "peers": ["b", "a"]}],
    )
    solution = Solution((Assignment("s", MON, hm("10:00"), hm("11:00"), ("a", "b")),), ())
    assert check_solution(problem, solution).quality.changes == 0


def test_without_previous_there_is_no_change_count() -> None:
    problem = build([peer("a")], [session("s")])
    solution = Solution((Assignment("s", MON, hm("10:00"), hm("11:00"), ("a",)),), ())
    assert check_solution(problem, solution).quality.changes is None


def test_coverage_violations() -> None:
    problem = build([peer("a")], [session("s1"), session("s2"), session("s3")])
    solution = Solution(
        (
            Assignment("s1", MON, hm("09:00"), hm("10:00"), ("a",)),
            Assignment("s9", MON, hm("11:00"), hm("12:00"), ("a",)),
        ),
        (Unscheduled("s1", "twice"), Unscheduled("s2", "  ")),
    )
    assert [str(v) for v in check_solution(problem, solution).violations] == [
        "coverage: assignments[1]: unknown session 's9'",
        "coverage: unscheduled[0]: session 's1' already appears at assignments[0]",
        "coverage: unscheduled[1]: no reason given",
        "coverage: session 's3' is neither assigned nor unscheduled",
    ]


def test_unknown_peer_is_a_rule3_violation_and_does_not_crash() -> None:
    problem = build([peer("a")], [session("s")])
    solution = Solution((Assignment("s", MON, hm("09:00"), hm("10:00"), ("zz",)),), ())
    assert [str(v) for v in check_solution(problem, solution).violations] == [
        "rule 3: session 's': 'zz' is not a peer",
    ]
