"""What the publish page says will be e-mailed is exactly what publishing sends, for every kind
of change; invitations are organised by the PCM, replies reach a person, and peers are given
their subscribable feed address (issue 16)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from icalendar import Calendar

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import TeamMember
from peerdiag.timetable.domain.feeds import feed_url_for_person
from peerdiag.timetable.domain.placements import move_session
from peerdiag.timetable.domain.versions import planned_e_mails, publish
from peerdiag.timetable.models import Attendee, Session, TimetableVersion

from .helpers import generate, planned_week
from .test_invitations import free_slot

METHOD = {"new": "REQUEST", "updated": "REQUEST", "cancelled": "CANCEL"}


def promised(d) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(e-mail, METHOD, session uid) for every calendar file the page says will go out."""
    uids = dict(Session.objects.filter(diagnostic=d).values_list("code", "uid"))
    return {
        (m.email, METHOD[kind], uids[code]) for m in planned_e_mails(d) for kind, code in m.sessions
    }


def sent_by_publishing(d, by) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(d, by=by)
    out = set()
    for message in mail.outbox:
        assert len(message.to) == 1
        for _, content, _ in message.attachments:
            cal = Calendar.from_ical(content)
            for ev in cal.events:
                out.add((message.to[0], str(cal["METHOD"]), str(ev["UID"])))
    return out


def check_same(d, by) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    before = promised(d)
    assert before, "the change should e-mail someone"
    assert sent_by_publishing(d, by) == before
    return before


@pytest.fixture
def week(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    t = generate(w.d, world.pcm)
    assert t.state == "done", t.message
    return w


def test_preview_equals_what_is_sent_for_every_kind_of_change(world, week):
    w, pcm = week, world.pcm
    first = check_same(w.d, pcm)
    assert {m for _, m, _ in first} == {"REQUEST"}

    # A session moves.
    s = Session.objects.get(pk=w.interviews[2].pk)
    free_slot(s, pcm)
    check_same(w.d, pcm)

    # A session leaves the week.
    gone = Session.objects.get(pk=w.interviews[3].pk)
    move_session(gone, by=pcm, day=None, start=None, version=UNCHECKED)
    sent = check_same(w.d, pcm)
    assert {m for _, m, _ in sent} == {"CANCEL"}

    # An attendee is swapped for another on a session.
    s4 = Session.objects.get(pk=w.interviews[4].pk)
    old = w.attendees[4]
    new = Attendee.objects.create(
        diagnostic=w.d, name="Newcomer", email="new@council.example", group=old.group
    )
    s4.attendees.set([new])
    sent = check_same(w.d, pcm)
    assert (old.email, "CANCEL", s4.uid) in sent and (new.email, "REQUEST", s4.uid) in sent

    # The session that left comes back.
    gone.refresh_from_db()
    free_slot(gone, pcm)
    check_same(w.d, pcm)

    # Nothing changed: nothing promised (and publishing is refused).
    assert planned_e_mails(w.d) == []


def test_a_publish_after_a_silent_one_promises_everyone_it_will_write_to(world, week):
    # The demo publishes without e-mailing; the next publish writes to everyone who never had
    # an invitation, and the page must say so rather than list only the changed sessions.
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(week.d, by=world.pcm, notify=False)
    s = Session.objects.get(pk=week.interviews[2].pk)
    free_slot(s, world.pcm)
    everyone = promised(week.d)
    assert len({e for e, _, _ in everyone}) > 2
    assert sent_by_publishing(week.d, world.pcm) == everyone


def test_the_publish_page_lists_the_same_people_and_counts(world, week, client):
    client.force_login(world.pcm)
    page = client.get(reverse("web:timetable_publish", args=[week.d.reference]))
    html = page.content.decode()
    planned = planned_e_mails(week.d)
    assert f"Publishing sends {len(planned)} e-mails" in html
    for m in planned:
        assert m.email in html
    assert TimetableVersion.objects.filter(diagnostic=week.d).count() == 0  # nothing written


def test_the_pcm_organises_and_receives_replies_and_peers_get_their_feed(world, week):
    pcm = (
        TeamMember.objects.filter(diagnostic=week.d, role=TeamRole.PEER_CHALLENGE_MANAGER)
        .select_related("person")
        .first()
    )
    assert pcm is not None and pcm.person.email
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(week.d, by=world.pcm)
    peer = (
        TeamMember.objects.filter(diagnostic=week.d, role=TeamRole.LEAD_PEER)
        .select_related("person")
        .get()
    )
    to_peer = next(m for m in mail.outbox if m.to == [peer.person.email])
    assert to_peer.reply_to == [pcm.person.email]
    assert feed_url_for_person(peer.person) in to_peer.body
    assert "/account/calendar/" not in to_peer.body
    for _, content, _ in to_peer.attachments:
        ev = Calendar.from_ical(content).events[0]
        assert str(ev["ORGANIZER"]).lower() == f"mailto:{pcm.person.email.lower()}"


@override_settings(PEERDIAG_REPLY_TO="timetables@council.example")
def test_a_reply_mailbox_when_one_is_set(world, week):
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(week.d, by=world.pcm)
    assert mail.outbox
    assert {tuple(m.reply_to) for m in mail.outbox} == {("timetables@council.example",)}
