"""Attendees and availability: the domain rules, the list, the forms and the week grid."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.timetable.domain.attendees import (
    Window,
    add_attendee,
    check_windows,
    hour_blocks,
    merge_windows,
    remove_attendee,
    set_availability,
    update_attendee,
    windows_from_blocks,
)
from peerdiag.timetable.domain.problem import build_problem
from peerdiag.timetable.domain.week import timetable_for
from peerdiag.timetable.models import Attendee, Availability, Session

from .helpers import DAY1, planned_week

T = time


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _windows(a: Attendee) -> list[tuple[int, str, str, bool]]:
    return [
        (w.day, f"{w.start:%H:%M}", f"{w.end:%H:%M}", w.available)
        for w in Availability.objects.filter(attendee=a).order_by("day", "start")
    ]


# Windows


def test_merge_joins_touching_and_overlapping_windows_but_not_other_days():
    merged = merge_windows(
        [
            Window(2, T(13), T(14)),
            Window(1, T(9), T(10)),
            Window(1, T(10), T(11)),
            Window(1, T(10, 30), T(12)),
            Window(1, T(14), T(15)),
            Window(2, T(14), T(15)),
        ]
    )
    assert merged == [
        Window(1, T(9), T(12)),
        Window(1, T(14), T(15)),
        Window(2, T(13), T(15)),
    ]


def test_hour_blocks_end_with_a_half_hour_and_ticked_blocks_become_windows(world):
    week = timetable_for(world.own)
    blocks = hour_blocks(week)
    assert blocks[0] == (T(9), T(10))
    assert blocks[-1] == (T(17), T(17, 30))
    assert len(blocks) == 9
    ticked = [(1, T(9)), (1, T(10)), (1, T(16)), (1, T(17)), (3, T(12))]
    assert windows_from_blocks(ticked, week) == [
        Window(1, T(9), T(11)),
        Window(1, T(16), T(17, 30)),
        Window(3, T(12), T(13)),
    ]


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (Window(6, T(9), T(10)), "choose a day from 1 to 5"),
        (Window(0, T(9), T(10)), "choose a day from 1 to 5"),
        (Window(1, T(11), T(10)), "the end time must be after the start time"),
        (Window(1, T(10), T(10)), "the end time must be after the start time"),
        (Window(1, T(8), T(10)), "times must be between 09:00 and 17:30"),
        (Window(1, T(16), T(18)), "times must be between 09:00 and 17:30"),
        (Window(1, T(9, 10), T(10)), "15-minute grid"),
    ],
)
def test_windows_outside_the_week_are_refused(world, window, message):
    with pytest.raises(DomainError) as err:
        check_windows([window], timetable_for(world.own))
    assert message in err.value.message


# Attendees


def test_add_attendee_checks_name_group_and_email(world):
    d = world.own
    with pytest.raises(DomainError) as err:
        add_attendee(d, by=world.pcm, name="Ann", group=" ")
    assert err.value.field == "group"
    with pytest.raises(DomainError) as err:
        add_attendee(d, by=world.pcm, name="Ann", group="Police", email="ann@")
    assert err.value.field == "email" and "right format" in err.value.message
    a = add_attendee(d, by=world.pcm, name=" Ann Lee ", group="Police", email="ann@police.example")
    assert (a.name, a.group, a.availability_given) == ("Ann Lee", "Police", False)
    with pytest.raises(DomainError) as err:
        add_attendee(d, by=world.pcm, name="Other", group="Police", email="ANN@police.example")
    assert "already an attendee" in err.value.message
    assert Attendee.objects.filter(diagnostic=d).count() == 1
    assert AuditEntry.objects.filter(diagnostic=d, summary="Added attendee Ann Lee").exists()


def test_update_attendee_keeps_its_own_email(world):
    a = add_attendee(world.own, by=None, name="Ann", group="Police", email="ann@x.example")
    update_attendee(
        a, by=None, name="Ann Lee", group="Schools", email="ann@x.example", version=UNCHECKED
    )
    a.refresh_from_db()
    assert (a.name, a.group) == ("Ann Lee", "Schools")


def test_an_ended_diagnostic_refuses_changes(world):
    d = world.own
    a = add_attendee(d, by=None, name="Ann", group="Police")
    d.stage = Stage.CANCELLED
    d.save(update_fields=["stage"])
    with pytest.raises(DomainError, match="ended"):
        add_attendee(d, by=None, name="Bob", group="Police")
    a.diagnostic = d
    with pytest.raises(DomainError, match="ended"):
        set_availability(a, by=None, windows=[Window(1, T(9), T(10))], version=UNCHECKED)
    with pytest.raises(DomainError, match="ended"):
        remove_attendee(a, by=None, version=UNCHECKED)
    assert Attendee.objects.filter(diagnostic=d).count() == 1


def test_attendee_availability_is_stored_merged_and_reaches_the_problem(world):
    w = planned_week(world.own)
    a = w.attendees[0]
    stored = set_availability(
        a,
        by=world.pcm,
        windows=[Window(2, T(9), T(10)), Window(2, T(10), T(12))],
        version=UNCHECKED,
    )
    assert stored == [Window(2, T(9), T(12))]
    a.refresh_from_db()
    assert a.availability_given is True
    assert _windows(a) == [(2, "09:00", "12:00", True)]
    person = next(p for p in build_problem(w.d)["people"] if p["id"] == a.code)
    assert person["available"] == [{"day": "2027-03-02", "start": "09:00", "end": "12:00"}]
    # Back to all week: the windows go and the problem no longer limits them.
    set_availability(a, by=world.pcm, windows=None, version=UNCHECKED)
    a.refresh_from_db()
    assert a.availability_given is False and _windows(a) == []
    person = next(p for p in build_problem(w.d)["people"] if p["id"] == a.code)
    assert "available" not in person


def test_an_attendee_cannot_be_given_no_time_at_all(world):
    a = add_attendee(world.own, by=None, name="Ann", group="Police")
    with pytest.raises(DomainError, match="at least one time"):
        set_availability(a, by=None, windows=[], version=UNCHECKED)
    a.refresh_from_db()
    assert a.availability_given is False


def test_a_peer_gets_unavailable_windows(world):
    lead = world.own.team.get(role=TeamRole.LEAD_PEER)
    set_availability(lead, by=world.pcm, windows=[Window(3, T(9), T(11))], version=UNCHECKED)
    rows = Availability.objects.filter(member=lead)
    assert [(r.day, r.start, r.end, r.available) for r in rows] == [(3, T(9), T(11), False)]
    set_availability(lead, by=world.pcm, windows=[], version=UNCHECKED)
    assert not Availability.objects.filter(member=lead).exists()


def test_removing_an_attendee_says_how_many_sessions_lose_them(world):
    w = planned_week(world.own)
    a = w.attendees[0]
    session = w.interviews[0]
    assert remove_attendee(a, by=world.pcm, version=UNCHECKED) == 1
    assert not Attendee.objects.filter(pk=a.pk).exists()
    assert Session.objects.filter(pk=session.pk).exists()
    assert AuditEntry.objects.filter(summary__contains="who was in 1 session").exists()


# Pages


def test_list_groups_attendees_and_lists_the_peers(world):
    d = world.own
    a = add_attendee(d, by=None, name="Ann Lee", group="Police")
    add_attendee(d, by=None, name="Bob Day", group="Schools")
    set_availability(a, by=None, windows=[Window(1, T(13), T(17, 30))], version=UNCHECKED)
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    html = _client(world.organiser).get(reverse("web:attendees", args=[d.reference])).text
    assert ">Police</caption>" in html and ">Schools</caption>" in html
    assert "Mon 1 Mar: all day" not in html and "Mon 1 Mar: 13:00-17:30" in html
    assert "All week" in html  # Bob
    assert reverse("web:attendee_remove", args=[d.reference, a.code]) in html
    lead = d.team.get(role=TeamRole.LEAD_PEER)
    assert reverse("web:availability", args=[d.reference, lead.code]) in html
    assert reverse("web:availability_template", args=[d.reference]) + "?format=csv" in html


def test_list_empty_state_and_no_change_links_for_the_lead_peer(world):
    d = world.own
    html = _client(world.peer).get(reverse("web:attendees", args=[d.reference])).text
    assert "Nobody from the council or its partners has been added yet" in html
    assert reverse("web:attendee_add", args=[d.reference]) not in html


def test_list_queries_do_not_grow_with_attendees(world):
    d = world.own
    url = reverse("web:attendees", args=[d.reference])
    client = _client(world.pcm)
    add_attendee(d, by=None, name="One", group="Police")
    client.get(url)  # warm up (timetable settings are made on first use)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for name in ("Two", "Three"):
        a = add_attendee(d, by=None, name=name, group="Schools")
        set_availability(a, by=None, windows=[Window(1, T(9), T(10))], version=UNCHECKED)
    with CaptureQueriesContext(connection) as three:
        html = client.get(url).text
    assert "Three" in html
    assert len(three.captured_queries) == len(one.captured_queries)


def test_add_edit_and_remove_through_the_pages(world):
    d = world.own
    c = _client(world.organiser)
    r = c.post(
        reverse("web:attendee_add", args=[d.reference]),
        {"name": "Ann Lee", "email": "not-an-email", "group": "Police"},
    )
    assert "There is a problem" in r.text and "right format" in r.text
    assert not Attendee.objects.filter(diagnostic=d).exists()
    r = c.post(
        reverse("web:attendee_add", args=[d.reference]),
        {"name": "Ann Lee", "email": "ann@x.example", "group": "Police", "young_person": "on"},
    )
    assert r.status_code == 302
    a = Attendee.objects.get(diagnostic=d)
    assert (a.email, a.young_person) == ("ann@x.example", True)
    r = c.post(
        reverse("web:attendee_edit", args=[d.reference, a.code]),
        {"name": "Ann Lee-Smith", "email": "", "group": "Police", "version": a.version},
    )
    a.refresh_from_db()
    assert (a.name, a.email, a.young_person) == ("Ann Lee-Smith", "", False)
    s = Session.objects.create(diagnostic=d, type="interview", title="Police chat")
    s.attendees.add(a)
    page = c.get(reverse("web:attendee_remove", args=[d.reference, a.code])).text
    assert "Remove Ann Lee-Smith?" in page and "is in 1 session" in page and "Police chat" in page
    assert Attendee.objects.filter(pk=a.pk).exists()
    r = c.post(
        reverse("web:attendee_remove", args=[d.reference, a.code]),
        {"version": a.version},
        follow=True,
    )
    assert "Ann Lee-Smith removed and taken out of 1 session" in r.text
    assert not Attendee.objects.filter(pk=a.pk).exists()


def test_the_lead_peer_may_not_change_attendees(world):
    d = world.own
    a = add_attendee(d, by=None, name="Ann", group="Police")
    c = _client(world.peer)
    r = c.post(reverse("web:attendee_add", args=[d.reference]), {"name": "X", "group": "Y"})
    assert r.status_code == 403
    r = c.post(reverse("web:attendee_remove", args=[d.reference, a.code]))
    assert r.status_code == 403
    url = reverse("web:availability", args=[d.reference, a.code])
    r = c.post(url, {"when": "times", "d1_0900": "on"})
    assert r.status_code == 403
    assert Attendee.objects.filter(diagnostic=d).count() == 1
    assert _windows(a) == []
    # The lead peer still sees the grid, read only.
    html = c.get(url).text
    assert "disabled" in html and "Save availability" not in html


def test_the_grid_saves_merged_windows_and_shows_them_again(world):
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    a = add_attendee(d, by=None, name="Ann Lee", group="Police")
    url = reverse("web:availability", args=[d.reference, a.code])
    c = _client(world.organiser)
    html = c.get(url).text
    assert "When is Ann Lee available?" in html
    assert "Mon 1 Mar" in html and "Fri 5 Mar" in html
    assert "Available Tue 2 Mar, 17:00 to 17:30" in html
    assert 'value="all_week" checked' in html
    r = c.post(
        url,
        {"when": "times", "d2_0900": "on", "d2_1000": "on", "d2_1700": "on", "version": 1},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.availability_given
    assert _windows(a) == [(2, "09:00", "11:00", True), (2, "17:00", "17:30", True)]
    html = c.get(url).text
    assert 'id="id_d2_0900" name="d2_0900" type="checkbox" value="on" checked' in html
    assert 'id="id_d2_1100" name="d2_1100" type="checkbox" value="on">' in html
    assert 'value="times" checked' in html
    assert "Tue 2 Mar: 09:00-11:00, 17:00-17:30" in html


def test_the_grid_refuses_some_times_with_nothing_ticked(world):
    d = world.own
    a = add_attendee(d, by=None, name="Ann", group="Police")
    url = reverse("web:availability", args=[d.reference, a.code])
    r = _client(world.pcm).post(url, {"when": "times", "version": a.version})
    assert "There is a problem" in r.text and "Tick at least one time" in r.text
    a.refresh_from_db()
    assert a.availability_given is False


def test_the_grid_for_a_peer_asks_when_they_are_not_available(world):
    d = world.own
    lead = d.team.get(role=TeamRole.LEAD_PEER)
    url = reverse("web:availability", args=[d.reference, lead.code])
    c = _client(world.pcm)
    html = c.get(url).text
    assert "not available?" in html and "Available all week" not in html
    # Day 1 is not set: the page says so and links to where it is set.
    assert reverse("web:diagnostic_dates", args=[d.reference]) in html
    assert "Not available Day 3, 09:00 to 10:00" in html
    c.post(url, {"d3_0900": "on", "d3_1000": "on", "version": lead.version})
    rows = Availability.objects.filter(member=lead)
    assert [(r.day, r.start, r.end, r.available) for r in rows] == [(3, T(9), T(11), False)]


def test_the_grid_is_not_found_for_someone_of_another_diagnostic(world):
    a = add_attendee(world.other, by=None, name="Ann", group="Police")
    r = _client(world.pcm).get(reverse("web:availability", args=[world.own.reference, a.code]))
    assert r.status_code == 404


def test_the_edit_page_shows_the_private_calendar_address_once_there_is_one(world):  # type: ignore[no-untyped-def]
    from peerdiag.timetable.domain.feeds import feed_url_for_attendee

    w = planned_week(world.own, interviews=1)
    a = w.attendees[0]
    url = reverse("web:attendee_edit", args=[w.d.reference, a.code])
    page = _client(world.organiser).get(url).content.decode()
    assert "gets a private calendar address with their first invitation" in page
    address = feed_url_for_attendee(a)
    a = Attendee.objects.get(pk=a.pk)
    page = _client(world.organiser).get(url).content.decode()
    assert address in page and "/calendar/" in address
