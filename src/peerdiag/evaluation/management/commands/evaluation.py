"""``peerdiag evaluation send [--date YYYY-MM-DD]``: send the evaluation surveys that are due.

Run it once each working day (cron, or a scheduler that enqueues the task of the same name).
A survey goes 10 working days after the written feedback is issued, and only once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerdiag.evaluation.domain.surveys import send_due_surveys


class Command(BaseCommand):
    help = "Evaluation: 'send' e-mails the sponsor and organiser the surveys that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["send"], help="send")
        parser.add_argument("--date", help="the day to act as (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("date")
        try:
            day = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be a date like 2027-03-01, not {raw!r}") from None
        sent = send_due_surveys(day)
        self.stdout.write(f"Sent {sent} evaluation survey(s) for {day.isoformat()}")
