"""``peerdiag timetable solve|check``: the Django command hands over to the scheduler CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.timetable.solver.builders import MON, peer, person, problem_doc, session, window


def problem_file(tmp_path: Path) -> Path:
    doc = problem_doc(
        [peer("a"), person("x", available=[window(MON, "10:00", "11:00")])],
        [session("s1", attendees=["x"])],
        day_end="12:00",
    )
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_solve_and_check_through_call_command(tmp_path: Path) -> None:
    problem = problem_file(tmp_path)
    solution = tmp_path / "solution.json"
    err = io.StringIO()
    call_command(
        "timetable",
        "solve",
        str(problem),
        "-o",
        str(solution),
        "--workers",
        "1",
        "--time-limit",
        "5",
        stderr=err,
    )
    assert "weight: 100 (proven optimal)" in err.getvalue()
    placed = json.loads(solution.read_text(encoding="utf-8"))["assignments"]
    assert placed == [
        {"session": "s1", "day": MON, "start": "10:00", "end": "11:00", "peers": ["a"]}
    ]
    out = io.StringIO()
    call_command("timetable", "check", str(problem), str(solution), stdout=out)
    # Output passes through unchanged: no extra blank lines from Django's wrapper.
    assert out.getvalue().splitlines()[:2] == ["valid: every hard rule holds", "weight: 100 of 100"]


def test_invalid_solution_exits_1(tmp_path: Path) -> None:
    problem = problem_file(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "peer-diagnostic-timetable-solution/1",
                "assignments": [],
                "unscheduled": [],
            }
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("timetable", "check", str(problem), str(bad), stdout=out)
    assert caught.value.code == 1
    assert out.getvalue().splitlines() == [
        "coverage: session 's1' is neither assigned nor unscheduled",
        "invalid: 1 violation",
    ]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "peerdiag", "timetable", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_command_line_exit_codes(tmp_path: Path) -> None:
    problem = problem_file(tmp_path)
    done = run("solve", str(problem), "--workers", "1", "--time-limit", "5")
    assert done.returncode == 0
    assert json.loads(done.stdout)["unscheduled"] == []

    missing = run("check", str(problem))
    assert missing.returncode == 2
    assert "required: SOLUTION.json" in missing.stderr

    malformed = tmp_path / "malformed.json"
    malformed.write_text("{}", encoding="utf-8")
    bad = run("solve", str(malformed))
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[0] == f"{malformed}: $: missing key 'format'"

    assert run("export").returncode == 2
