"""``peerdiag timetable solve|check``: hands over to the scheduler's own command line.

The scheduler package parses its own options (see ``peerdiag.timetable.solver.cli``); this
command only passes the words after ``timetable`` through and exits with the code it gets
back: 0 done, 1 an invalid timetable, 2 bad input or options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper

from peerdiag.timetable.solver import cli

SUBCOMMANDS = ("solve", "check")


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
        parser.add_argument("subcommand", choices=SUBCOMMANDS, help="solve or check")
        parser.add_argument(
            "args",
            nargs=argparse.REMAINDER,
            help="the subcommand's own arguments (PROBLEM.json, -o, --time-limit ...)",
        )

    def handle(self, *args: str, **options: Any) -> None:
        code = cli.main(
            [options["subcommand"], *args],
            stdout=_Passthrough(self.stdout),  # type: ignore[arg-type]
            stderr=_Passthrough(self.stderr),  # type: ignore[arg-type]
        )
        if code:
            sys.exit(code)
