"""Publishing sessions that are already over (issue 18): the page lists them and asks first,
and nobody is e-mailed about them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from icalendar import Calendar

from peerdiag.timetable.domain.past import past_changed_sessions
from peerdiag.timetable.domain.problem import planned_sessions
from peerdiag.timetable.domain.versions import planned_e_mails, publish, snapshot
from peerdiag.timetable.models import Session, TimetableVersion

from .helpers import DAY1, generate, planned_week

TODAY = DAY1 + timedelta(days=2)  # the Wednesday of the delivery week


@pytest.fixture
def week(world, monkeypatch):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    t = generate(w.d, world.pcm)
    assert t.state == "done", t.message
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return w


def _by_date(d) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    """(codes of sessions before TODAY, codes of the rest), from the draft."""
    sessions = snapshot(d)["sessions"]
    past = {s["code"] for s in sessions if date.fromisoformat(s["date"]) < TODAY}
    return past, {s["code"] for s in sessions} - past


def test_nobody_is_e_mailed_about_a_past_session(world, week):  # type: ignore[no-untyped-def]
    past, later = _by_date(week.d)
    assert past and later, "the week needs sessions on both sides of today"
    promised = {code for m in planned_e_mails(week.d) for _, code in m.sessions}
    assert promised and not promised & past
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(week.d, by=world.pcm)
    uids = set(Session.objects.filter(code__in=past).values_list("uid", flat=True))
    sent = {
        str(ev["UID"])
        for message in mail.outbox
        for _, content, _ in message.attachments
        for ev in Calendar.from_ical(content).events
    }
    assert sent and not sent & uids


def test_the_past_sessions_are_listed_in_date_order(world, week):  # type: ignore[no-untyped-def]
    past, _ = _by_date(week.d)
    listed = past_changed_sessions(week.d, planned_sessions(week.d), today=TODAY)
    assert {s.code for s in listed} == past
    assert listed[0].when.startswith("Monday 1 March 2027, ")
    # Once published, they are not listed again.
    publish(week.d, by=world.pcm, notify=False)
    assert past_changed_sessions(week.d, planned_sessions(week.d), today=TODAY) == []


def test_the_publish_page_asks_before_publishing_past_sessions(world, week):  # type: ignore[no-untyped-def]
    url = reverse("web:timetable_publish", args=[week.d.reference])
    client = Client()
    client.force_login(world.pcm)
    html = client.get(url).content.decode()
    assert "Sessions in the past" in html and "nobody is e-mailed about them" in html
    first = Session.objects.filter(code__in=_by_date(week.d)[0]).order_by("title").first()
    assert first.title in html
    refused = client.post(url, {"note": ""}).content.decode()
    assert "govuk-error-summary" in refused
    assert "Some sessions are in the past: confirm" in refused
    assert not TimetableVersion.objects.filter(diagnostic=week.d).exists()
    done = client.post(url, {"note": "", "past_confirmed": "on"})
    assert done.status_code == 302
    assert TimetableVersion.objects.filter(diagnostic=week.d).count() == 1


def test_a_week_wholly_ahead_asks_nothing(world, week, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: DAY1)
    url = reverse("web:timetable_publish", args=[week.d.reference])
    client = Client()
    client.force_login(world.pcm)
    assert "Sessions in the past" not in client.get(url).content.decode()
    assert client.post(url, {"note": ""}).status_code == 302
    assert TimetableVersion.objects.filter(diagnostic=week.d).count() == 1
