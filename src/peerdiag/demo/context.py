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
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

import time_machine

from peerdiag.diagnostics.enums import TeamRole

from .timeline import Timeline, moment

if TYPE_CHECKING:
    from peerdiag.accounts.models import User
    from peerdiag.diagnostics.models import Diagnostic, TeamMember
    from peerdiag.directory.models import Person

    from .cast import Cast
    from .plans import Plan


class NotYet(Exception):
    """A step dated on or after the cutoff: the demo stops that diagnostic's walk there."""


class DemoGateRefused(Exception):
    """A gate refused a move the demo's plan makes, or a step's people cannot act: the demo's
    data is incomplete (a bug in the demo, never in the product's rules)."""


@contextmanager
def clock_at(day: date, hhmm: str, *, cutoff: datetime, what: str) -> Iterator[datetime]:
    """Run the block with the process clock frozen at `day` `hhmm`; NotYet (naming `what`) if
    that is on or after `cutoff`. Before a diagnostic exists, the walk calls this directly."""
    when = moment(day, hhmm)
    if when >= cutoff:
        raise NotYet(f"{what}: {when:%Y-%m-%d %H:%M} is after the cutoff")
    with time_machine.travel(when, tick=False):
        yield when


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
        with clock_at(day, hhmm, cutoff=self.cutoff, what=self.plan.key) as when:
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
