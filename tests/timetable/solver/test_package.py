"""Package boundaries, determinism and the first-fit baseline."""

from __future__ import annotations

import json
import subprocess
import sys

from peerdiag.timetable.solver import (
    check_solution,
    greedy_solution,
    parse_problem,
    solution_to_dict,
    solve,
)

from .builders import MON, TUE, WED, peer, person, problem_doc, session, window


def modules_after(code: str) -> set[str]:
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_importing_the_solver_imports_neither_ortools_nor_django() -> None:
    loaded = modules_after("import peerdiag\nimport peerdiag.timetable.solver")
    assert "ortools" not in loaded
    assert "django" not in loaded


def test_the_management_command_does_not_import_ortools_either() -> None:
    loaded = modules_after("import peerdiag.timetable.management.commands.timetable")
    assert "ortools" not in loaded


def test_solving_imports_ortools() -> None:
    doc = json.dumps(problem_doc([peer("a")], [session("s")]))
    code = (
        "import json\n"
        "from peerdiag.timetable.solver import parse_problem, solve\n"
        f"solve(parse_problem(json.loads({doc!r})), time_limit=2)"
    )
    assert "ortools" in modules_after(code)


def busy_week() -> dict:  # type: ignore[type-arg]
    people = [peer("a"), peer("b"), peer("c", max_sessions_per_day=2)]
    people += [
        person(f"x{i}", available=[window(MON if i % 2 else TUE, "09:00", "13:00")])
        for i in range(6)
    ]
    people += [person(f"y{i}") for i in range(4)]
    sessions = [
        session(
            f"s{i}",
            minutes=[45, 60, 90][i % 3],
            attendees=[f"x{i % 6}", f"y{i % 4}"],
            peers_needed=1 + i % 2,
            priority=["must", "should", "could"][i % 3],
        )
        for i in range(14)
    ]
    lunch = {"earliest": "12:00", "latest": "14:00", "minutes": 30}
    return problem_doc(people, sessions, days=(MON, TUE, WED), lunch=lunch, buffer=15)


def test_same_input_same_solution() -> None:
    problem = parse_problem(busy_week())
    for workers in (1, 2):
        first = solution_to_dict(solve(problem, time_limit=10, workers=workers).solution)
        second = solution_to_dict(solve(problem, time_limit=10, workers=workers).solution)
        assert first == second, workers


def test_greedy_baseline_is_valid_and_no_better_than_the_solver() -> None:
    problem = parse_problem(busy_week())
    baseline = check_solution(problem, greedy_solution(problem))
    assert baseline.valid
    solved = solve(problem, time_limit=10, workers=1)
    assert solved.quality.weight >= baseline.quality.weight
    assert solved.stats.repeatable


def test_groups_that_cannot_all_fit_bound_the_weight_up_front() -> None:
    # Three 90-minute focus groups all need one person with a single two-hour window:
    # only one fits, which the per-group bound shows before any search.
    lines: list[str] = []
    problem = parse_problem(
        problem_doc(
            [
                peer("a"),
                peer("b"),
                peer("c"),
                person("x", available=[window(MON, "14:00", "16:00")]),
            ],
            [
                session("g1", minutes=90, attendees=["x"], eligible_peers=["a"]),
                session("g2", minutes=90, attendees=["x"], eligible_peers=["b"], priority="should"),
                session("g3", minutes=90, attendees=["x"], eligible_peers=["c"], priority="could"),
            ],
        )
    )
    result = solve(problem, time_limit=10, workers=1, progress=lines.append)
    weight = result.stats.stage("weight")
    assert weight is not None
    assert (weight.status, weight.value, weight.bound) == ("optimal", 100, 100)
    assert any("weight: at most 100 (1 group of" in line for line in lines)
    assert [u.session for u in result.solution.unscheduled] == ["g2", "g3"]
