"""Attendance at interviews and focus groups: held, moved or did not attend, with how many came
from each group; the week's running figures; and the "What we did" figures built from them."""

from __future__ import annotations

import html
from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.reports.domain.content import activity
from peerdiag.timetable.domain.attendance import attendance_figures, record_attendance
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import AttendanceCount, Attendee, Session

pytestmark = pytest.mark.django_db
REF = "RPD-2027-001"
PAST_DAY1 = date(2026, 11, 2)  # a Monday already gone, so its sessions can have been held
FUTURE_DAY1 = date(2030, 3, 4)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _url(name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=[REF, *args])


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def _week(d: Diagnostic, day1: date = PAST_DAY1) -> dict[str, Session]:
    d.day1 = day1
    d.save(update_fields=["day1"])
    sw = Attendee.objects.create(diagnostic=d, name="Ann Social", group="Social workers")
    police = Attendee.objects.create(diagnostic=d, name="Pat Police", group="Partners")
    young = Attendee.objects.create(
        diagnostic=d, name="Yan Young", group="Children in care council", young_person=True
    )
    focus = Session.objects.create(
        diagnostic=d,
        type=SessionType.FOCUS_GROUP,
        title="Partners focus group",
        group="Partners",
        day=1,
        start=time(10, 0),
        status=SessionStatus.INVITED,
    )
    focus.attendees.set([police])
    talk = Session.objects.create(
        diagnostic=d,
        type=SessionType.INTERVIEW,
        title="Talk with Ann",
        day=2,
        start=time(10, 0),
        status=SessionStatus.INVITED,
    )
    talk.attendees.set([sw, young])
    kit = Session.objects.create(
        diagnostic=d, type=SessionType.KIT, title="KIT day 1", day=1, start=time(16, 0)
    )
    return {"focus": focus, "talk": talk, "kit": kit}


def _form(session: Session, outcome: str, **counts: str) -> dict[str, str]:
    data = {"outcome": outcome, "note": "", "version": str(session.version)}
    data.update(counts)
    return data


def test_the_organiser_records_a_focus_group_as_held_with_counts(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    c = _client(world.organiser)
    page = _text(c.get(_url("session_attendance", s["focus"].code)))
    assert "Attendance at ‘Partners focus group’" in page
    # One number per group: the session's own group first, then Others.
    assert 'for="id_count_0">' in page and "Partners" in page and "Others" in page
    response = c.post(
        _url("session_attendance", s["focus"].code),
        _form(s["focus"], "held", count_0="5", count_1="1"),
    )
    assert response.status_code == 302
    focus = Session.objects.get(pk=s["focus"].pk)
    assert focus.status == SessionStatus.HELD and focus.attendance_by == world.organiser
    assert {(x.group, x.people) for x in AttendanceCount.objects.filter(session=focus)} == {
        ("Partners", 5),
        ("Others", 1),
    }
    assert AuditEntry.objects.filter(summary__contains="as held (6 people)").exists()
    overview = _text(c.get(_url("timetable_attendance")))
    assert "Interviews and focus groups held" in overview and "1 of 2" in overview
    figures = attendance_figures(world.own)
    assert (figures.held, figures.people, figures.partners, figures.young_people) == (1, 6, 5, 0)


def test_figures_count_partners_members_and_young_people_and_fall_back_to_invitees(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    record_attendance(
        s["focus"],
        by=world.pcm,
        outcome="held",
        counts={"Partners": 4, "Elected members": 2},
        version=s["focus"].version,
    )
    # Held with no numbers: its two invitees stand in (the young person as "Young people").
    record_attendance(s["talk"], by=world.pcm, outcome="held", version=s["talk"].version)
    f = attendance_figures(world.own)
    assert dict(f.by_group) == {
        "Partners": 4,
        "Elected members": 2,
        "Social workers": 1,
        "Young people": 1,
    }
    assert (f.held, f.people, f.partners, f.members, f.young_people) == (2, 8, 4, 2, 1)
    assert f.counted_sessions == 1
    rows = {label: (n, level) for label, n, level in activity(world.own)}
    assert rows["Interviews and focus groups held"] == ("2", 0)
    assert rows["People heard"] == ("8", 0)
    assert rows["Partners"] == ("4", 1) and rows["Elected members"] == ("2", 1)
    assert rows["Young people"] == ("1", 1)
    page = _text(_client(world.sponsor).get(_url("timetable")))
    assert "Attendance so far" in page and "Elected members" in page


def test_moved_and_did_not_attend_are_recorded_and_counted_apart(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    c = _client(world.pcm)
    data = _form(s["talk"], "moved")
    data["note"] = "Now on day 4 at 14:00"
    c.post(_url("session_attendance", s["talk"].code), data)
    c.post(_url("session_attendance", s["focus"].code), _form(s["focus"], "not_attended"))
    assert Session.objects.get(pk=s["talk"].pk).status == SessionStatus.RESCHEDULED
    assert Session.objects.get(pk=s["focus"].pk).status == SessionStatus.NOT_ATTENDED
    f = attendance_figures(world.own)
    assert (f.held, f.moved, f.not_attended, f.people) == (0, 1, 1, 0)
    page = _text(c.get(_url("timetable_attendance")))
    assert "Now on day 4 at 14:00" in page and "Did not attend" in page
    assert "0 of 2 (1 moved, 1 not attended)" in page


def test_a_moved_session_with_numbers_is_refused(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    page = _text(
        _client(world.pcm).post(
            _url("session_attendance", s["focus"].code), _form(s["focus"], "moved", count_0="3")
        )
    )
    assert "Only a held session has people to count" in page
    assert Session.objects.get(pk=s["focus"].pk).status == SessionStatus.INVITED
    assert not AttendanceCount.objects.exists()


def test_held_is_refused_before_the_sessions_day(world):  # type: ignore[no-untyped-def]
    s = _week(world.own, day1=FUTURE_DAY1)
    page = _text(
        _client(world.pcm).post(
            _url("session_attendance", s["focus"].code), _form(s["focus"], "held", count_0="3")
        )
    )
    assert "record what happened on or after that day" in page
    assert Session.objects.get(pk=s["focus"].pk).status == SessionStatus.INVITED


def test_bad_numbers_and_a_long_note_are_refused_not_cut(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    c = _client(world.pcm)
    url = _url("session_attendance", s["focus"].code)
    assert "cannot be below 0" in _text(c.post(url, _form(s["focus"], "held", count_0="-1")))
    assert "can be at most 500" in _text(c.post(url, _form(s["focus"], "held", count_0="501")))
    data = _form(s["focus"], "held", count_0="2")
    data["note"] = "x" * 301
    assert "up to 300 characters" in _text(c.post(url, data))
    assert Session.objects.get(pk=s["focus"].pk).status == SessionStatus.INVITED
    assert not AttendanceCount.objects.exists()


def test_a_stale_form_shows_the_conflict_and_records_nothing(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    seen = s["focus"].version
    record_attendance(
        s["focus"], by=world.pcm, outcome="held", counts={"Partners": 2}, version=seen
    )
    page = _text(
        _client(world.organiser).post(
            _url("session_attendance", s["focus"].code),
            {"outcome": "not_attended", "note": "", "version": str(seen)},
        )
    )
    assert "after you opened" in page
    focus = Session.objects.get(pk=s["focus"].pk)
    assert focus.status == SessionStatus.HELD
    assert AttendanceCount.objects.get(session=focus).people == 2


def test_who_may_record_attendance(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    url = _url("session_attendance", s["focus"].code)
    data = _form(s["focus"], "held", count_0="3")
    for user in (world.sponsor, world.peer):
        assert _client(user).post(url, data).status_code == 403
    assert _client(world.other_pcm).post(url, data).status_code == 404
    assert Session.objects.get(pk=s["focus"].pk).status == SessionStatus.INVITED
    # Other kinds of session are not for this form.
    assert _client(world.pcm).get(_url("session_attendance", s["kit"].code)).status_code == 404
    # The sponsor reads the figures but gets no links to record.
    page = _text(_client(world.sponsor).get(_url("timetable_attendance")))
    assert "Partners focus group" in page and url not in page
    assert url in _text(_client(world.organiser).get(_url("timetable_attendance")))
    grid = _text(_client(world.organiser).get(_url("schedule_grid") + "?day=1"))
    assert "Record attendance" in grid
    assert "Record attendance" not in _text(_client(world.sponsor).get(_url("schedule_grid")))


def test_clearing_takes_the_session_back_to_not_recorded(world):  # type: ignore[no-untyped-def]
    s = _week(world.own)
    record_attendance(
        s["focus"], by=world.pcm, outcome="held", counts={"Partners": 2}, version=None
    )
    focus = Session.objects.get(pk=s["focus"].pk)
    focus.diagnostic = world.own
    record_attendance(focus, by=world.pcm, outcome="clear", version=focus.version)
    focus.refresh_from_db()
    assert focus.status == SessionStatus.PROPOSED and focus.attendance_at is None
    assert not AttendanceCount.objects.exists()
