"""``peerdiag tasks requeue-stale [--older-than SECONDS]``: retry tasks a dead worker left.

Not needed for `peerdiag db_worker`, which notices a dead worker by itself within a minute (see
peerdiag.common.jobs); run it by hand to put work back at once, or for tasks of a worker started
without a heartbeat. See peerdiag.common.tasks_recovery for when a task counts as stale.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerdiag.common.tasks_recovery import requeue_stale_tasks


class Command(BaseCommand):
    help = "Background tasks: 'requeue-stale' retries tasks left running by a worker that died."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        requeue = sub.add_parser("requeue-stale", help="retry tasks running for too long")
        requeue.add_argument(
            "--older-than",
            type=int,
            default=1800,
            help="seconds a task must have been running to count as stale (default 1800)",
        )

    def handle(self, *args: Any, action: str, older_than: int, **options: Any) -> None:
        if older_than < 1:
            raise CommandError(f"--older-than must be 1 or more, not {older_than}")
        ids = requeue_stale_tasks(older_than=timedelta(seconds=older_than))
        if ids:
            self.stdout.write(f"Put back {len(ids)} stale tasks: " + ", ".join(ids))
        else:
            self.stdout.write("No stale tasks")
