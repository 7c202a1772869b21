"""Key dates of a diagnostic, all counted from delivery day 1 in working days.

Nothing here is stored: the dates follow day 1, so changing day 1 moves them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from peerdiag.common.workdays import (
    add_calendar_month,
    add_working_days,
    is_working_day,
    working_days_from,
)

from ..enums import MAIN_LINE, Stage
from ..models import Diagnostic

DELIVERY_DAYS = 7
DOCUMENTS_DUE_BEFORE = 15  # working days before day 1 (decision 10)
TIMETABLE_DUE_BEFORE = 10
TEAM_CALL_EARLIEST, TEAM_CALL_LATEST = 10, 5
CASE_REVIEW_ENDS_BEFORE = 5  # the working week ending 5 working days before day 1 (decision 6)
DESTROY_AFTER_ISSUE_DAYS = 30  # decision 9


@dataclass(frozen=True)
class KeyDate:
    key: str
    label: str
    start: date
    end: date | None = None  # set for a window
    note: str = ""
    optional: bool = False

    @property
    def last(self) -> date:
        return self.end or self.start


def delivery_days(day1: date) -> list[date]:
    return working_days_from(day1, DELIVERY_DAYS)


def written_feedback_due(day1: date) -> date:
    return add_calendar_month(delivery_days(day1)[-1])


def key_dates(diagnostic: Diagnostic) -> list[KeyDate]:
    """Every key date in date order; empty while day 1 is not set."""
    if diagnostic.day1 is None:
        return []
    return list(
        _key_dates(
            diagnostic.day1,
            bool(diagnostic.case_review_in_scope),
            diagnostic.written_feedback_issued_on,
        )
    )


# The dates depend on these three values alone (and the bank holidays, fixed for the life of the
# process), so each combination is worked out once: the dashboard asks for 25 diagnostics' dates
# on every view. KeyDate is frozen, so sharing the tuple is safe.
@lru_cache(maxsize=4096)
def _key_dates(day1: date, case_review_in_scope: bool, issued: date | None) -> tuple[KeyDate, ...]:
    days = delivery_days(day1)
    dates: list[KeyDate] = []
    if case_review_in_scope:
        end = add_working_days(day1, -CASE_REVIEW_ENDS_BEFORE)
        dates.append(KeyDate("case_review", "Case record review", add_working_days(end, -4), end))
    dates.append(
        KeyDate("documents_due", "Key documents due", add_working_days(day1, -DOCUMENTS_DUE_BEFORE))
    )
    dates.append(
        KeyDate("timetable_due", "Timetable due", add_working_days(day1, -TIMETABLE_DUE_BEFORE))
    )
    dates.append(
        KeyDate(
            "team_call",
            "Pre-delivery team call (optional)",
            add_working_days(day1, -TEAM_CALL_EARLIEST),
            add_working_days(day1, -TEAM_CALL_LATEST),
            optional=True,
        )
    )
    for n, day in enumerate(days, start=1):
        label = {1: "Day 1: overview meeting", 6: "Day 6: drafting", 7: "Day 7: feedback meeting"}
        dates.append(KeyDate(f"day{n}", label.get(n, f"Day {n}: interviews and focus groups"), day))
    due = add_calendar_month(days[-1])
    dates.append(KeyDate("written_feedback_due", "Written feedback due", due))
    destroy_from = issued or due
    dates.append(
        KeyDate(
            "destroy_by",
            "Case content and peer notes destroyed by",
            destroy_from + timedelta(days=DESTROY_AFTER_ISSUE_DAYS),
            note=""
            if issued
            else "Provisional: counted from the due date until written feedback is issued",
        )
    )
    return tuple(sorted(dates, key=lambda d: (d.start, d.optional, d.key)))


# The stage a diagnostic reaches once each key date's business is done: its gate has been
# passed (documents and the draft timetable are checked on leaving preparation, the case review
# on leaving its own stage, the delivery days by the moves through delivery and drafting).
DONE_AT: dict[str, Stage] = {
    "case_review": Stage.READY,
    "documents_due": Stage.CASE_REVIEW,
    "timetable_due": Stage.CASE_REVIEW,
    "team_call": Stage.DELIVERY,
    **{f"day{n}": Stage.DRAFTING for n in range(1, 6)},
    "day6": Stage.FEEDBACK_GIVEN,
    "day7": Stage.FEEDBACK_GIVEN,
    "written_feedback_due": Stage.WRITTEN_FEEDBACK_ISSUED,
    "destroy_by": Stage.CLOSED,
}


def is_open(kd: KeyDate, diagnostic: Diagnostic) -> bool:
    """Whether what the key date is for is still to be done, judging by the stage and what is
    recorded (no query: the dashboard asks this of every row)."""
    if kd.key == "written_feedback_due" and diagnostic.written_feedback_issued_on is not None:
        return False
    if kd.key == "destroy_by" and diagnostic.destroyed_early_at is not None:
        return False
    return _before(diagnostic.stage, DONE_AT[kd.key])


def next_key_date(diagnostic: Diagnostic, today: date) -> KeyDate | None:
    """The first key date from today on whose business is still open (never one already done:
    written feedback that has been issued is no longer "due")."""
    for kd in key_dates(diagnostic):
        if kd.last >= today and not kd.optional and is_open(kd, diagnostic):
            return kd
    return None


def _before(stage: str, limit: Stage) -> bool:
    return stage in MAIN_LINE and MAIN_LINE.index(Stage(stage)) < MAIN_LINE.index(limit)


def overdue_items(diagnostic: Diagnostic, today: date) -> list[str]:
    """What should have happened by now and, judging by the stage, has not."""
    if diagnostic.day1 is None:
        return []
    dates = {kd.key: kd for kd in key_dates(diagnostic)}
    items = []
    stage = diagnostic.stage
    if _before(stage, Stage.READY):
        if dates["documents_due"].start < today:
            items.append("Key documents were due on " + _fmt(dates["documents_due"].start))
        if dates["timetable_due"].start < today:
            items.append("The timetable was due on " + _fmt(dates["timetable_due"].start))
    if _before(stage, Stage.DELIVERY) and diagnostic.day1 < today:
        items.append("Delivery was due to start on " + _fmt(diagnostic.day1))
    if (
        _before(stage, Stage.WRITTEN_FEEDBACK_ISSUED)
        and diagnostic.written_feedback_issued_on is None
        and dates["written_feedback_due"].start < today
    ):
        items.append("Written feedback was due on " + _fmt(dates["written_feedback_due"].start))
    return items


def _fmt(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def day1_problem(day1: date) -> str | None:
    """An error for a day 1 that cannot be used, else None."""
    if not is_working_day(day1):
        return "Day 1 must be a working day, not a weekend or bank holiday"
    return None


def day1_warning(day1: date) -> str | None:
    if day1.weekday() != 0:
        return (
            f"Day 1 is a {day1:%A}, not a Monday: days 6 and 7 will not fall on Monday and Tuesday"
        )
    return None
