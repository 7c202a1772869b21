"""``peerdiag written_feedback remind [--date YYYY-MM-DD]``: send the day's reminders that
written feedback falls due (14 and 3 days before).

Run it once a day (cron, or a scheduler that enqueues send_written_feedback_reminders).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerdiag.common.commands import add_date_argument, day_from
from peerdiag.reports.domain.reminders import send_reminders


class Command(BaseCommand):
    help = "Written feedback: 'remind' e-mails PCMs and lead peers as the due date nears."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["remind"], help="remind")
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_from(options)
        sent = send_reminders(day)
        for s in sent:
            self.stdout.write(
                f"{s.reference}: due {s.due_on.isoformat()} in {s.days_before} days, "
                f"reminded {', '.join(s.to)}"
            )
        self.stdout.write(f"Sent {len(sent)} reminder e-mail(s) for {day.isoformat()}")
