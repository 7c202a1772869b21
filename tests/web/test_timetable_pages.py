"""The timetable's pages: the week, settings, adding, changing and removing sessions, meeting
links and the coverage matrix."""

from __future__ import annotations

from datetime import time
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.diagnostics.enums import Platform, Stage
from peerdiag.timetable.domain.week import seed_fixed_meetings, timetable_for
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session
from tests.factories import KloeFactory
from tests.timetable.helpers import DAY1, planned_week


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _url(name: str, d, *args: str) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"web:{name}", args=[d.reference, *args])


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _post_session(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "type": SessionType.INTERVIEW,
        "title": "Front door social workers",
        "priority": "must",
        "minutes": "60",
        "peers_needed": "1",
    }
    data.update(kw)
    return data


def test_week_lists_days_with_dates_sessions_and_missing_links(world):
    w = planned_week(world.own)
    kit = Session.objects.get(diagnostic=w.d, type=SessionType.KIT, fixed_day=1)
    kit.platform_link = "https://teams.microsoft.com/l/meetup-join/1"
    kit.save()
    page = _text(_client(world.pcm).get(_url("timetable", w.d)))
    assert "Day 1: Monday 1 March 2027" in page
    assert "Day 7: Tuesday 9 March 2027" in page
    assert "Overview meeting with the council and partners" in page
    assert "Peer team meeting, day 3" in page
    # Interviews are not placed until the timetable is generated: listed with their reason.
    assert "Conversation 1" in page and "Not placed yet" in page
    missing = page.split('id="missing-links"')[1].split("</ul>")[0]
    assert "Overview meeting" in missing and "Keeping-in-touch meeting, day 1" not in missing
    assert "No link" in page
    assert "Set up the fixed meetings" not in page  # they exist
    assert reverse("web:timetable_settings", args=[w.d.reference]) in page


def test_council_users_never_see_peer_team_meetings(world):
    w = planned_week(world.own)
    Session.objects.filter(pk=w.interviews[0].pk).update(internal_only=True)
    council = _text(_client(world.organiser).get(_url("timetable", w.d)))
    assert "Keeping-in-touch meeting, day 2" in council
    assert "Peer team meeting" not in council
    assert "Drawing the findings together" not in council
    assert "Conversation 1" not in council
    team = _text(_client(world.peer).get(_url("timetable", w.d)))
    assert "Peer team meeting, day 2" in team and "Conversation 1" in team
    # Nor on the links page, and an internal session's pages are not found for them.
    links = _text(_client(world.organiser).get(_url("session_links", w.d)))
    assert "Peer team meeting" not in links and "Keeping-in-touch meeting, day 2" in links
    internal = Session.objects.filter(diagnostic=w.d, type=SessionType.PEER_TEAM).first()
    assert internal is not None
    r = _client(world.organiser).get(_url("session_edit", w.d, internal.code))
    assert r.status_code == 404
    assert Session.objects.filter(pk=internal.pk).exists()


def test_without_day_1_the_page_says_so_and_the_seed_button_makes_the_meetings(world):
    d = world.own
    c = _client(world.organiser)
    page = _text(c.get(_url("timetable", d)))
    assert "Delivery day 1 is not set yet" in page
    assert reverse("web:diagnostic_dates", args=[d.reference]) in page
    assert "Set up the fixed meetings" in page
    r = c.post(_url("timetable_seed", d))
    assert r.status_code == 302
    assert Session.objects.filter(diagnostic=d, type=SessionType.KIT).count() == 5
    page = _text(c.get(_url("timetable", d)))
    assert "Set up the fixed meetings" not in page
    assert "14 fixed meetings set up" in page


def test_lead_peer_reads_but_does_not_plan(world):
    d = world.own
    page = _text(_client(world.peer).get(_url("timetable", d)))
    assert "Add a session" not in page and "Set up the fixed meetings" not in page
    r = _client(world.peer).post(_url("timetable_seed", d))
    assert r.status_code == 403
    assert not Session.objects.filter(diagnostic=d).exists()


def test_settings_form_shows_errors_and_keeps_input(world):
    d = world.own
    c = _client(world.pcm)
    data = {
        "day_start": "10:00",
        "day_end": "09:00",
        "slot_minutes": "15",
        "lunch_earliest": "12:00",
        "lunch_latest": "14:00",
        "lunch_minutes": "30",
        "peer_buffer_minutes": "15",
        "max_sessions_per_day": "",
        "version": timetable_for(d).version,
    }
    page = _text(c.post(_url("timetable_settings", d), data))
    assert "govuk-error-summary" in page and "must end after it starts" in page
    assert 'value="09:00"' in page and 'value="10:00"' in page
    assert timetable_for(d).day_start == time(9)
    r = c.post(_url("timetable_settings", d), data | {"day_end": "17:00"})
    assert r.status_code == 302
    t = timetable_for(type(d).objects.get(pk=d.pk))
    assert (t.day_start, t.day_end, t.max_sessions_per_day) == (time(10), time(17), None)


def test_add_session_errors_are_summarised_and_input_kept(world):
    d = world.own
    k = KloeFactory(diagnostic=d, order=1)
    c = _client(world.organiser)
    page = _text(
        c.post(
            _url("session_add", d),
            _post_session(minutes="50", kloes=[k.code], young_people="on", title="Care leavers"),
        )
    )
    assert "govuk-error-summary" in page
    assert "Name the supporting adult" in page
    assert 'value="Care leavers"' in page and 'value="50"' in page
    assert f'value="{k.code}" checked' in page
    assert not Session.objects.filter(diagnostic=d).exists()
    # The domain's own rule comes back on its field.
    page = _text(c.post(_url("session_add", d), _post_session(minutes="50")))
    assert "multiple of 15" in page and 'href="#id_minutes"' in page
    r = c.post(
        _url("session_add", d),
        _post_session(
            kloes=[k.code],
            allowed_days=["2", "3"],
            group="Partners",
            young_people="on",
            supporting_adult="Pat Jones",
        ),
    )
    assert r.status_code == 302
    s = Session.objects.get(diagnostic=d)
    assert (s.title, s.allowed_days, s.group, s.supporting_adult) == (
        "Front door social workers",
        [2, 3],
        "Partners",
        "Pat Jones",
    )
    page = _text(c.get(_url("timetable", d)))
    assert "Consent not recorded" in page and "Children or young people" in page


def test_council_cannot_choose_internal_kinds(world):
    page = _text(_client(world.organiser).get(_url("session_add", world.own)))
    assert 'value="peer_team_meeting"' not in page and "Private to the peer team" not in page
    page = _text(_client(world.pcm).get(_url("session_add", world.own)))
    assert 'value="peer_team_meeting"' in page
    r = _client(world.organiser).post(
        _url("session_add", world.own), _post_session(type=SessionType.PEER_TEAM)
    )
    assert "govuk-error-summary" in _text(r)
    assert not Session.objects.filter(diagnostic=world.own).exists()


def test_add_link_prefills_kloe_and_group(world):
    d = world.own
    k = KloeFactory(diagnostic=d, order=1)
    url = _url("session_add", d) + f"?kloe={k.code}&group={quote('Youth council')}"
    page = _text(_client(world.pcm).get(url))
    assert f'value="{k.code}" checked' in page
    assert '<option value="Youth council" selected>' in page


def test_edit_session(world):
    w = planned_week(world.own)
    s = w.interviews[0]
    c = _client(world.pcm)
    page = _text(c.get(_url("session_edit", w.d, s.code)))
    assert 'value="Conversation 1"' in page
    r = c.post(
        _url("session_edit", w.d, s.code),
        _post_session(title="Renamed", kloes=[w.kloes[1].code], minutes="45") | {"version": 1},
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.title, s.minutes, [k.code for k in s.kloes.all()]) == (
        "Renamed",
        45,
        [w.kloes[1].code],
    )


def test_remove_confirms_then_deletes(world):
    w = planned_week(world.own)
    s = w.interviews[0]
    c = _client(world.organiser)
    page = _text(c.get(_url("session_remove", w.d, s.code)))
    assert "Remove ‘Conversation 1’?" in page and "will be deleted" in page
    assert Session.objects.filter(pk=s.pk).exists()
    r = c.post(_url("session_remove", w.d, s.code), {"version": s.version})
    assert r.status_code == 302
    assert not Session.objects.filter(pk=s.pk).exists()
    assert "removed" in _text(c.get(_url("timetable", w.d)))


def test_links_page_saves_valid_links_and_names_the_invalid_ones(world):
    w = planned_week(world.own)
    w.d.online_platform = Platform.ZOOM
    w.d.save(update_fields=["online_platform"])
    first, second = w.interviews[0], w.interviews[1]
    data = {
        f"link_{first.code}": "https://us02web.zoom.us/j/81234567890",
        f"link_{second.code}": "https://teams.microsoft.com/l/meetup-join/1",
    } | {f"version_{s.code}": s.version for s in w.d.sessions.all()}
    r = _client(world.organiser).post(_url("session_links", w.d), data)
    page = _text(r)
    assert "govuk-error-summary" in page
    assert "‘Conversation 2’: Enter a Zoom meeting link" in page
    assert 'value="https://teams.microsoft.com/l/meetup-join/1"' in page  # kept to correct
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.platform_link == "https://us02web.zoom.us/j/81234567890"
    assert second.platform_link == ""


def test_coverage_matrix_shows_sessions_under_kloe_and_group(world):
    w = planned_week(world.own)
    page = _text(_client(world.organiser).get(_url("coverage", w.d)))
    table = page.split('id="coverage-matrix"')[1]
    header = table.split("</thead>")[0]
    assert "Council leadership" in header and "Social workers" in header
    # Conversation 1 (Social workers, KLOE 1): on the first KLOE's row, in the right column.
    groups = [g.split("</th>")[0] for g in header.split('class="govuk-table__header">')[2:]]
    column = groups.index("Social workers")
    first_row = table.split("</thead>")[1].split("</tr>")[0]
    cells = first_row.split('<td class="govuk-table__cell">')[1:]
    assert "Conversation 1" in cells[column]
    assert "Conversation 1" not in "".join(c for i, c in enumerate(cells) if i != column)
    # Each KLOE is heard from two groups here; the warnings name the unheard checklist groups.
    assert 'id="coverage-warnings"' not in page
    assert "No interview or focus group hears from council leadership" in page
    assert f"kloe={w.kloes[0].code}&amp;group=Council+leadership" in page


def test_coverage_warns_for_an_unheard_kloe(world):
    d = world.own
    KloeFactory(diagnostic=d, order=1, text="The front door")
    page = _text(_client(world.peer).get(_url("coverage", d)))
    assert "No interview or focus group covers the line of enquiry ‘1. The front door’" in page
    assert "Add a session" not in page  # the lead peer reads only
    week = _text(_client(world.peer).get(_url("timetable", d)))
    assert "1 line of enquiry needs more sessions" in week


def test_ended_diagnostic_shows_no_planning_controls(world):
    w = planned_week(world.own)
    w.d.stage = Stage.CLOSED
    w.d.save(update_fields=["stage"])
    c = _client(world.pcm)
    page = _text(c.get(_url("timetable", w.d)))
    assert "Add a session" not in page
    page = _text(c.post(_url("session_add", w.d), _post_session()))
    assert "has ended" in page
    assert Session.objects.filter(diagnostic=w.d).count() == 14 + len(w.interviews)
    s = w.interviews[0]
    c.post(_url("session_remove", w.d, s.code), {"version": s.version})
    s.refresh_from_db()
    assert s.status != SessionStatus.CANCELLED


def test_overview_links_to_the_timetable(world):
    page = _text(_client(world.organiser).get(_url("diagnostic_overview", world.own)))
    assert reverse("web:timetable", args=[world.own.reference]) in page


@pytest.mark.parametrize("page", ["timetable", "coverage"])
def test_pages_cost_the_same_queries_for_one_or_three_sessions(world, page):
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    seed_fixed_meetings(d, by=None)
    k = KloeFactory(diagnostic=d, order=1)
    c = _client(world.pcm)

    def add(i: int) -> None:
        a = Attendee.objects.create(diagnostic=d, name=f"A{i}", group=f"Group {i}")
        s = Session.objects.create(
            diagnostic=d, type=SessionType.INTERVIEW, title=f"S{i}", day=2, start=time(10 + i)
        )
        s.kloes.set([k])
        s.attendees.set([a])
        s.peers.set([d.team.first()])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(_url(page, d))
        assert r.status_code == 200
        return len(ctx.captured_queries)

    add(0)
    count()  # warm up (the timetable settings row is made on first use)
    one = count()
    add(1)
    add(2)
    assert count() == one


def test_saving_a_fixed_meeting_unchanged_keeps_it_in_place(world):
    w = planned_week(world.own)
    overview = Session.objects.get(diagnostic=w.d, type=SessionType.OVERVIEW)
    c = _client(world.pcm)
    page = _text(c.get(_url("session_edit", w.d, overview.code)))
    assert 'name="fixed_start" type="text" value="09:30"' in page
    assert 'value="20"' in page  # the council's presentation
    data = {
        "type": overview.type,
        "title": overview.title,
        "priority": overview.priority,
        "minutes": "90",
        "peers_needed": "1",
        "whole_team": "on",
        "fixed_day": "1",
        "fixed_start": "09:30",
        "presentation_minutes": "25",
        "attendees": [a.code for a in overview.attendees.all()],
        "version": overview.version,
    }
    page = _text(c.post(_url("session_edit", w.d, overview.code), data))
    assert "at most 20 minutes" in page and 'href="#id_presentation_minutes"' in page
    r = c.post(_url("session_edit", w.d, overview.code), data | {"presentation_minutes": "15"})
    assert r.status_code == 302
    overview.refresh_from_db()
    assert (overview.day, overview.start, overview.presentation_minutes) == (1, time(9, 30), 15)
    assert overview.whole_team and overview.fixed_day == 1
