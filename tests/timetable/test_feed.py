"""Private calendar feeds: the published sessions of a peer or an attendee, by secret address."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.domain.feeds import feed_for_person, feed_url_for_attendee
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Attendee, CalendarFeed, Session

from .helpers import generate, planned_week


def published_week(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    return w, publish(w.d, by=world.pcm)


def uids(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert cal["METHOD"] == "PUBLISH"
    return {str(ev["UID"]) for ev in cal.events}


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver")


def test_peer_feed_holds_their_published_sessions_internal_ones_too(world):
    w, version = published_week(world)
    feed = feed_for_person(world.peer.person)
    code = w.d.team.get(person=world.peer.person).code
    mine = {
        s["uid"] for s in version.snapshot["sessions"] if code in {p["code"] for p in s["peers"]}
    }
    assert any(s["internal"] for s in version.snapshot["sessions"] if s["uid"] in mine)
    got = uids(Client().get(reverse("web:calendar_feed", args=[feed.token])))
    assert got == mine
    # Another peer's sessions are not in it.
    assert got != {s["uid"] for s in version.snapshot["sessions"]}


def test_council_attendee_feed_never_shows_internal_sessions(world):
    w = planned_week(world.own)
    sponsor = Attendee.objects.get(diagnostic=w.d, email=world.sponsor.email)
    internal = Session.objects.filter(diagnostic=w.d, type=SessionType.PEER_TEAM).first()
    assert internal is not None
    internal.attendees.add(sponsor)
    generate(w.d, world.pcm)
    version = publish(w.d, by=world.pcm)
    url = feed_url_for_attendee(sponsor)
    assert url.startswith("http") and url.endswith(".ics")
    got = uids(Client().get(path_of(url)))
    attends = {
        s["uid"]: s["internal"]
        for s in version.snapshot["sessions"]
        if sponsor.code in {a["code"] for a in s["attendees"]}
    }
    assert internal.uid in attends  # the snapshot lists them on it ...
    assert got == {uid for uid, inside in attends.items() if not inside}  # ... the feed does not
    assert internal.uid not in got and len(got) >= 6  # overview, feedback and the KIT meetings
    # The same person signed in sees those sessions through their own feed too.
    mine = uids(Client().get(path_of(feed_for_url(world.sponsor))))
    assert mine == got


def feed_for_url(user) -> str:  # type: ignore[no-untyped-def]
    return reverse("web:calendar_feed", args=[feed_for_person(user.person).token])


def test_unknown_token_is_not_found(world):
    published_week(world)
    response = Client().get(reverse("web:calendar_feed", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_ended_diagnostic_leaves_the_feed(world):
    published_week(world)
    feed = feed_for_person(world.peer.person)
    url = reverse("web:calendar_feed", args=[feed.token])
    assert uids(Client().get(url))
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.CANCELLED)
    assert uids(Client().get(url)) == set()


def test_my_calendar_shows_the_address_and_a_new_one_replaces_it(world):
    published_week(world)
    client = Client()
    client.force_login(world.peer)
    page = client.get(reverse("web:my_calendar"))
    old = CalendarFeed.objects.get(person=world.peer.person).token
    text = page.content.decode()
    assert old in text and "Make a new address" in text
    assert "Overview meeting" in text or "Peer team meeting" in text
    old_url = reverse("web:calendar_feed", args=[old])
    assert uids(Client().get(old_url))
    confirm = client.get(reverse("web:my_calendar_reset"))
    assert "stops working at once" in confirm.content.decode()
    assert CalendarFeed.objects.get(person=world.peer.person).token == old
    done = client.post(reverse("web:my_calendar_reset"), follow=True)
    new = CalendarFeed.objects.get(person=world.peer.person).token
    assert new != old
    assert new in done.content.decode() and old not in done.content.decode()
    assert Client().get(old_url).status_code == 404
    assert uids(Client().get(reverse("web:calendar_feed", args=[new])))


def test_my_calendar_without_a_person_says_so(world):
    client = Client()
    client.force_login(world.admin)
    page = client.get(reverse("web:my_calendar"))
    assert "not linked to a person" in page.content.decode()
    assert not CalendarFeed.objects.exists()
    response = client.post(reverse("web:my_calendar_reset"))
    assert response["Location"] == reverse("web:my_calendar")
    assert not CalendarFeed.objects.exists()
