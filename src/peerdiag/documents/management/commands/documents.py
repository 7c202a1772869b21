"""``peerdiag documents remind [--date YYYY-MM-DD]``: send the day's key document reminders.

Run it once each working day (cron, or a scheduler that enqueues the task of the same name).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerdiag.documents.domain.reminders import send_reminders


class Command(BaseCommand):
    help = "Key documents: 'remind' e-mails council organisers about documents still due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["remind"], help="remind")
        parser.add_argument("--date", help="the day to act as (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("date")
        try:
            day = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be a date like 2027-03-01, not {raw!r}") from None
        sent = send_reminders(day)
        self.stdout.write(f"Sent {sent} reminder e-mail(s) for {day.isoformat()}")
