"""``peerdiag evaluation send [--date YYYY-MM-DD]``: send the evaluation surveys that are due.

Run it once each working day (cron, or a scheduler that enqueues the task of the same name).
A survey goes 10 working days after the written feedback is issued, and only once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerdiag.common.commands import add_date_argument, day_from
from peerdiag.evaluation.domain.surveys import send_due_surveys


class Command(BaseCommand):
    help = "Evaluation: 'send' e-mails the sponsor and organiser the surveys that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["send"], help="send")
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_from(options)
        sent = send_due_surveys(day)
        self.stdout.write(f"Sent {sent} evaluation survey(s) for {day.isoformat()}")
