"""``peerdiag written_feedback remind [--date YYYY-MM-DD]``: send the day's reminders that
written feedback falls due (14 and 3 days before).

Run it once a day (cron, or a scheduler that enqueues send_written_feedback_reminders).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerdiag.reports.domain.reminders import send_reminders


class Command(BaseCommand):
    help = "Written feedback: 'remind' e-mails PCMs and lead peers as the due date nears."

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
        for s in sent:
            self.stdout.write(
                f"{s.reference}: due {s.due_on.isoformat()} in {s.days_before} days, "
                f"reminded {', '.join(s.to)}"
            )
        self.stdout.write(f"Sent {len(sent)} reminder e-mail(s) for {day.isoformat()}")
