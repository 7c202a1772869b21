"""The demo's clock, each diagnostic's timeline, and the context every demo step receives.

Every step of the demo runs inside `ctx.at(day, "HH:MM")`, which sets the process clock (with
time-machine) to that moment: `timezone.now()`, `timezone.localdate()` and every
`auto_now_add` field then read it, so records and audit entries carry the date the step would
have happened on. Nothing happens on or after `ctx.cutoff` (the start of the day the demo is
loaded for): a step dated later is skipped with `if not ctx.due(day): return`, so where each
diagnostic stops is the result of its dates, not a stage written into it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import time_machine
from django.utils import timezone

from peerdiag.common.workdays import add_working_days, is_working_day
from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import TeamRole

if TYPE_CHECKING:
    from peerdiag.accounts.models import User
    from peerdiag.diagnostics.models import Diagnostic, TeamMember
    from peerdiag.directory.models import Person

    from .cast import Cast
    from .plans import Plan


class NotYet(Exception):
    """A step dated on or after the cutoff: the demo stops that diagnostic's walk there."""


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


@dataclass
class Ctx:
    """What a demo step gets: the diagnostic, its plan and timeline, the people, the clock."""

    d: Diagnostic
    plan: Plan
    cast: Cast
    cutoff: datetime
    rng: random.Random = field(default_factory=random.Random)

    @cached_property
    def tl(self) -> Timeline:
        return Timeline(self.plan.day1, self.plan.turnaround)

    def due(self, day: date, hhmm: str = "00:00") -> bool:
        """Whether a step on `day` at `hhmm` is before the cutoff (so it has happened)."""
        return moment(day, hhmm) < self.cutoff

    @contextmanager
    def at(self, day: date, hhmm: str = "10:00") -> Iterator[datetime]:
        """Run the block with the clock at `day` `hhmm` (frozen). Raises NotYet if that is
        on or after the cutoff, so a caller that forgot to ask `due` still writes nothing late."""
        when = moment(day, hhmm)
        if when >= self.cutoff:
            raise NotYet(f"{self.plan.key}: {when:%Y-%m-%d %H:%M} is after the cutoff")
        with time_machine.travel(when, tick=False):
            yield when

    def refresh(self) -> Diagnostic:
        self.d.refresh_from_db()
        return self.d

    # The people of this diagnostic, as they are now
    @property
    def admin(self) -> User:
        return self.cast.admin

    @property
    def pcm(self) -> User:
        """The peer challenge manager's account: they make the LGA's moves."""
        return self.cast.user_of(self.plan_pcm)

    @property
    def plan_pcm(self) -> Person:
        return self.cast.pcm_for(self.plan)

    def members(self, *roles: str) -> list[TeamMember]:
        rows = self.d.team.select_related("person__user").order_by("pk")
        if roles:
            rows = rows.filter(role__in=roles)
        return list(rows)

    @property
    def lead(self) -> TeamMember | None:
        found = self.members(TeamRole.LEAD_PEER)
        return found[0] if found else None

    def council_person(self, role: str) -> Person | None:
        held = self.d.council_roles.filter(role=role).select_related("person__user").first()
        return held.person if held else None

    def council_user(self, role: str) -> User | None:
        person = self.council_person(role)
        return person.user if person is not None else None
