"""Sessions and week settings: every rule refuses with the field it names; links per platform;
cancel versus delete; a change that breaks a placed session takes it out of the draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import Platform, Stage
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.timetable.domain.placements import violations
from peerdiag.timetable.domain.sessions import (
    CHANGED_AFTER_PLACING,
    SessionDetails,
    add_session,
    cancel_session,
    check_platform_link,
    set_session_link,
    set_session_links,
    update_session,
    update_week_settings,
)
from peerdiag.timetable.domain.week import timetable_for
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, SentInvitation, Session, TimetableVersion
from tests.factories import KloeFactory

from .helpers import generate, planned_week


def interview(**kw) -> SessionDetails:  # type: ignore[no-untyped-def]
    return replace(SessionDetails(type=SessionType.INTERVIEW, title="Front door managers"), **kw)


def refused(d, details: SessionDetails) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        add_session(d, by=None, details=details)
    return e.value


def test_add_session_saves_details_and_audits(world):
    d = world.own
    kloe = KloeFactory(diagnostic=d, order=1)
    a = Attendee.objects.create(diagnostic=d, name="Ann", group="Partners")
    lead = d.team.get(role="lead_peer")
    s = add_session(
        d,
        by=world.pcm,
        details=interview(
            kloes=(kloe,), attendees=(a,), required_peers=(lead,), allowed_days=(2, 1)
        ),
    )
    s.refresh_from_db()
    assert (s.title, s.minutes, s.allowed_days, s.day) == ("Front door managers", 60, [1, 2], None)
    assert list(s.kloes.all()) == [kloe] and list(s.attendees.all()) == [a]
    assert list(s.required_peers.all()) == [lead]
    assert s.internal_only is False and s.unscheduled_reason
    assert AuditEntry.objects.filter(diagnostic=d, action="timetable", summary__contains="Front")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "  "}, "title", "title"),
        ({"minutes": 10}, "minutes", "15 minutes"),
        ({"minutes": 495}, "minutes", "8 hours"),
        ({"minutes": 50}, "minutes", "multiple of 15"),
        ({"allowed_days": (1, 6)}, "allowed_days", "days 1 to 5"),
        ({"fixed_day": 2}, "fixed_start", "start"),
        ({"fixed_start": time(10, 0)}, "fixed_day", "day"),
        ({"fixed_day": 6, "fixed_start": time(10, 0)}, "fixed_day", "days 1 to 5"),
        ({"fixed_day": 2, "fixed_start": time(10, 5)}, "fixed_start", "grid"),
        ({"fixed_day": 2, "fixed_start": time(17, 0)}, "fixed_start", "working day"),
        ({"peers_needed": 0}, "peers_needed", "At least one"),
        ({"peers_needed": 3}, "peers_needed", "2 peers"),
        ({"young_people": True}, "supporting_adult", "supporting adult"),
        (
            {
                "young_people": True,
                "supporting_adult": "Sam",
                "consent_recorded_on": date.today() + timedelta(days=2),
            },
            "consent_recorded_on",
            "future",
        ),
        ({"platform_link": "http://example.org/x"}, "platform_link", "https://"),
    ],
)
def test_each_rule_refuses_with_its_field(world, changes, field, words):
    e = refused(world.own, interview(**changes))
    assert e.field == field
    assert words in e.message
    assert not Session.objects.filter(diagnostic=world.own).exists()


def test_required_peers_cannot_exceed_peers_needed(world):
    team = tuple(world.own.team.all())
    e = refused(world.own, interview(peers_needed=1, required_peers=team))
    assert e.field == "required_peers" and "2 peers" in e.message
    s = add_session(world.own, by=None, details=interview(peers_needed=2, required_peers=team))
    assert s.required_peers.count() == 2


def test_presentation_is_capped_for_the_overview(world):
    d = world.own
    overview = SessionDetails(
        type=SessionType.OVERVIEW, title="Overview", minutes=90, presentation_minutes=25
    )
    e = refused(d, overview)
    assert e.field == "presentation_minutes" and "20 minutes" in e.message
    s = add_session(d, by=None, details=replace(overview, presentation_minutes=20))
    assert s.presentation_minutes == 20
    # Meetings may sit on days 6 and 7.
    drafting = SessionDetails(
        type=SessionType.DRAFTING, title="Draft", minutes=120, fixed_day=6, fixed_start=time(10)
    )
    made = add_session(d, by=None, details=drafting)
    assert made.fixed_day == 6 and made.internal_only is True


def test_a_young_person_attending_makes_it_a_young_people_session(world):
    d = world.own
    child = Attendee.objects.create(diagnostic=d, name="Kai", group="Children", young_person=True)
    e = refused(d, interview(attendees=(child,)))
    assert e.field == "supporting_adult"
    s = add_session(d, by=None, details=interview(attendees=(child,), supporting_adult="Sam"))
    assert s.young_people is True and s.supporting_adult == "Sam"
    assert s.consent_recorded_on is None  # may follow before publishing


def test_ended_diagnostic_refuses_changes(world):
    d = world.own
    s = add_session(d, by=None, details=interview())
    d.stage = Stage.CLOSED
    d.save(update_fields=["stage"])
    with pytest.raises(DomainError, match="ended"):
        add_session(d, by=None, details=interview(title="Late"))
    with pytest.raises(DomainError, match="ended"):
        update_session(s, by=None, details=interview(title="Renamed"), version=UNCHECKED)
    with pytest.raises(DomainError, match="ended"):
        cancel_session(s, by=None, version=UNCHECKED)
    s.refresh_from_db()
    assert s.title == "Front door managers"


@pytest.mark.parametrize(
    ("platform", "link"),
    [
        (Platform.TEAMS, "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc/0"),
        (Platform.TEAMS, "https://teams.live.com/meet/9876543210"),
        (Platform.ZOOM, "https://us02web.zoom.us/j/81234567890?pwd=abc"),
        (Platform.ZOOM, "https://zoom.us/j/81234567890"),
        (Platform.ZOOM, "https://zoom.us/my/councilroom"),
        (Platform.OTHER, "https://meet.example.org/room-1"),
        ("", "https://whereby.com/council"),
    ],
)
def test_valid_links_for_each_platform(platform, link):
    assert check_platform_link(platform, link) is None


@pytest.mark.parametrize(
    ("platform", "link", "words"),
    [
        (Platform.TEAMS, "http://teams.microsoft.com/l/meetup-join/1", "Microsoft Teams"),
        (Platform.TEAMS, "https://us02web.zoom.us/j/8123", "Microsoft Teams"),
        (Platform.TEAMS, "https://teams.microsoft.com.evil.example/l/1", "Microsoft Teams"),
        (Platform.TEAMS, "https://teams.microsoft.com/", "Microsoft Teams"),
        (Platform.ZOOM, "https://teams.microsoft.com/l/meetup-join/1", "Zoom"),
        (Platform.ZOOM, "https://zoom.us/", "Zoom"),
        (Platform.ZOOM, "https://notzoom.us/j/123", "Zoom"),
        (Platform.ZOOM, "https://us02web.zoom.us/signin", "Zoom"),
        (Platform.OTHER, "ftp://example.org/room", "https://"),
        (Platform.OTHER, "meet.example.org/room", "https://"),
        (Platform.OTHER, "https://exa mple.org/", "https://"),
    ],
)
def test_invalid_links_name_the_platform(platform, link, words):
    problem = check_platform_link(platform, link)
    assert problem is not None and words in problem


def test_set_session_link_checks_the_diagnostics_platform(world):
    d = world.own
    d.online_platform = Platform.ZOOM
    d.save(update_fields=["online_platform"])
    s = add_session(d, by=None, details=interview())
    with pytest.raises(DomainError) as e:
        set_session_link(
            s, by=None, link="https://teams.microsoft.com/l/meetup-join/1", version=UNCHECKED
        )
    assert e.value.field == "platform_link" and "Zoom" in e.value.message
    set_session_link(s, by=None, link=" https://zoom.us/j/123 ", version=UNCHECKED)
    s.refresh_from_db()
    assert s.platform_link == "https://zoom.us/j/123"
    set_session_link(s, by=None, link="", version=UNCHECKED)
    s.refresh_from_db()
    assert s.platform_link == ""


def test_set_session_links_saves_the_good_and_reports_the_bad(world):
    d = world.own
    d.online_platform = Platform.TEAMS
    d.save(update_fields=["online_platform"])
    good = add_session(d, by=None, details=interview(title="Good"))
    bad = add_session(d, by=None, details=interview(title="Bad"))
    result = set_session_links(
        d,
        by=None,
        links={good: "https://teams.microsoft.com/l/meetup-join/1", bad: "https://zoom.us/j/1"},
        versions={good: good.version, bad: bad.version},
    )
    assert list(result.refused) == [bad] and "Teams" in result.refused[bad]
    assert result.saved == [good] and result.stale == {}
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.platform_link.startswith("https://teams.microsoft.com/")
    assert (good.version, bad.version) == (2, 1)
    assert bad.platform_link == ""


def test_removing_an_unpublished_session_deletes_it(world):
    s = add_session(world.own, by=None, details=interview())
    assert cancel_session(s, by=world.pcm, version=UNCHECKED) is True
    assert not Session.objects.filter(pk=s.pk).exists()


def test_removing_a_session_people_were_told_about_cancels_it(world):
    d = world.own
    invited = add_session(d, by=None, details=interview(title="Invited"))
    SentInvitation.objects.create(
        session=invited,
        email="a@example.org",
        name="A",
        sequence=0,
        method="request",
        sent_at=timezone.now(),
    )
    in_version = add_session(d, by=None, details=interview(title="Published"))
    Session.objects.filter(pk=in_version.pk).update(day=2, start=time(10))
    TimetableVersion.objects.create(
        diagnostic=d,
        number=1,
        published_at=timezone.now(),
        problem={},
        solution={},
        snapshot={"sessions": [{"code": in_version.code, "title": "Published"}]},
    )
    in_version.refresh_from_db()
    in_version.peers.set([d.team.first()])
    for s in (invited, in_version):
        assert cancel_session(s, by=None, version=UNCHECKED) is False
        s.refresh_from_db()
        assert s.status == SessionStatus.CANCELLED
        assert (s.day, s.start, s.peers.count()) == (None, None, 0)
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_session(invited, by=None, version=UNCHECKED)


def test_a_change_that_breaks_a_placed_session_takes_it_out(world):
    w = planned_week(world.own)
    t = generate(w.d, world.pcm)
    assert t.state == "done", t.message
    s = Session.objects.get(pk=w.interviews[0].pk)
    assert s.placed
    day = s.day
    # A harmless change keeps it where it is.
    assert update_session(
        s, by=None, details=replace(SessionDetails.of(s), title="Renamed"), version=UNCHECKED
    ) is (False)
    s.refresh_from_db()
    assert (s.day, s.title) == (day, "Renamed")
    # Only on another day now: it no longer fits where it was.
    other = 1 if day != 1 else 2
    taken_out = update_session(
        s, by=None, details=replace(SessionDetails.of(s), allowed_days=(other,)), version=UNCHECKED
    )
    s.refresh_from_db()
    assert taken_out is True
    assert (s.day, s.start, s.peers.count()) == (None, None, 0)
    assert s.unscheduled_reason == CHANGED_AFTER_PLACING
    assert violations(w.d) == []


def test_moving_a_placed_fixed_meeting_moves_it(world):
    w = planned_week(world.own)
    kit = Session.objects.get(diagnostic=w.d, type=SessionType.KIT, fixed_day=2)
    assert (kit.day, kit.start) == (2, time(16, 0))
    update_session(
        kit,
        by=None,
        details=replace(SessionDetails.of(kit), fixed_start=time(15)),
        version=UNCHECKED,
    )
    kit.refresh_from_db()
    assert (kit.day, kit.start, kit.fixed_start) == (2, time(15), time(15))


def test_week_settings_rules(world):
    t = timetable_for(world.own)
    good = {
        "day_start": time(9),
        "day_end": time(17),
        "slot_minutes": 30,
        "lunch_earliest": time(12),
        "lunch_latest": time(13, 30),
        "lunch_minutes": 45,
        "peer_buffer_minutes": 10,
        "max_sessions_per_day": 5,
    }
    cases = [
        ({"day_end": time(9)}, "day_end"),
        ({"slot_minutes": 20}, "slot_minutes"),
        ({"lunch_earliest": time(8)}, "lunch_earliest"),
        ({"lunch_latest": time(18)}, "lunch_latest"),
        ({"lunch_latest": time(11)}, "lunch_latest"),
        ({"lunch_minutes": 120}, "lunch_minutes"),
        ({"max_sessions_per_day": 0}, "max_sessions_per_day"),
    ]
    for changes, field in cases:
        with pytest.raises(DomainError) as e:
            update_week_settings(t, by=None, **(good | changes), version=UNCHECKED)
        assert e.value.field == field, changes
    t.refresh_from_db()
    assert t.slot_minutes == 15
    update_week_settings(t, by=world.pcm, **good, version=UNCHECKED)
    t.refresh_from_db()
    assert (t.slot_minutes, t.lunch_minutes, t.day_end) == (30, 45, time(17))


def test_week_settings_keep_fixed_meetings_on_the_grid(world):
    w = planned_week(world.own)
    t = timetable_for(w.d)
    with pytest.raises(DomainError) as e:
        update_week_settings(
            t,
            by=None,
            day_start=time(9, 10),
            day_end=time(17, 30),
            slot_minutes=15,
            lunch_earliest=time(12),
            lunch_latest=time(14),
            lunch_minutes=30,
            peer_buffer_minutes=15,
            max_sessions_per_day=6,
            version=UNCHECKED,
        )
    assert e.value.field == "slot_minutes" and "fixed at" in e.value.message
