"""``peerdiag timetable solve|check``: the scheduler's command line.

Exit codes: 0 success; 1 the checked solution breaks a rule; 2 bad input (unreadable or
malformed files, bad options), with one line per mistake on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .check import check_solution
from .engine import solve
from .io import ProblemError, dumps, load_problem, load_solution, solution_to_dict
from .model import Problem

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def build_parser(prog: str = "peerdiag timetable") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Timetable a delivery week, or check a timetable."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    solve = commands.add_parser(
        "solve",
        help="timetable a problem",
        description="Timetable PROBLEM.json. Progress goes to stderr; the solution to "
        "stdout, or to the file given with -o.",
    )
    solve.add_argument("problem", metavar="PROBLEM.json")
    solve.add_argument("-o", "--output", metavar="SOLUTION.json", help="write the solution here")
    solve.add_argument(
        "--time-limit",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="stop searching after this long (default 60)",
    )
    solve.add_argument(
        "--workers",
        type=_positive_int,
        default=default_workers(),
        metavar="N",
        help="search threads (default: CPU count, at most 8; "
        "give it explicitly for results that repeat across machines)",
    )
    check = commands.add_parser(
        "check",
        help="check a solution against a problem",
        description="Exit 0 and print the quality figures if SOLUTION.json keeps every "
        "rule of PROBLEM.json; exit 1 listing every violation otherwise.",
    )
    check.add_argument("problem", metavar="PROBLEM.json")
    check.add_argument("solution", metavar="SOLUTION.json")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    prog: str = "peerdiag timetable",
) -> int:
    """Run the command line; returns the exit code rather than exiting."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser(prog)
    try:
        # argparse prints help and errors on sys.stdout / sys.stderr; send them to ours.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse reports and exits 2 (or 0 for --help)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if args.command == "solve":
        return _solve(args, out, err)
    return _check(args, out, err)


def _load(path: str, err: TextIO) -> Problem | None:
    try:
        return load_problem(path)
    except ProblemError as exc:
        for line in exc.lines():
            print(f"{path}: {line}", file=err)
        return None


def _solve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    problem = _load(args.problem, err)
    if problem is None:
        return EXIT_BAD_INPUT

    def progress(line: str) -> None:
        print(line, file=err, flush=True)

    result = solve(problem, time_limit=args.time_limit, workers=args.workers, progress=progress)
    for stage in result.stats.stages:
        proof = "proven optimal" if stage.proven else f"best found; bound {stage.bound}"
        print(f"{stage.name}: {stage.value} ({proof})", file=err)
    for line in result.quality.lines():
        print(line, file=err)
    text = dumps(solution_to_dict(result.solution))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"{args.output}: cannot write: {exc.strerror or exc}", file=err)
            return EXIT_BAD_INPUT
    else:
        out.write(text)
    return EXIT_OK


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    problem = _load(args.problem, err)
    try:
        solution = load_solution(args.solution)
    except ProblemError as exc:
        for line in exc.lines():
            print(f"{args.solution}: {line}", file=err)
        return EXIT_BAD_INPUT
    if problem is None:
        return EXIT_BAD_INPUT
    report = check_solution(problem, solution)
    if report.valid:
        print("valid: every hard rule holds", file=out)
        for line in report.quality.lines():
            print(line, file=out)
        return EXIT_OK
    for violation in report.violations:
        print(violation, file=out)
    n = len(report.violations)
    print(f"invalid: {n} violation{'s' if n != 1 else ''}", file=out)
    return EXIT_INVALID


if __name__ == "__main__":  # pragma: no cover - ``python -m peerdiag.timetable.solver.cli``
    raise SystemExit(main())
