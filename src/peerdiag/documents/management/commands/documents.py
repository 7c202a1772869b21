"""``peerdiag documents remind [--date YYYY-MM-DD]``: send the day's key document reminders.

Run it once each working day (cron, or a scheduler that enqueues the task of the same name).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerdiag.common.commands import add_date_argument, day_from
from peerdiag.documents.domain.reminders import send_reminders


class Command(BaseCommand):
    help = "Key documents: 'remind' e-mails council organisers about documents still due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["remind"], help="remind")
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_from(options)
        sent = send_reminders(day)
        self.stdout.write(f"Sent {sent} reminder e-mail(s) for {day.isoformat()}")
