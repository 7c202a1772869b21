"""The council agrees the published timetable (decision 19), and only the organiser and LGA staff
edit the week: the sponsor reads it."""

from __future__ import annotations

import html
from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.timetable.domain.agreement import agree_version, agreement_state
from peerdiag.timetable.domain.gate import timetable_blockers
from peerdiag.timetable.domain.versions import snapshot
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Attendee, Session, TimetableVersion

pytestmark = pytest.mark.django_db
REF = "RPD-2027-001"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _url(name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=[REF, *args])


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def _week(d: Diagnostic) -> dict[str, Session]:
    d.day1 = date(2027, 3, 1)
    d.save(update_fields=["day1"])
    ann = Attendee.objects.create(diagnostic=d, name="Ann Social", group="Social workers")
    talk = Session.objects.create(
        diagnostic=d,
        type=SessionType.INTERVIEW,
        title="Talk with Ann",
        day=1,
        start=time(10, 0),
        platform_link="https://meet.example/ann",
    )
    talk.attendees.set([ann])
    team = Session.objects.create(
        diagnostic=d,
        type=SessionType.PEER_TEAM,
        title="Peer team huddle",
        day=1,
        start=time(16, 0),
        internal_only=True,
        platform_link="https://meet.example/team",
    )
    return {"talk": talk, "team": team}


def _publish(d: Diagnostic) -> TimetableVersion:
    """A published version of the draft as it stands (the publish rules are tested elsewhere)."""
    n = TimetableVersion.objects.filter(diagnostic=d).count() + 1
    return TimetableVersion.objects.create(
        diagnostic=d,
        number=n,
        published_at=timezone.now(),
        problem={},
        solution={},
        snapshot=snapshot(d),
    )


# The sponsor reads the week ------------------------------------------------------------------


def test_the_sponsor_sees_no_planning_links_and_is_refused_planning(world):  # type: ignore[no-untyped-def]
    _week(world.own)
    sponsor = _client(world.sponsor)
    page = _text(sponsor.get(_url("timetable")))
    assert "Delivery week timetable" in page and "Talk with Ann" in page
    assert "Add a session" not in page
    assert "Publish the timetable" not in page and "Generate the timetable" not in page
    organiser_page = _text(_client(world.organiser).get(_url("timetable")))
    assert "Add a session" in organiser_page and "Publish the timetable" in organiser_page

    versions = _text(sponsor.get(_url("timetable_versions")))
    assert "Review and publish the draft" not in versions
    before = Session.objects.count()
    assert (
        sponsor.post(_url("session_add"), {"title": "Mine", "type": "interview"}).status_code == 403
    )
    assert Session.objects.count() == before
    assert sponsor.post(_url("timetable_publish"), {"note": ""}).status_code == 403
    assert not TimetableVersion.objects.filter(diagnostic=world.own).exists()
    assert sponsor.post(_url("attendee_add"), {"name": "X", "group": "Y"}).status_code == 403
    assert not Attendee.objects.filter(name="X").exists()
    # The organiser may still plan.
    assert _client(world.organiser).get(_url("session_add")).status_code == 200


# Agreeing -----------------------------------------------------------------------------------


def test_the_organiser_agrees_the_published_version_and_both_sides_see_it(world):  # type: ignore[no-untyped-def]
    _week(world.own)
    _publish(world.own)
    organiser = _client(world.organiser)
    before = _text(organiser.get(_url("timetable")))
    assert "Version 1 is not agreed by the council yet" in before
    assert "Agree version 1 for the council" in before
    response = organiser.post(_url("timetable_agree"), {"number": "1", "back": "timetable"})
    assert response.status_code == 302 and response["Location"] == _url("timetable")
    v = TimetableVersion.objects.get(diagnostic=world.own, number=1)
    assert v.agreed_by == world.organiser and v.agreed_as == "organiser"
    assert v.agreed_at is not None
    assert AuditEntry.objects.filter(
        diagnostic=world.own, summary__contains="Agreed timetable version 1"
    ).exists()
    name = world.organiser.get_full_name()
    pcm_page = _text(_client(world.pcm).get(_url("timetable_versions")))
    assert f"Agreed version 1: {name} (organiser)" in pcm_page
    assert "Agree version 1 for the council" not in pcm_page
    sponsor_page = _text(_client(world.sponsor).get(_url("timetable")))
    assert f"Agreed version 1: {name} (organiser)" in sponsor_page
    assert "Agree version" not in sponsor_page  # nothing left to agree


def test_a_later_version_lists_its_changes_for_re_agreement(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    _publish(world.own)
    agree_version(world.own, by=world.sponsor, number=1)
    Session.objects.filter(pk=s["talk"].pk).update(start=time(14, 0))
    Session.objects.filter(pk=s["team"].pk).update(start=time(15, 0))
    _publish(world.own)
    state = agreement_state(world.own)
    assert state.agreed is not None and state.agreed.number == 1
    assert state.needs_agreement
    assert state.summary.startswith("Agreed version 1; version 2 has changes")
    council = _text(_client(world.organiser).get(_url("timetable_versions")))
    assert "Agreed version 1; version 2 has changes" in council
    assert "Changes since version 1 was agreed" in council
    assert "Talk with Ann" in council.split("Changes since version 1 was agreed")[1]
    # The peer team's own meeting is not shown to the council, but the team sees it moved.
    assert "Peer team huddle" not in council
    team = _text(_client(world.pcm).get(_url("timetable_versions")))
    assert "Peer team huddle" in team.split("Changes since version 1 was agreed")[1]
    assert "Agree version 2 for the council" in council
    _client(world.sponsor).post(_url("timetable_agree"), {"number": "2"})
    v2 = TimetableVersion.objects.get(diagnostic=world.own, number=2)
    assert v2.agreed_by == world.sponsor and v2.agreed_as == "sponsor"
    assert agreement_state(world.own).current


def test_agreeing_a_version_that_is_no_longer_the_latest_is_refused(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    _publish(world.own)
    Session.objects.filter(pk=s["talk"].pk).update(start=time(14, 0))
    _publish(world.own)  # published after the organiser opened the page showing version 1
    response = _client(world.organiser).post(_url("timetable_agree"), {"number": "1"}, follow=True)
    page = _text(response)
    assert "Version 2 was published after you opened the page" in page
    assert not TimetableVersion.objects.filter(agreed_at__isnull=False).exists()


def test_only_the_organiser_or_sponsor_agrees(world):  # type: ignore[no-untyped-def]
    _week(world.own)
    _publish(world.own)
    assert _client(world.pcm).post(_url("timetable_agree"), {"number": "1"}).status_code == 403
    assert _client(world.peer).post(_url("timetable_agree"), {"number": "1"}).status_code == 403
    other = _client(world.other_council_user)
    assert other.post(_url("timetable_agree"), {"number": "1"}).status_code == 404
    # The administrator passes every permission check; the domain still refuses.
    page = _text(_client(world.admin).post(_url("timetable_agree"), {"number": "1"}, follow=True))
    assert "Only the council's organiser or sponsor can agree the timetable" in page
    assert not TimetableVersion.objects.filter(agreed_at__isnull=False).exists()
    assert "Agree version" not in _text(_client(world.pcm).get(_url("timetable_versions")))


def test_agreeing_twice_is_refused_and_keeps_the_first_agreement(world):  # type: ignore[no-untyped-def]
    _week(world.own)
    _publish(world.own)
    agree_version(world.own, by=world.organiser, number=1)
    page = _text(_client(world.sponsor).post(_url("timetable_agree"), {"number": "1"}, follow=True))
    assert "Version 1 is already agreed" in page
    assert TimetableVersion.objects.get(number=1).agreed_by == world.organiser


def test_delivery_waits_for_the_council_to_agree_the_latest_version(world):  # type: ignore[no-untyped-def]
    _week(world.own)
    _publish(world.own)
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.READY)
    d = Diagnostic.objects.get(pk=world.own.pk)
    blockers = timetable_blockers(d, Stage.DELIVERY)
    assert [b.code for b in blockers] == ["timetable.not_agreed"]
    assert "has not agreed version 1" in blockers[0].message
    agree_version(d, by=world.organiser, number=1)
    assert timetable_blockers(d, Stage.DELIVERY) == []
