"""Reading problems and solutions: every mistake is reported with its JSON path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from peerdiag.timetable.solver import (
    ProblemError,
    load_problem,
    parse_problem,
    parse_solution,
    problem_to_dict,
    solution_to_dict,
)

from .builders import MON, TUE, peer, person, problem_doc, session, window


def base() -> dict[str, Any]:
    return problem_doc(
        [peer("lead", role="lead_peer", max_sessions_per_day=5), peer("om"), person("c17")],
        [session("s1", attendees=["c17"], required_peers=["lead"], peers_needed=2)],
        days=(MON, TUE),
        day_end="17:30",
        previous=[{"session": "s1", "day": MON, "start": "10:00", "peers": ["lead", "om"]}],
    )


def errors(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(ProblemError) as caught:
        parse_problem(doc)
    return caught.value.errors


def test_a_valid_problem_round_trips() -> None:
    doc = base()
    problem = parse_problem(doc)
    assert problem.session("s1").required_peers == ("lead",)
    assert problem.person("lead").max_sessions_per_day == 5
    assert problem.previous[0].start == 600
    again = parse_problem(problem_to_dict(problem))
    assert again == problem


def test_unknown_attendee() -> None:
    doc = base()
    doc["sessions"][0]["attendees"] = ["c17", "c99"]
    assert errors(doc) == [("$.sessions[0].attendees[1]", "unknown person 'c99'")]


def test_session_longer_than_the_day() -> None:
    doc = base()
    doc["sessions"][0]["minutes"] = 600
    assert errors(doc) == [
        ("$.sessions[0].minutes", "600 minutes is longer than the day (09:00–17:30, 510 minutes)")
    ]


def test_fixed_start_off_the_grid() -> None:
    doc = base()
    doc["sessions"][0]["fixed"] = {"day": MON, "start": "10:10"}
    assert errors(doc) == [
        (
            "$.sessions[0].fixed.start",
            "10:10 is off the 15-minute grid that starts at 09:00",
        )
    ]


def test_fixed_session_running_past_the_day() -> None:
    doc = base()
    doc["sessions"][0]["fixed"] = {"day": MON, "start": "17:00"}
    assert errors(doc) == [
        (
            "$.sessions[0].fixed.start",
            "starting at 17:00 the session would end at 18:00, after the day ends at 17:30",
        )
    ]


def test_lunch_that_cannot_fit() -> None:
    doc = base()
    doc["week"]["lunch"] = {"earliest": "12:00", "latest": "12:20", "minutes": 30}
    assert errors(doc) == [
        ("$.week.lunch", "a 30-minute lunch cannot fit between 12:00 and 12:20"),
    ]


def test_every_mistake_is_reported_at_once() -> None:
    doc = base()
    doc["format"] = "something/2"
    doc["week"]["slot_minutes"] = 0
    doc["people"][0]["role"] = "captain"
    doc["people"][2]["available"] = [window("2027-04-01", "10:00", "09:00")]
    doc["sessions"][0]["priority"] = "urgent"
    doc["sessions"][0]["required_peers"] = ["c17"]
    doc["sessions"].append(copy.deepcopy(doc["sessions"][0]))
    doc["sessions"][1]["kind"] = "lecture"
    doc["previous"][0]["peers"] = ["ghost"]
    doc["extra"] = 1
    found = errors(doc)
    assert found == [
        ("$.extra", "unknown key"),
        ("$.format", "expected 'peer-diagnostic-timetable/1', got 'something/2'"),
        ("$.week.slot_minutes", "must be at least 1, got 0"),
        (
            "$.people[0].role",
            "expected one of 'lead_peer', 'operational_manager', 'peer_challenge_manager', "
            "'case_auditor', got 'captain'",
        ),
        ("$.people[2].available[0].end", "must be after the start (10:00), got 09:00"),
        (
            "$.sessions[0].required_peers[0]",
            "'c17' is not a peer (council people are listed as attendees)",
        ),
        ("$.sessions[0].priority", "expected one of 'must', 'should', 'could', got 'urgent'"),
        ("$.sessions[1].id", "session id 's1' is already used at $.sessions[0]"),
        (
            "$.sessions[1].kind",
            "expected one of 'interview', 'focus_group', 'meeting', got 'lecture'",
        ),
        (
            "$.sessions[1].required_peers[0]",
            "'c17' is not a peer (council people are listed as attendees)",
        ),
        ("$.sessions[1].priority", "expected one of 'must', 'should', 'could', got 'urgent'"),
        ("$.previous[0].peers[0]", "unknown person 'ghost'"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sessions"][0].update(attendees=["om"]),
            [
                (
                    "$.sessions[0].attendees[0]",
                    "'om' is not a council person (peers sit in via peers_needed, "
                    "required_peers and eligible_peers)",
                )
            ],
        ),
        (
            lambda d: d["sessions"][0].update(peers_needed=0),
            [("$.sessions[0].required_peers", "lists 1 required peers but peers_needed is 0")],
        ),
        (
            lambda d: d["sessions"][0].update(eligible_peers=["om"]),
            [
                (
                    "$.sessions[0].required_peers[0]",
                    "required peer 'lead' is not among eligible_peers",
                )
            ],
        ),
        (
            lambda d: d["sessions"][0].update(days=[]),
            [("$.sessions[0].days", "is empty; use null to allow any day")],
        ),
        (
            lambda d: d["sessions"][0].update(days=["2027-03-09"]),
            [("$.sessions[0].days[0]", "2027-03-09 is not one of the week's days")],
        ),
        (
            lambda d: d["sessions"][0].update(days=[TUE], fixed={"day": MON, "start": "10:00"}),
            [("$.sessions[0].fixed.day", "2027-03-01 is not among the session's days")],
        ),
        (
            lambda d: d["sessions"][0].update(minutes=True),
            [("$.sessions[0].minutes", "expected a whole number, got true/false")],
        ),
        (
            lambda d: d["people"][1].update(id="lead"),
            [
                ("$.people[1].id", "person id 'lead' is already used at $.people[0]"),
                ("$.previous[0].peers[1]", "unknown person 'om'"),
            ],
        ),
        (
            lambda d: d["people"][2].update(max_sessions_per_day=3),
            [("$.people[2].max_sessions_per_day", "applies to peers only")],
        ),
        (
            lambda d: d["people"][2].update(role="lead_peer"),
            [("$.people[2].role", "only peers have a role; council people have a group")],
        ),
        (
            lambda d: d["people"][1].pop("role"),
            [("$.people[1]", "missing key 'role' (every peer has one)")],
        ),
        (
            lambda d: d["week"].update(day_start="9am"),
            [("$.week.day_start", "expected a time HH:MM, got '9am'")],
        ),
        (
            lambda d: d["week"].update(days=["2027-02-30"]),
            [("$.week.days[0]", "expected a date YYYY-MM-DD, got '2027-02-30'")],
        ),
        (
            lambda d: d["week"].update(day_end="08:00"),
            [("$.week.day_end", "the day must end after it starts (09:00), got 08:00")],
        ),
        (
            lambda d: d["previous"][0].update(session="s9"),
            [("$.previous[0].session", "unknown session 's9'")],
        ),
        (
            lambda d: d.pop("rules"),
            [("$", "missing key 'rules'")],
        ),
    ],
)
def test_each_mistake(change: Any, expected: list[tuple[str, str]]) -> None:
    doc = base()
    change(doc)
    assert errors(doc) == expected


@pytest.mark.parametrize(
    "key", ["id", "title", "kind", "minutes", "attendees", "peers_needed", "priority"]
)
def test_a_session_missing_a_key_is_reported_not_a_crash(key: str) -> None:
    doc = base()
    doc["sessions"][0].pop(key)
    found = errors(doc)
    assert ("$.sessions[0]", f"missing key '{key}'") in found


def test_not_an_object() -> None:
    assert errors([]) == [("$", "expected an object, got a list")]


def test_load_problem_reports_bad_json_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        load_problem(bad)
    assert caught.value.lines() == [
        "$: not valid JSON: Expecting value at line 1 column 12",
    ]
    with pytest.raises(ProblemError) as caught:
        load_problem(tmp_path / "missing.json")
    assert caught.value.errors[0][1].startswith("cannot read ")


def test_solution_round_trip_and_shape_errors() -> None:
    doc = {
        "format": "peer-diagnostic-timetable-solution/1",
        "assignments": [
            {"session": "s1", "day": MON, "start": "10:00", "end": "11:00", "peers": ["a"]}
        ],
        "unscheduled": [{"session": "s2", "reason": "Person X is away all week"}],
    }
    solution = parse_solution(doc)
    assert solution_to_dict(solution) == doc
    broken = json.loads(json.dumps(doc))
    broken["assignments"][0]["start"] = "25:00"
    broken["assignments"][0]["peers"] = "a"
    broken["unscheduled"][0]["reason"] = ""
    with pytest.raises(ProblemError) as caught:
        parse_solution(broken)
    assert caught.value.errors == [
        ("$.assignments[0].start", "expected a time HH:MM, got '25:00'"),
        ("$.assignments[0].peers", "expected a list, got the string 'a'"),
        ("$.unscheduled[0].reason", "expected a non-empty string, got an empty string"),
    ]
