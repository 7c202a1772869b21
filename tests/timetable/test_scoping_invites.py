"""The scoping meeting gets a meeting link (checked like a session's) and calendar invitations
(.ics, Europe/London) to the sponsor, organiser, PCM and lead peer (issue 17)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from icalendar import Calendar

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.models import Diagnostic, ScopingMeeting
from peerdiag.timetable.domain.scoping_invites import (
    send_scoping_invitations,
    set_scoping_link,
)

LONDON = ZoneInfo("Europe/London")
WHEN = datetime(2027, 7, 5, 10, 30, tzinfo=LONDON)  # summer time: 09:30 UTC
TEAMS = "https://teams.microsoft.com/l/meetup-join/abc123"


def _booked(world, platform: str = "teams") -> tuple[Diagnostic, ScopingMeeting]:  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(online_platform=platform)
    d.refresh_from_db()
    for user, email in (
        (world.sponsor, "sponsor@example.org"),
        (world.organiser, "organiser@example.org"),
        (world.pcm, "pcm@example.org"),
        (world.peer, "peer@example.org"),
    ):
        user.person.email = email
        user.person.save()
    return d, ScopingMeeting.objects.create(diagnostic=d, scheduled_for=WHEN)


def _send(d: Diagnostic, by, version: int):  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        people = send_scoping_invitations(d, by=by, version=version)
    return people, {m.to[0]: m for m in mail.outbox}


def test_the_link_is_checked_like_a_session_link(world):  # type: ignore[no-untyped-def]
    d, meeting = _booked(world)
    for bad in ("http://teams.microsoft.com/l/x", "https://zoom.us/j/123", "teams link"):
        with pytest.raises(DomainError) as err:
            set_scoping_link(
                d, by=world.pcm, link=bad, duration_minutes=60, version=meeting.version
            )
        assert err.value.field == "link"
    assert ScopingMeeting.objects.get(pk=meeting.pk).meeting_link == ""
    set_scoping_link(d, by=world.pcm, link=TEAMS, duration_minutes=45, version=meeting.version)
    saved = ScopingMeeting.objects.get(pk=meeting.pk)
    assert (saved.meeting_link, saved.duration_minutes) == (TEAMS, 45)
    assert d.audit.filter(action="scoping", summary="Changed the scoping meeting's link").exists()
    # A second save from the page opened before the first is refused, nothing saved.
    with pytest.raises(StaleEdit):
        set_scoping_link(
            d,
            by=world.pcm,
            link="https://teams.microsoft.com/l/other",
            duration_minutes=45,
            version=meeting.version,
        )
    assert ScopingMeeting.objects.get(pk=meeting.pk).meeting_link == TEAMS
    # With no platform chosen yet, any https link will do.
    Diagnostic.objects.filter(pk=d.pk).update(online_platform="")
    d.refresh_from_db()
    set_scoping_link(
        d,
        by=world.pcm,
        link="https://meet.example.org/x",
        duration_minutes=60,
        version=saved.version,
    )


def test_invitations_go_to_sponsor_organiser_pcm_and_lead_peer_with_an_ics(world):  # type: ignore[no-untyped-def]
    d, meeting = _booked(world)
    set_scoping_link(d, by=world.pcm, link=TEAMS, duration_minutes=60, version=meeting.version)
    meeting.refresh_from_db()
    people, sent = _send(d, world.pcm, meeting.version)
    assert set(sent) == {
        "sponsor@example.org",
        "organiser@example.org",
        "pcm@example.org",
        "peer@example.org",
    }
    assert [p.role for p in people][:2] == ["Sponsor", "Organiser"]
    msg = sent["sponsor@example.org"]
    assert msg.subject == f"{d.reference}: scoping meeting invitation"
    assert TEAMS in msg.body and "Monday 5 July 2027 at 10:30" in msg.body
    assert msg.reply_to == ["pcm@example.org"]
    (name, content, mimetype) = msg.attachments[0]
    assert name == "scoping-meeting.ics" and mimetype == "text/calendar; method=REQUEST"
    cal = Calendar.from_ical(content)
    assert cal["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    (event,) = cal.events
    assert event.start == WHEN and event.end == datetime(2027, 7, 5, 11, 30, tzinfo=LONDON)
    assert event.start.utcoffset().total_seconds() == 3600
    assert "TZID=Europe/London" in content
    assert str(event["ORGANIZER"]).lower() == "mailto:pcm@example.org"
    attendees = {str(a).lower() for a in event.get("ATTENDEE")}
    assert attendees == {f"mailto:{e}" for e in sent}
    assert str(event["LOCATION"]) == TEAMS and int(event["SEQUENCE"]) == 1
    saved = ScopingMeeting.objects.get(pk=meeting.pk)
    assert saved.invitation_sequence == 1 and saved.invitations_sent_at is not None
    assert d.audit.filter(summary__startswith="Sent scoping meeting invitations to").exists()

    # Sending again updates the same event (same UID, next SEQUENCE).
    _, again = _send(d, world.pcm, saved.version)
    event2 = Calendar.from_ical(again["sponsor@example.org"].attachments[0][1]).events[0]
    assert str(event2["UID"]) == str(event["UID"]) and int(event2["SEQUENCE"]) == 2
    assert again["sponsor@example.org"].subject.endswith("scoping meeting updated")


def test_a_repeated_or_stale_send_and_a_meeting_without_a_time_send_nothing(world):  # type: ignore[no-untyped-def]
    d, meeting = _booked(world)
    _send(d, world.pcm, meeting.version)
    with pytest.raises(StaleEdit):
        _send(d, world.pcm, meeting.version)  # the same button pressed twice
    assert mail.outbox == []
    ScopingMeeting.objects.filter(pk=meeting.pk).update(scheduled_for=None)
    with pytest.raises(DomainError, match="date and time"):
        _send(d, world.pcm, ScopingMeeting.objects.get(pk=meeting.pk).version)
    assert mail.outbox == []


def test_the_page_and_button_are_for_the_pcm_and_lga_only(world):  # type: ignore[no-untyped-def]
    d, meeting = _booked(world)
    url = reverse("web:scoping_meeting", args=[d.reference])
    send = reverse("web:scoping_invitations", args=[d.reference])
    for user in (world.sponsor, world.organiser, world.peer):
        c = Client()
        c.force_login(user)
        assert c.get(url).status_code == 403
        assert c.post(send, {"version": meeting.version}).status_code == 403
        assert c.post(url, {"link": TEAMS, "duration_minutes": 60, "version": 1}).status_code == 403
    c = Client()
    c.force_login(world.other_pcm)
    assert c.post(send, {"version": meeting.version}).status_code == 404
    assert mail.outbox == []
    assert ScopingMeeting.objects.get(pk=meeting.pk).meeting_link == ""

    pcm = Client()
    pcm.force_login(world.pcm)
    page = pcm.get(url).content.decode()
    assert "Send invitations" in page and "sponsor@example.org" in page
    r = pcm.post(url, {"link": "https://zoom.us/j/1", "duration_minutes": 60, "version": 1})
    assert "Enter a Microsoft Teams meeting link" in r.content.decode()
    r = pcm.post(url, {"link": TEAMS, "duration_minutes": 60, "version": 1}, follow=True)
    assert "Scoping meeting link saved" in r.content.decode()
    assert ScopingMeeting.objects.get(pk=meeting.pk).meeting_link == TEAMS
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = pcm.post(send, {"version": 2}, follow=True)
    assert "Invitations sent to 4 people" in r.content.decode()
    assert len(mail.outbox) == 4
