"""`peerdiag retention run`: destroy whatever personal data is due today (daily).

Case content first, then every step other apps register (peerdiag.diagnostics.domain.retention
lists the schedules); one line per diagnostic and kind of data destroyed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerdiag.casereview.domain.retention import run_retention


class Command(BaseCommand):
    help = (
        "Destroy case content, peer notes and the other personal data whose date has come "
        "(see docs/operations.md) and record it. Safe to run every day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("run", help="destroy whatever is due today")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        result = run_retention()
        if result.destroyed:
            self.stdout.write("Destroyed case content of " + ", ".join(result.destroyed))
        for what, reference in result.others:
            self.stdout.write(f"Destroyed {what} of {reference}")
        if not result.destroyed and not result.others:
            self.stdout.write("Nothing is due for destruction today")
