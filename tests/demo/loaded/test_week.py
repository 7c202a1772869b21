"""The demo's delivery weeks: published through the real scheduler and domain functions, valid
by the scheduler's own checker, balanced, realistic about who is heard, and careful with young
people (a group, after school, never a name)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, time, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from icalendar import Calendar

from peerdiag.demo.week import FAMILIES
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.domain.export import export_ics
from peerdiag.timetable.domain.ics import local_times
from peerdiag.timetable.domain.must_hear import LEADERSHIP
from peerdiag.timetable.domain.problem import latest_version
from peerdiag.timetable.domain.week import day_dates
from peerdiag.timetable.enums import HEARING_TYPES, SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session, TimetableVersion

pytestmark = pytest.mark.django_db

# Stages from which a diagnostic's week must be published (and agreed).
FROM_READY = {
    Stage.READY,
    Stage.DELIVERY,
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
    Stage.CLOSED,
}


def _published() -> list[Diagnostic]:
    """Every diagnostic with a published week, oldest day 1 first."""
    ids = TimetableVersion.objects.values_list("diagnostic_id", flat=True)
    return list(Diagnostic.objects.filter(pk__in=ids).order_by("day1"))


def _check(d: Diagnostic, tmp_path: Path) -> str:
    """Export `d`'s published week as the scheduler's two documents and check them."""
    problem, solution = tmp_path / f"{d.pk}-problem.json", tmp_path / f"{d.pk}-solution.json"
    call_command(
        "timetable",
        "export",
        d.reference,
        "--format",
        "json",
        "--problem",
        str(problem),
        "--solution",
        str(solution),
        stdout=io.StringIO(),
    )
    assert json.loads(problem.read_text(encoding="utf-8"))["sessions"]
    out = io.StringIO()
    call_command("timetable", "check", str(problem), str(solution), stdout=out)
    return out.getvalue()


def _day_minutes(report: str) -> list[int]:
    line = next(x for x in report.splitlines() if x.startswith("peer-minutes by day"))
    return [int(part.split()[-1]) for part in line.split(":", 1)[1].split(",")]


def test_every_week_from_ready_on_is_published_agreed_and_checks(
    demo: object, tmp_path: Path
) -> None:
    published = _published()
    assert len(published) >= 8, [d.title for d in published]
    for d in Diagnostic.objects.filter(stage__in=FROM_READY):
        assert d in published, f"{d.title} ({d.stage}) has no published week"
    for d in published:
        version = latest_version(d)
        assert version is not None and version.agreed_at is not None, d.title
        assert version.agreed_by is not None and version.agreed_by.email != "pcm@peerdiag.test"
        sessions = version.snapshot["sessions"]
        assert 25 <= len(sessions) <= 45, (d.title, len(sessions))
        assert all(s["link"].startswith("https://teams.microsoft.com/") for s in sessions)
        assert not version.snapshot.get("unscheduled"), (d.title, version.snapshot["unscheduled"])
        report = _check(d, tmp_path)
        assert report.startswith("valid: every hard rule holds"), (d.title, report)


def test_days_one_to_five_are_balanced(demo: object, tmp_path: Path) -> None:
    for d in _published():
        minutes = _day_minutes(_check(d, tmp_path))[:5]
        assert len(minutes) == 5 and min(minutes) > 0, (d.title, minutes)
        assert max(minutes) <= 1.3 * sum(minutes) / 5, (d.title, minutes)


def test_week_is_ready_for_delivery_once_invitations_are_out(demo: object) -> None:
    for d in Diagnostic.objects.filter(stage__in=FROM_READY - {Stage.READY}):
        placed = Session.objects.filter(diagnostic=d, day__isnull=False)
        invited = placed.filter(sent__isnull=False).distinct().count()
        assert invited == placed.count(), d.title


def test_young_people_meet_after_school_as_a_group(demo: object) -> None:
    young = list(
        Session.objects.filter(young_people=True, day__isnull=False).select_related("diagnostic")
    )
    assert young
    titles = {s.title for s in young}
    assert "Children in Care Council" in titles
    for s in young:
        assert s.day is not None
        when = day_dates(s.diagnostic)[s.day]
        assert s.start is not None and s.start >= time(16, 0), s
        assert when.weekday() != 0, f"{s.title} is on a Monday"
        assert s.supporting_adult and s.consent_recorded_on and s.head_count
        assert s.group == FAMILIES
        rows = list(s.attendees.all())
        assert rows and all(a.young_person for a in rows), s.title
        assert len(rows) == s.head_count
    # A young person's attendee row carries a label, never a name, and no e-mail address.
    young_rows = list(Attendee.objects.filter(young_person=True))
    assert len({a.name for a in young_rows}) >= 4
    for a in young_rows:
        assert re.fullmatch(r"[A-Za-z]+(-[A-Za-z]+)*-member-\d+", a.name), a.name
        assert not a.email and a.group == FAMILIES, a.name
    for a in Attendee.objects.filter(group=FAMILIES, young_person=False):
        assert a.job_title in {"Foster carer", "Co-chair, Parent Carer Forum"}, a.job_title


def test_leadership_is_heard_with_the_lead_peer(demo: object) -> None:
    for d in _published():
        hearing = list(Session.objects.filter(diagnostic=d, type__in=HEARING_TYPES))
        roles = {r for s in hearing for r in (s.roles or ())}
        assert roles >= LEADERSHIP, (d.title, roles)
        assert {"partners", "managers"} & roles or "send_team" in roles, d.title
        dcs = next(s for s in hearing if "dcs" in (s.roles or ()))
        sponsor = d.council_roles.get(role=CouncilRoleKind.SPONSOR).person
        assert [a.name for a in dcs.attendees.all()] == [sponsor.full_name]
        lead = d.team.get(role="lead_peer")
        assert lead in dcs.required_peers.all()
        # Two peers in every interview and focus group.
        assert all(s.peers.count() == 2 for s in hearing if s.placed), d.title


def test_attendees_are_varied_and_availability_varies(demo: object) -> None:
    for d in _published():
        people = list(Attendee.objects.filter(diagnostic=d))
        names = [a.name for a in people]
        assert len(set(names)) == len(names) >= 15
        families = [n.split()[-1] for n in names]
        assert len(set(families)) >= len(families) - 1, families  # no family of colleagues
        given = [a for a in people if a.availability_given]
        assert 5 <= len(given) < len(people), d.title
        # Partners heard in a focus group or interview come on one or two days only.
        partners = [
            a
            for a in people
            if a.group == "Partners" and a.sessions.filter(type__in=HEARING_TYPES).exists()
        ]
        assert partners and all(a.availability_given for a in partners), d.title
        for a in partners:
            days = {w.day for w in a.windows.all()}
            assert 1 <= len(days) <= 2, (a.name, days)
    # Different people from week to week, not the same list every time.
    assert len(set(Attendee.objects.values_list("name", flat=True))) >= 40


def test_a_week_in_british_summer_time_has_its_local_times(demo: object) -> None:
    """The overview starts at 09:30 London time: 08:30 UTC in summer, 09:30 UTC in winter, in
    the published snapshot and in the exported calendar alike."""
    offsets: set[timedelta] = set()
    for d in _published():
        version = latest_version(d)
        assert version is not None
        overview = next(s for s in version.snapshot["sessions"] if s["type"] == "overview")
        times = local_times(overview)
        assert times is not None
        start = times[0]
        assert (start.hour, start.minute) == (9, 30)
        summer = start.utcoffset() == timedelta(hours=1)
        offsets.add(start.utcoffset() or timedelta(0))
        cal = Calendar.from_ical(export_ics(d))
        event = next(
            e for e in cal.walk("VEVENT") if str(e.get("SUMMARY", "")).startswith("Overview")
        )
        exported = event.decoded("DTSTART")
        assert exported.astimezone(UTC).hour == (8 if summer else 9), (d.title, exported)
        assert (exported.hour, exported.minute) == (9, 30)
    assert offsets == {timedelta(0), timedelta(hours=1)}, "one week in BST and one in GMT"


def test_the_delivery_week_records_what_was_held(demo: object, demo_day: date) -> None:
    d = Diagnostic.objects.get(stage=Stage.DELIVERY)
    dates = day_dates(d)
    past = [n for n, when in dates.items() if when < demo_day and n <= 5]
    assert past, "the diagnostic in delivery has had at least one day"
    rows = Session.objects.filter(diagnostic=d, day__isnull=False).exclude(
        status=SessionStatus.CANCELLED
    )
    for n in past:
        for kind in (SessionType.KIT, SessionType.PEER_TEAM):
            meeting = rows.get(type=kind, day=n)
            assert meeting.status == SessionStatus.HELD, meeting.title
        for s in rows.filter(day=n, type__in=HEARING_TYPES):
            assert s.status == SessionStatus.HELD, s.title
            assert s.counts.exists(), s.title
    for s in rows.filter(day__gte=max(past) + 1):
        assert s.status != SessionStatus.HELD, s.title
