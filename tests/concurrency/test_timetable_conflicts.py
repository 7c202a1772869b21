"""Two people changing the same part of the delivery week: the week's settings, an attendee and
their availability, a session (its edit page, its hand move, its meeting link, its removal and
whether it was held). Each time the second, stale save is refused, the first person's change is
still what is stored, and the page names who made it and shows both versions. A generate run's
placements count as a change too, so a move opened before the run ended cannot undo them.
"""

from __future__ import annotations

import re
from datetime import date, time
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.enums import Platform, TeamRole
from peerdiag.diagnostics.models import TeamMember
from peerdiag.timetable.domain.attendees import Window, add_attendee, set_availability
from peerdiag.timetable.domain.placements import apply_solution, draft_solution, move_session
from peerdiag.timetable.domain.week import timetable_for
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Availability, Session
from tests.timetable.helpers import planned_week


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page(response: Any) -> str:
    return unescape(response.content.decode())


def _version_on(page: str, name: str = "version") -> int:
    m = re.search(rf'name="{name}" value="(\d+)"', page) or re.search(
        rf'value="(\d+)"[^>]*name="{name}"', page
    )
    assert m, f"the form carries no {name}"
    return int(m.group(1))


def _row_versions(page: str) -> dict[str, str]:
    """The version of each row of the meeting links page, as the browser sends them back."""
    return dict(re.findall(r'name="(version_[a-z0-9]+)" value="(\d+)"', page))


def _input_value(page: str, name: str) -> str:
    m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert m, f"no input {name}"
    return m.group(1)


def _mine(page: str, name: str) -> str:
    """What the conflict panel keeps of the person's own input for field `name`."""
    m = re.search(rf'data-conflict-mine="{name}"[^>]*>([^<]*)</textarea>', page) or re.search(
        rf'value="([^"]*)"[^>]*readonly data-conflict-mine="{name}"', page
    )
    assert m, f"the conflict panel does not keep the person's own {name}"
    return m.group(1)


def _conflict_panel(page: str, by: Any) -> None:
    assert "There is a problem" in page and "Saved by someone else" in page
    assert f"{by.get_full_name()} saved a change at" in page
    assert "after you opened it" in page


# The week's settings ---------------------------------------------------------------------------


SETTINGS = {
    "day_start": "09:00",
    "day_end": "17:30",
    "slot_minutes": "15",
    "lunch_earliest": "12:00",
    "lunch_latest": "14:00",
    "lunch_minutes": "30",
    "peer_buffer_minutes": "15",
    "max_sessions_per_day": "",
}


def test_a_stale_save_of_the_week_settings_is_refused_and_the_first_stays(world):  # type: ignore[no-untyped-def]
    d = world.own
    url = reverse("web:timetable_settings", args=[d.reference])
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    v_pcm = _version_on(_page(pcm.get(url)))
    v_org = _version_on(_page(organiser.get(url)))
    assert v_pcm == v_org == timetable_for(d).version
    first = pcm.post(url, SETTINGS | {"day_start": "08:30", "version": v_pcm})
    assert first.status_code == 302
    stale = organiser.post(url, SETTINGS | {"day_start": "10:00", "version": v_org})
    page = _page(stale)
    t = timetable_for(type(d).objects.get(pk=d.pk))
    assert t.day_start == time(8, 30) and t.version == v_pcm + 1
    _conflict_panel(page, world.pcm)
    assert _input_value(page, "day_start") == "08:30"  # what is saved, in the form
    assert _mine(page, "day_start") == "10:00"  # what the organiser typed, kept beside it
    assert "Start of the working day" in page
    assert _version_on(page) == v_pcm + 1
    again = organiser.post(url, SETTINGS | {"day_start": "10:00", "version": v_pcm + 1})
    assert again.status_code == 302
    assert timetable_for(type(d).objects.get(pk=d.pk)).day_start == time(10)


def test_the_settings_save_leaves_the_generate_runs_columns_alone(world):  # type: ignore[no-untyped-def]
    """The settings page writes only the settings (and the version), never the whole row."""
    from peerdiag.timetable.domain.sessions import update_week_settings

    t = timetable_for(world.own)
    other = type(t).objects.get(pk=t.pk)
    update_week_settings(
        other,
        by=world.pcm,
        day_start=time(8),
        day_end=time(17),
        slot_minutes=15,
        lunch_earliest=time(12),
        lunch_latest=time(14),
        lunch_minutes=30,
        peer_buffer_minutes=15,
        max_sessions_per_day=None,
        version=t.version,
    )
    with pytest.raises(StaleEdit) as refused:
        update_week_settings(
            t,
            by=world.organiser,
            day_start=time(10),
            day_end=time(17),
            slot_minutes=15,
            lunch_earliest=time(12),
            lunch_latest=time(14),
            lunch_minutes=30,
            peer_buffer_minutes=15,
            max_sessions_per_day=None,
            version=t.version,
        )
    assert refused.value.changed_by == world.pcm
    assert type(t).objects.get(pk=t.pk).day_start == time(8)


# Attendees and their availability -------------------------------------------------------------


def _attendee_data(**kw: Any) -> dict[str, Any]:
    return {"name": "Ann Lee", "job_title": "", "email": "", "group": "Police"} | kw


def test_a_stale_save_of_an_attendee_is_refused_and_the_first_stays(world):  # type: ignore[no-untyped-def]
    d = world.own
    a = add_attendee(d, by=world.organiser, name="Ann Lee", group="Police")
    url = reverse("web:attendee_edit", args=[d.reference, a.code])
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    v1 = _version_on(_page(pcm.get(url)))
    v2 = _version_on(_page(organiser.get(url)))
    assert v1 == v2 == 1
    assert pcm.post(url, _attendee_data(group="Social workers", version=v1)).status_code == 302
    page = _page(organiser.post(url, _attendee_data(group="Schools", version=v2)))
    a.refresh_from_db()
    assert (a.group, a.version, a.changed_by) == ("Social workers", 2, world.pcm)
    _conflict_panel(page, world.pcm)
    assert _input_value(page, "group") == "Social workers"
    assert _mine(page, "group") == "Schools"
    assert _version_on(page) == 2


def test_a_stale_availability_grid_is_refused_and_shows_both_in_words(world):  # type: ignore[no-untyped-def]
    d = world.own
    a = add_attendee(d, by=world.organiser, name="Ann Lee", group="Police")
    url = reverse("web:availability", args=[d.reference, a.code])
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    v1 = _version_on(_page(pcm.get(url)))
    v2 = _version_on(_page(organiser.get(url)))
    assert v1 == v2 == a.version
    first = pcm.post(url, {"when": "times", "d1_0900": "on", "d1_1000": "on", "version": v1})
    assert first.status_code == 302
    page = _page(organiser.post(url, {"when": "times", "d3_1400": "on", "version": v2}))
    rows = Availability.objects.filter(attendee=a).order_by("day", "start")
    assert [(r.day, r.start, r.end) for r in rows] == [(1, time(9), time(11))]
    _conflict_panel(page, world.pcm)
    assert "When Ann Lee is available" in page
    assert "Day 1: 09:00-11:00" in page  # theirs, in words and ticked in the grid
    assert "Day 3: 14:00-15:00" in _mine(page, "windows")  # the organiser's own choice
    assert 'name="d1_0900" type="checkbox" value="on" checked' in page
    assert 'name="d3_1400" type="checkbox" value="on">' in page
    assert _version_on(page) == v1 + 1


def test_availability_moves_the_attendee_on_so_an_open_details_form_is_stale(world):  # type: ignore[no-untyped-def]
    """The windows hang off the attendee: saving them refuses a details form opened before."""
    d = world.own
    a = add_attendee(d, by=world.organiser, name="Ann Lee", group="Police")
    url = reverse("web:attendee_edit", args=[d.reference, a.code])
    organiser = _client(world.organiser)
    v = _version_on(_page(organiser.get(url)))
    set_availability(a, by=world.pcm, windows=[Window(2, time(9), time(10))], version=v)
    page = _page(organiser.post(url, _attendee_data(name="Ann Lee-Smith", version=v)))
    a.refresh_from_db()
    assert a.name == "Ann Lee" and a.availability_given
    assert "after you opened it" in page and world.pcm.get_full_name() in page
    assert _mine(page, "name") == "Ann Lee-Smith"


def test_a_peers_grid_carries_the_team_members_version(world):  # type: ignore[no-untyped-def]
    d = world.own
    lead = TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER)
    url = reverse("web:availability", args=[d.reference, lead.code])
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    v = _version_on(_page(pcm.get(url)))
    assert v == _version_on(_page(organiser.get(url))) == lead.version
    assert pcm.post(url, {"d2_0900": "on", "version": v}).status_code == 302
    page = _page(organiser.post(url, {"d4_1000": "on", "version": v}))
    rows = Availability.objects.filter(member=lead)
    assert [(r.day, r.start, r.available) for r in rows] == [(2, time(9), False)]
    _conflict_panel(page, world.pcm)
    assert "When" in page and "is not available" in page
    assert "Day 4: 10:00-11:00" in _mine(page, "windows")


def test_a_stale_removal_of_an_attendee_is_refused_and_they_stay(world):  # type: ignore[no-untyped-def]
    d = world.own
    a = add_attendee(d, by=world.organiser, name="Ann Lee", group="Police")
    remove = reverse("web:attendee_remove", args=[d.reference, a.code])
    organiser = _client(world.organiser)
    v = _version_on(_page(organiser.get(remove)))
    edit = reverse("web:attendee_edit", args=[d.reference, a.code])
    _client(world.pcm).post(edit, _attendee_data(email="ann@police.example", version=v))
    page = _page(organiser.post(remove, {"version": v}))
    assert Attendee.objects.filter(pk=a.pk).exists()
    assert "There is a problem" in page and "after you opened it" in page
    assert f"{world.pcm.get_full_name()} changed Ann Lee's details" in page
    assert "ann@police.example" in page  # the page now shows them as they are
    assert _version_on(page) == v + 1
    gone = organiser.post(remove, {"version": v + 1}, follow=True)
    assert "Ann Lee removed" in _page(gone)
    assert not Attendee.objects.filter(pk=a.pk).exists()


def test_a_remove_without_a_version_is_refused_and_removes_nothing(world):  # type: ignore[no-untyped-def]
    d = world.own
    a = add_attendee(d, by=world.organiser, name="Ann Lee", group="Police")
    page = _page(
        _client(world.organiser).post(
            reverse("web:attendee_remove", args=[d.reference, a.code]), follow=True
        )
    )
    assert "This form is out of date" in page
    assert Attendee.objects.filter(pk=a.pk).exists()


# Sessions ------------------------------------------------------------------------------------


def _session_data(s: Session, **kw: Any) -> dict[str, Any]:
    return {
        "type": s.type,
        "title": s.title,
        "priority": s.priority,
        "minutes": str(s.minutes),
        "peers_needed": str(s.peers_needed),
        "attendees": [a.code for a in s.attendees.all()],
        "kloes": [k.code for k in s.kloes.all()],
    } | kw


def test_a_stale_save_of_a_session_is_refused_and_the_first_stays(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    s = w.interviews[0]
    url = reverse("web:session_edit", args=[w.d.reference, s.code])
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    v1 = _version_on(_page(pcm.get(url)))
    v2 = _version_on(_page(organiser.get(url)))
    assert v1 == v2 == s.version
    ok = pcm.post(url, _session_data(s, title="Front door managers", minutes="90", version=v1))
    assert ok.status_code == 302
    page = _page(organiser.post(url, _session_data(s, title="Social workers' talk", version=v2)))
    s.refresh_from_db()
    assert (s.title, s.minutes, s.version) == ("Front door managers", 90, v1 + 1)
    _conflict_panel(page, world.pcm)
    assert _input_value(page, "title") == "Front door managers"
    assert _mine(page, "title") == "Social workers' talk"
    assert _input_value(page, "minutes") == "90" and _mine(page, "minutes") == "60"
    # Fields nobody changed differently are not listed as conflicts.
    assert 'data-conflict-mine="priority"' not in page
    assert _version_on(page) == v1 + 1


def test_a_stale_removal_of_a_session_is_refused_and_it_stays(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    s = w.interviews[0]
    remove = reverse("web:session_remove", args=[w.d.reference, s.code])
    organiser = _client(world.organiser)
    v = _version_on(_page(organiser.get(remove)))
    edit = reverse("web:session_edit", args=[w.d.reference, s.code])
    assert (
        _client(world.pcm).post(edit, _session_data(s, minutes="120", version=v)).status_code == 302
    )
    page = _page(organiser.post(remove, {"version": v}))
    s.refresh_from_db()
    assert s.status != SessionStatus.CANCELLED and s.minutes == 120
    assert "There is a problem" in page and "after you opened it" in page
    assert f"{world.pcm.get_full_name()} changed ‘{s.title}’" in page
    assert "120 minutes" in page
    assert _version_on(page) == v + 1


def _move_week(world: Any) -> dict[str, Any]:
    w = planned_week(world.own, interviews=2)
    lead = TeamMember.objects.get(diagnostic=w.d, role=TeamRole.LEAD_PEER)
    s = w.interviews[0]
    move_session(s, by=world.pcm, day=2, start=time(10), peers=[lead], version=s.version)
    s.refresh_from_db()
    return {
        "w": w,
        "s": s,
        "lead": lead,
        "url": reverse("web:session_move", args=[w.d.reference, s.code]),
    }


def test_a_stale_hand_move_is_refused_and_the_first_move_stays(world):  # type: ignore[no-untyped-def]
    x = _move_week(world)
    s, lead, url = x["s"], x["lead"], x["url"]
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    v = _version_on(_page(pcm.get(url)))
    assert v == _version_on(_page(organiser.get(url))) == s.version
    ok = pcm.post(url, {"day": "3", "start": "11:00", "peers": [lead.code], "version": v})
    assert ok.status_code == 302
    page = _page(
        organiser.post(url, {"day": "4", "start": "14:00", "peers": [lead.code], "version": v})
    )
    s.refresh_from_db()
    assert (s.day, s.start) == (3, time(11))
    _conflict_panel(page, world.pcm)
    assert _input_value(page, "start") == "11:00" and _mine(page, "start") == "14:00"
    assert _mine(page, "day").startswith("Day 4")
    assert re.search(r'name="day" type="radio" value="3" checked', page)
    assert _version_on(page) == v + 1


def test_a_hand_move_opened_before_a_generate_run_cannot_undo_its_result(world):  # type: ignore[no-untyped-def]
    """The run writes placements for many sessions: each it changes moves to its next version,
    so the move form opened before the run ended is refused rather than overwriting it."""
    x = _move_week(world)
    w, s, lead, url = x["w"], x["s"], x["lead"], x["url"]
    untouched = Session.objects.get(diagnostic=w.d, type=SessionType.OVERVIEW)
    organiser = _client(world.organiser)
    v = _version_on(_page(organiser.get(url)))
    # The run's result: the session on day 5 at 09:00, everything else as it is.
    solution = draft_solution(w.d)
    for a in solution["assignments"]:
        if a["session"] == s.code:
            a.update(day=date(2027, 3, 5).isoformat(), start="09:00", end="10:00")
    apply_solution(w.d, solution, by=world.pcm, summary="Generated the week")
    s.refresh_from_db()
    assert (s.day, s.start, s.version) == (5, time(9), v + 1)
    # A session the run left where it was keeps its version.
    assert Session.objects.get(pk=untouched.pk).version == untouched.version
    page = _page(
        organiser.post(url, {"day": "1", "start": "14:00", "peers": [lead.code], "version": v})
    )
    s.refresh_from_db()
    assert (s.day, s.start) == (5, time(9))
    assert "after you opened it" in page and "Saved by someone else" in page
    assert _mine(page, "start") == "14:00" and _input_value(page, "start") == "09:00"


def test_the_links_page_saves_fresh_rows_and_refuses_a_stale_one_by_name(world):  # type: ignore[no-untyped-def]
    """Each row carries its session's version. A row someone changed since is not saved and is
    named, with their link in the box and the one typed shown beside it; the other rows save."""
    w = planned_week(world.own, interviews=2)
    w.d.online_platform = Platform.ZOOM
    w.d.save(update_fields=["online_platform"])
    first, second = w.interviews
    url = reverse("web:session_links", args=[w.d.reference])
    pcm, organiser = _client(world.pcm), _client(world.organiser)
    versions = _row_versions(_page(organiser.get(url)))
    assert versions[f"version_{first.code}"] == str(first.version)
    # Meanwhile the PCM gives the first session its link.
    theirs = "https://zoom.us/j/111"
    saved = pcm.post(url, _row_versions(_page(pcm.get(url))) | {f"link_{first.code}": theirs})
    assert saved.status_code == 302
    mine_first, mine_second = "https://zoom.us/j/222", "https://zoom.us/j/333"
    page = _page(
        organiser.post(
            url,
            versions | {f"link_{first.code}": mine_first, f"link_{second.code}": mine_second},
        )
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.platform_link == theirs  # the stale row wrote nothing
    assert second.platform_link == mine_second  # the fresh row saved
    assert "1 meeting link saved" in page
    assert f"‘{first.title}’: {world.pcm.get_full_name()} changed this session" in page
    assert "after you opened it" in page and "Saved by someone else" in page
    assert _input_value(page, f"link_{first.code}") == theirs
    assert _mine(page, f"link_{first.code}") == mine_first
    assert _version_on(page, f"version_{first.code}") == first.version


def test_a_stale_held_button_is_refused_and_names_who_changed_it(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.day1 = date(2025, 3, 3)
    d.save(update_fields=["day1"])
    lead = TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER)
    kit = Session.objects.create(
        diagnostic=d, type=SessionType.KIT, title="KIT day 1", minutes=30, day=1, start=time(16)
    )
    kit.peers.set([lead])
    grid = _page(_client(world.pcm).get(reverse("web:schedule_grid", args=[d.reference])))
    v = _version_on(grid)
    assert v == kit.version
    Session.objects.filter(pk=kit.pk).update(version=v + 1, changed_by=world.admin)
    url = reverse("web:session_held", args=[d.reference, kit.code])
    page = _page(_client(world.pcm).post(url, {"held": "yes", "version": v}, follow=True))
    kit.refresh_from_db()
    assert kit.status != SessionStatus.HELD
    assert f"{world.admin.get_full_name()} changed ‘KIT day 1’" in page
    assert "after you opened it" in page and "recorded as not held now" in page
