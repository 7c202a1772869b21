"""Publishing e-mails each person .ics invitations; later publishes send updates or cancels."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from icalendar import Calendar

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.timetable.domain import ics
from peerdiag.timetable.domain.feeds import feed_url_for_attendee
from peerdiag.timetable.domain.invitations import InvitationSummary
from peerdiag.timetable.domain.placements import move_session
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.enums import InvitationMethod, SessionType
from peerdiag.timetable.models import Attendee, SentInvitation, Session

from .helpers import generate, planned_week

LONDON = ZoneInfo("Europe/London")


def publish_and_send(d, by):  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = publish(d, by=by)
    return version, {m.to[0]: m for m in mail.outbox}


def calendars(message) -> list[Calendar]:  # type: ignore[no-untyped-def]
    out = []
    for name, content, mimetype in message.attachments:
        assert name.endswith(".ics")
        method = Calendar.from_ical(content)["METHOD"]
        assert mimetype.startswith(f"text/calendar; method={method}")
        out.append(Calendar.from_ical(content))
    return out


def only_event(cal: Calendar):  # type: ignore[no-untyped-def]
    assert len(cal.events) == 1
    return cal.events[0]


def emails_of(snapshot_session: dict) -> set[str]:  # type: ignore[type-arg]
    people = snapshot_session["peers"] + snapshot_session["attendees"]
    return {p["email"].lower() for p in people if p["email"]}


def free_slot(s: Session, by) -> tuple[int, time]:  # type: ignore[no-untyped-def]
    """Move `s` to the first slot of days 1-5 the checker accepts, other than where it is."""
    here = (s.day, s.start)
    for day in range(1, 6):
        for minute in range(9 * 60, 16 * 60, 15):
            start = time(minute // 60, minute % 60)
            if (day, start) == here:
                continue
            try:
                move_session(s, by=by, day=day, start=start, version=UNCHECKED)
            except DomainError:
                continue
            return day, start
    raise AssertionError("no free slot found")


@pytest.fixture
def published(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    # A council attendee put on an internal peer team meeting must still never hear of it.
    internal = Session.objects.filter(diagnostic=w.d, type=SessionType.PEER_TEAM).first()
    assert internal is not None
    internal.attendees.add(w.attendees[0])
    t = generate(w.d, world.pcm)
    assert t.state == "done", t.message
    version, sent = publish_and_send(w.d, world.pcm)
    return w, version, sent


def test_first_publish_sends_one_mail_per_person_with_a_request_per_session(world, published):
    w, version, sent = published
    sessions = version.snapshot["sessions"]
    expected: set[str] = set()
    for s in sessions:
        expected |= {p["email"] for p in s["peers"] if p["email"]}
        if not s["internal"]:
            expected |= {a["email"] for a in s["attendees"] if a["email"]}
    assert set(sent) == expected
    assert len(mail.outbox) == len(expected)
    # An attendee gets exactly their sessions, each as a REQUEST at SEQUENCE 0.
    a1 = w.attendees[1]
    mine = [s for s in sessions if a1.code in {a["code"] for a in s["attendees"]}]
    cals = calendars(sent[a1.email])
    assert len(cals) == len(mine) == 1
    cal, s = cals[0], mine[0]
    assert cal["METHOD"] == "REQUEST"
    ev = only_event(cal)
    assert str(ev["UID"]) == s["uid"] == Session.objects.get(pk=w.interviews[1].pk).uid
    assert ev["SEQUENCE"] == 0
    start = datetime.fromisoformat(f"{s['date']}T{s['start']}").replace(tzinfo=LONDON)
    assert ev.start == start
    assert ev["DTSTART"].params["TZID"] == "Europe/London"
    assert cal.timezones and cal.timezones[0].tz_name == "Europe/London"
    # The PCM organises (replies reach a person, not the service's unwatched address).
    assert str(ev["ORGANIZER"]) == "mailto:pcm@example.org"
    attendees = {str(a).lower() for a in ev.get("ATTENDEE", [])}
    assert f"mailto:{a1.email}" in attendees
    body = sent[a1.email].body
    assert s["title"] in body and s["start"] in body and f"(day {s['day']})" in body
    assert feed_url_for_attendee(a1) in body  # their private calendar address


def test_council_recipients_never_receive_internal_sessions(world, published):
    w, version, sent = published
    internal = {s["uid"] for s in version.snapshot["sessions"] if s["internal"]}
    assert internal
    council = {a.email for a in Attendee.objects.filter(diagnostic=w.d)}
    for email in council & set(sent):
        uids = {str(only_event(c)["UID"]) for c in calendars(sent[email])}
        assert not uids & internal, email
    # The attendee put on a peer team meeting has no record of it either.
    assert not SentInvitation.objects.filter(
        email=w.attendees[0].email, session__internal_only=True
    ).exists()
    # Peers do get the internal meetings.
    lead = world.peer.email
    uids = {str(only_event(c)["UID"]) for c in calendars(sent[lead])}
    assert internal <= uids


def test_moving_a_session_sends_an_update_only_to_its_people(world, published):
    w, _, _ = published
    s = Session.objects.get(pk=w.interviews[2].pk)
    day, start = free_slot(s, world.pcm)
    v2, sent = publish_and_send(w.d, world.pcm)
    moved = next(x for x in v2.snapshot["sessions"] if x["code"] == s.code)
    assert set(sent) == emails_of(moved)
    for email, message in sent.items():
        (cal,) = calendars(message)
        ev = only_event(cal)
        assert cal["METHOD"] == "REQUEST"
        assert (str(ev["UID"]), ev["SEQUENCE"]) == (s.uid, 1)
        d = datetime.fromisoformat(v2.snapshot["days"][str(day)])
        assert ev.start == datetime(d.year, d.month, d.day, start.hour, start.minute, tzinfo=LONDON)
        assert "changed" in message.body
        row = SentInvitation.objects.get(session=s, email=email)
        assert (row.sequence, row.method) == (1, InvitationMethod.REQUEST)


def test_taking_a_session_out_sends_a_cancellation(world, published):
    w, v1, _ = published
    s = Session.objects.get(pk=w.interviews[3].pk)
    before = next(x for x in v1.snapshot["sessions"] if x["code"] == s.code)
    move_session(s, by=world.pcm, day=None, start=None, version=UNCHECKED)
    _, sent = publish_and_send(w.d, world.pcm)
    assert set(sent) == emails_of(before)
    for message in sent.values():
        (cal,) = calendars(message)
        ev = only_event(cal)
        assert cal["METHOD"] == "CANCEL"
        assert ev["STATUS"] == "CANCELLED"
        assert (str(ev["UID"]), ev["SEQUENCE"]) == (s.uid, 1)
        assert "no longer need to attend" in message.body
    assert set(SentInvitation.objects.filter(session=s).values_list("method", flat=True)) == {
        InvitationMethod.CANCEL
    }


def test_an_attendee_taken_off_a_session_gets_a_cancellation(world, published):
    w, _, _ = published
    s = Session.objects.get(pk=w.interviews[4].pk)
    old = w.attendees[4]
    new = Attendee.objects.create(
        diagnostic=w.d, name="Newcomer", email="new@council.example", group=old.group
    )
    s.attendees.set([new])
    v2, sent = publish_and_send(w.d, world.pcm)
    entry = next(x for x in v2.snapshot["sessions"] if x["code"] == s.code)
    assert set(sent) == emails_of(entry) | {old.email}
    (cancel,) = calendars(sent[old.email])
    assert cancel["METHOD"] == "CANCEL"
    ev = only_event(cancel)
    assert (str(ev["UID"]), ev["SEQUENCE"]) == (s.uid, 1)
    assert [str(a).lower() for a in [ev["ATTENDEE"]]] == [f"mailto:{old.email}"]
    (invite,) = calendars(sent[new.email])
    assert invite["METHOD"] == "REQUEST" and only_event(invite)["SEQUENCE"] == 1
    assert "New sessions for you" in sent[new.email].body
    peer_email = entry["peers"][0]["email"]
    (update,) = calendars(sent[peer_email])
    assert update["METHOD"] == "REQUEST"
    assert "changed" in sent[peer_email].body


def test_no_mail_goes_out_if_the_publish_rolls_back(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    mail.outbox.clear()
    from django.db import transaction

    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                publish(w.d, by=world.pcm)
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    assert not SentInvitation.objects.exists()


def test_summary_counts_each_kind(world, published):
    from peerdiag.timetable.domain.invitations import send_invitations

    w, v1, sent = published
    # Sending the same version again finds nothing new to say.
    again = send_invitations(v1, previous=None)
    assert again == InvitationSummary()
    total = sum(len(m.attachments) for m in sent.values())
    assert SentInvitation.objects.filter(session__diagnostic=w.d).count() == total


def test_a_cancel_without_a_date_still_names_the_session():
    out = ics.invitation(
        {"uid": "x@peerdiag", "sequence": 3, "title": "Gone"},
        method="CANCEL",
        organiser={"name": "peerdiag", "email": "no-reply@example.org"},
        people=[{"name": "A", "email": "a@example.org"}],
    )
    ev = only_event(Calendar.from_ical(out))
    assert (str(ev["UID"]), ev["SEQUENCE"], ev["STATUS"]) == ("x@peerdiag", 3, "CANCELLED")
    assert "DTSTART" not in ev


def test_a_session_with_young_people_names_the_supporting_adult(world):
    w = planned_week(world.own)
    Session.objects.filter(pk=w.interviews[5].pk).update(
        young_people=True,
        supporting_adult="Sam Carer",
        consent_recorded_on=date(2027, 2, 1),
        platform_link="https://meet.example/young",
    )
    generate(w.d, world.pcm)
    _, sent = publish_and_send(w.d, world.pcm)
    message = sent[w.attendees[5].email]
    assert "Supporting adult: Sam Carer" in message.body
    assert "https://meet.example/young" in message.body
    ev = only_event(calendars(message)[0])
    assert "supporting adult: Sam Carer" in str(ev["DESCRIPTION"])
    assert str(ev["LOCATION"]) == str(ev["URL"]) == "https://meet.example/young"


def test_children_and_young_people_are_never_emailed(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    young = w.attendees[5]
    Attendee.objects.filter(pk=young.pk).update(young_person=True)
    Session.objects.filter(pk=w.interviews[5].pk).update(
        young_people=True, supporting_adult="Sam Carer", consent_recorded_on=date(2027, 2, 1)
    )
    generate(w.d, world.pcm)
    _, sent = publish_and_send(w.d, world.pcm)
    assert young.email not in sent
    assert w.attendees[4].email in sent  # everyone else still hears
    # The peer in that session is still invited to it.
    peers = {m.person.email for m in Session.objects.get(pk=w.interviews[5].pk).peers.all()}
    assert peers and all(p in sent for p in peers)
