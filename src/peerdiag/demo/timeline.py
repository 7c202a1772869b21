"""Each demo diagnostic's timeline: the date of every step, worked out from delivery day 1.

Phases never overlap, so a walk that runs them in order writes its records in date order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.utils import timezone

from peerdiag.common.workdays import add_working_days, is_working_day
from peerdiag.diagnostics.domain.keydates import delivery_days


def moment(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hours, minutes)))


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def weeks_before(day1: date, weeks: int, plus_days: int = 0) -> date:
    """The working day on or after the Monday `weeks` weeks before day 1's week, plus days."""
    monday = day1 - timedelta(days=day1.weekday()) - timedelta(weeks=weeks)
    return working_day_on_or_after(monday + timedelta(days=plus_days))


@dataclass(frozen=True)
class Timeline:
    """The dates of one diagnostic's steps, all worked out from its delivery day 1 (`day1`).

    Phases never overlap, so a walk that runs them in order writes its records in date order.
    Every date is a working day. The numbers follow domain.md: scoping four months ahead, the
    team two to three months ahead, documents and the timetable in the last two months, the
    case record review about two weeks before delivery, written feedback within a month.
    """

    day1: date
    turnaround: int = 17  # working days from the feedback meeting to the issued written feedback

    # Enquiry and scoping
    @cached_property
    def enquiry(self) -> date:
        return weeks_before(self.day1, 19, 1)

    @cached_property
    def scoping_booked(self) -> date:
        return weeks_before(self.day1, 18, 2)

    @cached_property
    def scoping_held(self) -> date:
        return weeks_before(self.day1, 16, 1)

    @cached_property
    def scope_confirmed(self) -> date:
        return weeks_before(self.day1, 15, 2)

    # The team
    @cached_property
    def team_forming(self) -> date:
        return weeks_before(self.day1, 15, 3)

    @cached_property
    def team_named(self) -> date:
        return weeks_before(self.day1, 14, 1)

    @cached_property
    def team_approved(self) -> date:
        return weeks_before(self.day1, 13, 2)

    @cached_property
    def briefing_issued(self) -> date:
        return weeks_before(self.day1, 12, 1)

    @cached_property
    def team_signed(self) -> date:
        return weeks_before(self.day1, 11, 3)

    # Preparation: documents [preparation, documents_end], then the timetable
    @cached_property
    def preparation(self) -> date:
        return weeks_before(self.day1, 10, 1)

    @cached_property
    def documents_due(self) -> date:
        return weeks_before(self.day1, 7, 4)

    @cached_property
    def documents_end(self) -> date:
        return weeks_before(self.day1, 6, 2)

    @cached_property
    def timetable_start(self) -> date:
        return weeks_before(self.day1, 5, 0)

    @cached_property
    def timetable_published(self) -> date:
        return weeks_before(self.day1, 4, 1)

    @cached_property
    def timetable_agreed(self) -> date:
        return weeks_before(self.day1, 4, 3)

    # The case record review [case_review, case_review_end]
    @cached_property
    def case_review(self) -> date:
        return weeks_before(self.day1, 3, 0)

    @cached_property
    def case_review_end(self) -> date:
        return weeks_before(self.day1, 2, 4)

    # Ready: endorsements, invitations
    @cached_property
    def ready(self) -> date:
        return weeks_before(self.day1, 1, 0)

    @cached_property
    def invitations(self) -> date:
        return weeks_before(self.day1, 1, 1)

    # Delivery: days 1-7 (day 6 drafting, day 7 feedback)
    @cached_property
    def days(self) -> list[date]:
        return delivery_days(self.day1)

    def day(self, n: int) -> date:
        return self.days[n - 1]

    # After delivery: written feedback [written_start, written_issued], the surveys ten working
    # days after issue (decision 12), the outcome and closing three weeks after that.
    def after_feedback(self, working_days: int) -> date:
        return add_working_days(self.day(7), working_days)

    @cached_property
    def written_start(self) -> date:
        return self.after_feedback(2)

    @cached_property
    def written_issued(self) -> date:
        return self.after_feedback(self.turnaround)

    @cached_property
    def surveys(self) -> date:
        return add_working_days(self.written_issued, 10)

    @cached_property
    def outcome(self) -> date:
        return add_working_days(self.surveys, 15)

    @cached_property
    def closed(self) -> date:
        return add_working_days(self.outcome, 2)
