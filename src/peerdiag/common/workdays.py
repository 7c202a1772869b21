"""Working-day arithmetic for England and Wales.

Weekends and the bank holidays shipped by `govuk-bank-holidays` are skipped. The package's
cached calendar is used so that nothing is fetched over the network; past its last year no
bank holidays are known, which `calendar_known_until()` lets callers say out loud.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache


@cache
def _bank_holidays() -> frozenset[date]:
    from govuk_bank_holidays.bank_holidays import BankHolidays

    holidays = BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    )
    return frozenset(h["date"] for h in holidays)


def calendar_known_until() -> date:
    return max(_bank_holidays())


def bank_holiday_name(day: date) -> str | None:
    from govuk_bank_holidays.bank_holidays import BankHolidays

    for h in BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    ):
        if h["date"] == day:
            return str(h["title"])
    return None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def add_working_days(day: date, n: int) -> date:
    """The working day `n` working days after (n > 0) or before (n < 0) `day`."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_from(day: date, count: int) -> list[date]:
    """`count` consecutive working days starting at `day` (which must be one)."""
    days = [day]
    while len(days) < count:
        days.append(add_working_days(days[-1], 1))
    return days


def add_calendar_month(day: date) -> date:
    """Same day number next month, or that month's last day where there is none."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))
