"""What the management commands share: the `--date` option of the daily jobs.

`peerdiag documents remind`, `peerdiag evaluation send` and `peerdiag written_feedback remind`
each act as of a day, today unless told otherwise (to catch up a missed day, or to try one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone


def add_date_argument(parser: CommandParser) -> None:
    parser.add_argument("--date", help="the day to act as (YYYY-MM-DD); default today")


def day_from(options: dict[str, Any]) -> date:
    """The `--date` given (or today). A date that does not parse is refused in one line that
    shows the form expected (exit status 1, nothing done)."""
    raw = options.get("date")
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--date must be a date like 2027-03-01, not {raw!r}") from None
