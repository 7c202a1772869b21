"""Reasons for unscheduled sessions name the people, days and sessions involved."""

from __future__ import annotations

from peerdiag.timetable.solver import Problem

from .builders import FRI, MON, THU, TUE, WED, build, peer, person, run, session, window

LUNCH = {"earliest": "12:00", "latest": "13:00", "minutes": 30}


def reasons(problem: Problem) -> dict[str, str]:
    return {u.session: u.reason for u in run(problem, time_limit=5).solution.unscheduled}


def test_member_only_free_during_the_kit_meeting() -> None:
    problem = build(
        [
            peer("lead", role="lead_peer"),
            peer("om", role="operational_manager"),
            peer("ca"),
            person("dcs", group="Senior leadership"),
            person("c40", group="Elected members", available=[window(FRI, "13:00", "14:00")]),
        ],
        [
            session(
                "kit",
                title="KIT meeting",
                kind="meeting",
                attendees=["dcs"],
                peers_needed=2,
                required_peers=["lead", "om"],
                fixed={"day": FRI, "start": "13:00"},
            ),
            session("s9", attendees=["c40"], eligible_peers=["lead", "om"], priority="should"),
        ],
        days=(THU, FRI),
    )
    assert reasons(problem) == {
        "s9": "Person C40 is available only on Friday 5 March 13:00–14:00, when both eligible "
        "peers are in 'KIT meeting'"
    }


def test_too_few_eligible_peers() -> None:
    problem = build([peer("a"), peer("b")], [session("s", peers_needed=2, eligible_peers=["a"])])
    assert reasons(problem) == {"s": "it needs 2 peers but only 1 is eligible (Peer A)"}


def test_attendee_away_on_the_sessions_days() -> None:
    problem = build(
        [peer("a"), person("x", available=[window(WED, "09:00", "17:00")])],
        [session("s", attendees=["x"], days=[MON, TUE])],
        days=(MON, TUE, WED),
    )
    assert reasons(problem) == {
        "s": "it may only run on Monday 1 March or Tuesday 2 March, but Person X is available "
        "only Wednesday 3 March 09:00–17:00"
    }


def test_attendee_never_available() -> None:
    problem = build([peer("a"), person("x", available=[])], [session("s", attendees=["x"])])
    assert reasons(problem) == {"s": "Person X is not available on any day of the timetable"}


def test_attendee_window_too_short_or_off_grid() -> None:
    short = build(
        [peer("a"), person("x", available=[window(MON, "10:00", "10:30")])],
        [session("s", attendees=["x"])],
    )
    assert reasons(short) == {
        "s": "Person X is available only Monday 1 March 10:00–10:30, never for 60 minutes in one go"
    }
    off_grid = build(
        [peer("a"), person("x", available=[window(MON, "10:05", "11:10")])],
        [session("s", attendees=["x"])],
    )
    assert reasons(off_grid) == {
        "s": "Person X is available only Monday 1 March 10:05–11:10, which holds no 60-minute "
        "session starting on the 15-minute grid"
    }


def test_attendees_never_free_together_names_only_those_who_clash() -> None:
    problem = build(
        [
            peer("a"),
            person("x", available=[window(MON, "09:00", "12:00")]),
            person("y", available=[window(MON, "13:00", "17:00")]),
            person("z"),
        ],
        [session("s", attendees=["z", "x", "y"])],
    )
    assert reasons(problem) == {
        "s": "Person X and Person Y are never free together for 60 minutes on any day (Person X "
        "is available only Monday 1 March 09:00–12:00; Person Y is available only Monday 1 "
        "March 13:00–17:00)"
    }


def test_required_peer_away_when_the_attendees_are_free() -> None:
    problem = build(
        [
            peer("a", unavailable=[window(MON, "09:00", "12:00")]),
            person("x", available=[window(MON, "09:00", "12:00")]),
        ],
        [session("s", attendees=["x"], required_peers=["a"])],
    )
    assert reasons(problem) == {
        "s": "required peer Peer A is not available whenever the attendees are all free (on "
        "Monday 1 March 09:00–12:00); Peer A is available only Monday 1 March 12:00–17:00"
    }


def test_not_enough_eligible_peers_when_the_attendees_are_free() -> None:
    problem = build(
        [
            peer("a", unavailable=[window(MON, "09:00", "12:00")]),
            peer("b"),
            person("x", available=[window(MON, "10:00", "11:00")]),
        ],
        [session("s", attendees=["x"], peers_needed=2)],
    )
    assert reasons(problem) == {
        "s": "it needs 2 peers but at most 1 of the eligible peers is available whenever the "
        "attendees are all free (on Monday 1 March 10:00–11:00); at the best time, Monday 1 "
        "March 10:00–11:00, Peer A is away"
    }


def test_fixed_session_when_an_attendee_is_away() -> None:
    problem = build(
        [peer("a"), person("x", unavailable=[window(MON, "10:00", "11:00")])],
        [session("s", attendees=["x"], fixed={"day": MON, "start": "10:00"})],
    )
    assert reasons(problem) == {
        "s": "it is fixed at Monday 1 March 10:00–11:00, but Person X is not available then"
    }


def test_attendee_taken_by_another_session() -> None:
    problem = build(
        [peer("a"), peer("b"), person("x", available=[window(MON, "10:00", "11:00")])],
        [session("s1", attendees=["x"]), session("s2", attendees=["x"], priority="should")],
    )
    assert reasons(problem) == {
        "s2": "Person X is available only on Monday 1 March 10:00–11:00, when Person X is in "
        "'Session s1'"
    }


def test_peer_at_daily_cap_or_without_a_break_or_lunch() -> None:
    def problem(second_window: str, **kwargs: object) -> Problem:
        start, end = second_window.split("-")
        return build(
            [
                peer("a", **kwargs.pop("peer", {})),  # type: ignore[arg-type]
                person("x", available=[window(MON, "10:00", "11:00")]),
                person("y", available=[window(MON, start, end)]),
            ],
            [session("s1", attendees=["x"]), session("s2", attendees=["y"], priority="could")],
            **kwargs,  # type: ignore[arg-type]
        )

    assert reasons(problem("14:00-15:00", peer={"max_sessions_per_day": 1})) == {
        "s2": "Person Y is available only on Monday 1 March 14:00–15:00, when no eligible peer "
        "is free (Peer A already has 1 session that day)"
    }
    assert reasons(problem("11:00-12:00", buffer=15)) == {
        "s2": "Person Y is available only on Monday 1 March 11:00–12:00, when no eligible peer "
        "is free (Peer A would have under 15 minutes' break next to 'Session s1')"
    }
    lunch = build(
        [
            peer("a"),
            person("x", available=[window(MON, "11:30", "12:30")]),
            person("y", available=[window(MON, "12:30", "13:30")]),
        ],
        [session("s1", attendees=["x"]), session("s2", attendees=["y"], priority="could")],
        lunch=LUNCH,
    )
    assert reasons(lunch) == {
        "s2": "Person Y is available only on Monday 1 March 12:30–13:30, when no eligible peer "
        "is free (Peer A would have no lunch break)"
    }


def test_many_possible_times_all_taken() -> None:
    # The attendee is free all day, but every start clashes with one of two long sessions.
    problem = build(
        [peer("a"), peer("b"), person("x")],
        [
            session("long1", minutes=240, attendees=["x"], eligible_peers=["a"]),
            session("long2", minutes=240, attendees=["x"], eligible_peers=["b"]),
            session("s", attendees=["x"], priority="could"),
        ],
        day_end="17:00",
    )
    reason = reasons(problem)["s"]
    assert reason.startswith("all its 29 possible start times over 1 day are taken (")
    assert "Person X is in 'Session long1'" in reason
    assert "Person X is in 'Session long2'" in reason


def test_sessions_with_the_same_title_are_told_apart() -> None:
    problem = build(
        [peer("a"), peer("b"), person("x", available=[window(MON, "10:00", "11:00")])],
        [
            session("s1", attendees=["x"], title="Focus group"),
            session("s2", attendees=["x"], title="Focus group", priority="could"),
        ],
    )
    assert reasons(problem) == {
        "s2": "Person X is available only on Monday 1 March 10:00–11:00, when Person X is in "
        "'Focus group' (s1)"
    }
