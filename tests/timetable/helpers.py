"""A planned delivery week for timetable tests: day 1 set, fixed meetings, attendees, interviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember
from peerdiag.timetable.domain.week import seed_fixed_meetings
from peerdiag.timetable.enums import Priority, SessionType
from peerdiag.timetable.models import Attendee, Session
from tests.factories import KloeFactory, PersonFactory, TeamMemberFactory

DAY1 = date(2027, 3, 1)  # a Monday with no bank holiday in the next nine days


@dataclass
class Week:
    d: Diagnostic
    kloes: list[Kloe]
    om: TeamMember
    attendees: list[Attendee]
    interviews: list[Session]


def planned_week(d: Diagnostic, *, interviews: int = 6) -> Week:
    """Give `d` day 1, an operational manager, two KLOEs, the fixed meetings and some interviews."""
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    om = TeamMemberFactory(
        diagnostic=d,
        role=TeamRole.OPERATIONAL_MANAGER,
        person=PersonFactory(full_name="Olive Manager", email="olive@example.org"),
    )
    kloes = [
        KloeFactory(diagnostic=d, text="How well the front door works", order=1),
        KloeFactory(diagnostic=d, text="The quality of practice", order=2),
    ]
    seed_fixed_meetings(d, by=None)
    groups = ["Social workers", "Team managers", "Partners", "Early help"]
    people = [
        Attendee.objects.create(
            diagnostic=d, name=f"Attendee {i}", email=f"a{i}@council.example", group=groups[i % 4]
        )
        for i in range(interviews)
    ]
    made = []
    for i, a in enumerate(people):
        s = Session.objects.create(
            diagnostic=d,
            type=SessionType.INTERVIEW if i % 2 else SessionType.FOCUS_GROUP,
            title=f"Conversation {i + 1}",
            minutes=60,
            priority=Priority.MUST,
            group=a.group,
            peers_needed=1,
        )
        s.attendees.set([a])
        s.kloes.set([kloes[i % 2]])
        made.append(s)
    return Week(d, kloes, om, people, made)


def generate(d: Diagnostic, by, seconds: int = 5):  # type: ignore[no-untyped-def]
    """Run a generate to its end (the task runs once the request's transaction commits);
    returns the run's Job."""
    from django.test import TestCase

    from peerdiag.common.models import Job
    from peerdiag.timetable.domain.generate import start_generation

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = start_generation(d, by=by, seconds=seconds)
    return Job.objects.get(pk=run.pk)
