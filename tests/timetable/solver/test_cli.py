"""The scheduler's command line: output streams and exit codes 0, 1 and 2."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from peerdiag.timetable.solver.cli import main

from .builders import MON, peer, person, problem_doc, session, window


def problem() -> dict[str, Any]:
    return problem_doc(
        [peer("a"), person("x", available=[window(MON, "10:00", "11:00")]), person("y")],
        [session("s1", attendees=["x"]), session("s2", attendees=["y"], priority="should")],
        day_end="12:00",
    )


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, doc: Any) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_solve_to_stdout_then_check(tmp_path: Path) -> None:
    p = write(tmp_path / "p.json", problem())
    code, out, err = run("solve", p, "--workers", "1", "--time-limit", "5")
    assert code == 0
    solution = json.loads(out)
    assert solution["format"] == "peer-diagnostic-timetable-solution/1"
    placed = {a["session"]: a for a in solution["assignments"]}
    assert sorted(placed) == ["s1", "s2"]
    assert placed["s1"]["start"] == "10:00"
    # Progress on stderr: best weight, bound and elapsed time.
    assert re.search(r"^\[ *\d+\.\d\ds\] weight: 110, bound 110", err, re.MULTILINE)
    assert "weight: 110 (proven optimal)" in err

    s = write(tmp_path / "s.json", solution)
    code, out, err = run("check", p, s)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "valid: every hard rule holds",
        "weight: 110 of 110",
        "musts placed: 1 of 1",
        "sessions scheduled: 2 of 2",
        "busiest day: 120 peer-minutes",
        "peer-minutes by day: 2027-03-01 120",
        "fairness spread: 0 minutes",
        "peer minutes: a 120",
    ]


def test_solve_to_a_file(tmp_path: Path) -> None:
    p = write(tmp_path / "p.json", problem())
    target = tmp_path / "out.json"
    code, out, _ = run("solve", p, "-o", str(target), "--workers", "1", "--time-limit", "5")
    assert (code, out) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["unscheduled"] == []


def test_check_lists_every_violation(tmp_path: Path) -> None:
    p = write(tmp_path / "p.json", problem())
    s = write(
        tmp_path / "s.json",
        {
            "format": "peer-diagnostic-timetable-solution/1",
            "assignments": [
                {"session": "s1", "day": MON, "start": "09:00", "end": "10:00", "peers": ["a"]},
                {"session": "s2", "day": MON, "start": "09:30", "end": "10:30", "peers": []},
            ],
            "unscheduled": [],
        },
    )
    code, out, err = run("check", p, s)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "rule 4: 'x' is not available for all of session 's1' (2027-03-01 09:00–10:00)",
        "rule 3: session 's2' has 0 peers but needs 1",
        "invalid: 2 violations",
    ]


def test_malformed_input_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    doc = problem()
    doc["sessions"][0]["attendees"] = ["nobody"]
    doc["sessions"][1]["minutes"] = 900
    p = write(tmp_path / "p.json", doc)
    code, out, err = run("solve", p)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{p}: $.sessions[0].attendees[0]: unknown person 'nobody'",
        f"{p}: $.sessions[1].minutes: 900 minutes is longer than the day (09:00–12:00, "
        "180 minutes)",
    ]
    code, out, err = run("check", p, str(tmp_path / "missing.json"))
    assert code == 2
    assert len(err.splitlines()) == 3


def test_bad_options_exit_2() -> None:
    code, out, err = run("solve")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "peerdiag timetable solve: error: the following arguments are required: PROBLEM.json"
    )
    assert run("solve", "p.json", "--workers", "0")[0] == 2
    assert run("solve", "p.json", "--time-limit", "soon")[0] == 2
    assert run("frobnicate")[0] == 2
    assert run()[0] == 2
    code, out, _ = run("--help")
    assert code == 0
    assert out.startswith("usage: peerdiag timetable")
