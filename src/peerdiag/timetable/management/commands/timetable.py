"""``peerdiag timetable solve|check|export``.

solve and check hand over to the scheduler's own command line: the scheduler package parses
its own options (see ``peerdiag.timetable.solver.cli``); this command only passes the words
after ``timetable`` through and exits with the code it gets back: 0 done, 1 an invalid
timetable, 2 bad input or options.

export writes the published timetable of a diagnostic held by the app: ``--format json`` (the
problem and solution in the shared format, together or with ``--problem``/``--solution`` as two
files that ``check`` takes), ``xlsx`` or ``ics``. It exits 2 with one line saying what to fix.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper

from peerdiag.common.errors import DomainError
from peerdiag.timetable.solver import cli

SUBCOMMANDS = ("solve", "check", "export")
FORMATS = ("json", "xlsx", "ics")


class _Passthrough:
    """A text stream that writes through Django's OutputWrapper unchanged.

    OutputWrapper adds a newline to every write and may colour stderr; the scheduler's
    output (JSON, one line per message) must reach the stream exactly as written.
    """

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper
        self._plain: Callable[[str], str] = lambda text: text

    def write(self, text: str) -> int:
        self._wrapper.write(text, style_func=self._plain, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()


class Command(BaseCommand):
    help = (
        "Timetable a delivery week from a problem file (solve), or check a timetable "
        "against one (check). Run 'peerdiag timetable solve --help' for the options."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=SUBCOMMANDS, help="solve, check or export")
        parser.add_argument(
            "args",
            nargs=argparse.REMAINDER,
            help="the subcommand's own arguments (PROBLEM.json, -o, --time-limit ...)",
        )

    def handle(self, *args: str, **options: Any) -> None:
        if options["subcommand"] == "export":
            code = export(
                list(args),
                stdout=_Passthrough(self.stdout),  # type: ignore[arg-type]
                stderr=_Passthrough(self.stderr),  # type: ignore[arg-type]
            )
            if code:
                sys.exit(code)
            return
        code = cli.main(
            [options["subcommand"], *args],
            stdout=_Passthrough(self.stdout),  # type: ignore[arg-type]
            stderr=_Passthrough(self.stderr),  # type: ignore[arg-type]
        )
        if code:
            sys.exit(code)


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peerdiag timetable export",
        description="Write the published timetable of diagnostic REF. JSON and iCalendar go "
        "to stdout unless -o is given; a spreadsheet needs -o.",
    )
    parser.add_argument("reference", metavar="REF", help="the diagnostic, e.g. RPD-2027-001")
    parser.add_argument("--format", choices=FORMATS, required=True)
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--problem", metavar="FILE", help="json only: write the problem document here"
    )
    parser.add_argument(
        "--solution", metavar="FILE", help="json only: write the solution document here"
    )
    return parser


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise DomainError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def export(argv: list[str], *, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``timetable export``; returns the exit code (0 written, 2 something to fix)."""
    from peerdiag.timetable.domain import export as exports

    parser = export_parser()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else cli.EXIT_BAD_INPUT
    try:
        if (args.problem or args.solution) and args.format != "json":
            raise DomainError("--problem and --solution go with --format json only")
        if bool(args.problem) != bool(args.solution):
            raise DomainError("Give both --problem and --solution, or neither")
        if args.format == "xlsx" and not args.output:
            raise DomainError("A spreadsheet cannot go to the terminal: give -o FILE.xlsx")
        diagnostic = exports.diagnostic_by_reference(args.reference)
        if args.format == "json":
            if args.problem:
                problem, solution = exports.export_documents(diagnostic)
                _write(args.problem, _json(problem))
                _write(args.solution, _json(solution))
                return cli.EXIT_OK
            data = _json(exports.export_json(diagnostic))
        elif args.format == "xlsx":
            data = exports.export_xlsx(diagnostic)
        else:
            data = exports.export_ics(diagnostic)
        if args.output:
            _write(args.output, data)
        else:
            stdout.write(data.decode("utf-8"))
    except DomainError as exc:
        print(f"peerdiag timetable export: {exc.message}", file=stderr)
        return cli.EXIT_BAD_INPUT
    return cli.EXIT_OK


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
