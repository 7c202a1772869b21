"""The schedule pages: generate with progress, the day grid, itineraries, hand moves, held
meetings, publishing and versions."""

from __future__ import annotations

import html
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.models import Job
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import AuditEntry, Diagnostic, TeamMember
from peerdiag.timetable.enums import JobState, Priority, SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session, TimetableVersion
from tests.factories import PersonFactory, TeamMemberFactory
from tests.timetable.helpers import DAY1, generate, planned_week

REF = "RPD-2027-001"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _url(name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=[REF, *args])


def _text(response) -> str:  # type: ignore[no-untyped-def]
    # Unescaped, so names such as O'Donnell (escaped in the HTML) compare as written.
    return html.unescape(response.content.decode())


@pytest.fixture
def small_week(world):  # type: ignore[no-untyped-def]
    """Day 1 set, the world's PCM and lead peer, two interviews: one placed, one not."""
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    lead = TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER)
    pcm = TeamMember.objects.get(diagnostic=d, role=TeamRole.PEER_CHALLENGE_MANAGER)
    ann = Attendee.objects.create(
        diagnostic=d, name="Ann Social", email="ann@council.example", group="Social workers"
    )
    bob = Attendee.objects.create(
        diagnostic=d, name="Bob Partner", email="bob@partner.example", group="Partners"
    )
    placed = Session.objects.create(
        diagnostic=d,
        type=SessionType.INTERVIEW,
        title="Talk with Ann",
        minutes=60,
        day=1,
        start=time(10, 0),
    )
    placed.attendees.set([ann])
    placed.peers.set([lead])
    waiting = Session.objects.create(
        diagnostic=d,
        type=SessionType.INTERVIEW,
        title="Talk with Bob",
        minutes=60,
        unscheduled_reason="Not placed yet",
    )
    waiting.attendees.set([bob])
    return {"d": d, "lead": lead, "pcm": pcm, "placed": placed, "waiting": waiting, "ann": ann}


# Generate -------------------------------------------------------------------------------------


def test_generate_runs_and_lists_every_session_left_out_with_its_reason(
    world, django_capture_on_commit_callbacks
):
    w = planned_week(world.own)
    nobody_free = Attendee.objects.create(
        diagnostic=w.d, name="Never Free", group="Partners", availability_given=True
    )
    impossible = Session.objects.create(
        diagnostic=w.d,
        type=SessionType.INTERVIEW,
        title="Talk nobody can make",
        priority=Priority.SHOULD,
    )
    impossible.attendees.set([nobody_free])
    c = _client(world.pcm)

    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(_url("schedule_generate"), {"seconds": "5"})
    assert response.status_code == 302

    t = Job.objects.get(diagnostic=w.d, kind="timetable")
    assert t.state == JobState.DONE, t.message
    impossible.refresh_from_db()
    assert impossible.day is None and impossible.unscheduled_reason
    placed = Session.objects.filter(diagnostic=w.d, day__isnull=False).count()
    page = _text(c.get(_url("schedule_generate")))
    assert f"{placed} sessions placed, 1 left out" in page
    assert "Talk nobody can make" in page
    assert impossible.unscheduled_reason in page
    assert _url("schedule_grid") in page
    assert 'hx-trigger="every 1s"' not in page


def test_generate_is_refused_with_the_reason_when_day_1_is_not_set(world):
    c = _client(world.pcm)
    response = c.post(_url("schedule_generate"), {"seconds": "20"})
    page = _text(response)
    assert "govuk-error-summary" in page and "Set delivery day 1" in page
    assert not Job.objects.filter(diagnostic=world.own).exists()


def test_generate_refuses_a_time_limit_out_of_range(world):
    planned_week(world.own)
    page = _text(_client(world.pcm).post(_url("schedule_generate"), {"seconds": "500"}))
    assert "Give the scheduler at most 120 seconds" in page
    assert not Job.objects.filter(diagnostic=world.own).exists()


def test_progress_panel_polls_while_running_and_shows_time_left(world):
    t = Job.objects.create(
        kind="timetable",
        diagnostic=world.own,
        created_by=world.pcm,
        state=JobState.RUNNING,
        best="18 of 20 sessions placed so far",
        log="first line\nsecond line",
        time_limit=60,
        started_at=timezone.now() - timedelta(seconds=10),
        heartbeat=timezone.now(),
    )
    c = _client(world.pcm)
    page = _text(c.get(_url("schedule_progress")))
    assert 'hx-trigger="every 1s"' in page and 'hx-swap="outerHTML"' in page
    assert _url("schedule_progress") in page
    assert "18 of 20 sessions placed so far" in page
    assert "Time left" in page and ("50 seconds" in page or "49 seconds" in page)
    assert "second line" in page
    # Without JavaScript there is a link to refresh; the page never refreshes itself.
    assert "Refresh" in page and 'http-equiv="refresh"' not in page
    assert "<html" not in page  # a fragment, not the whole page
    full = _text(c.get(_url("schedule_generate")))
    assert 'id="generate-status" class="govuk-visually-hidden" role="status">Solving' in full
    assert "Generate again" not in full
    assert f"{world.pcm} started generating the timetable at" in full
    assert "nobody can move, add or remove this week's sessions by hand" in full
    assert "Cancel the run" in full
    # The status line for screen readers is swapped in only when the state changes.
    assert """hx-vals='{"seen": "running"}'""" in page
    assert 'hx-swap-oob="innerHTML">Solving' in page
    same = _text(c.get(_url("schedule_progress") + "?seen=running"))
    assert "hx-swap-oob" not in same and "18 of 20 sessions placed so far" in same

    Job.objects.filter(pk=t.pk).update(state=JobState.DONE, best="done")
    done = _text(c.get(_url("schedule_progress") + "?seen=running"))
    assert "hx-trigger" not in done and "0 sessions placed, 0 left out" in done
    assert 'hx-swap-oob="innerHTML">Finished: 0 sessions placed, 0 left out' in done


def test_a_failed_run_shows_its_error(world):
    Job.objects.create(
        kind="timetable", diagnostic=world.own, state=JobState.FAILED, message="The solver gave up"
    )
    page = _text(_client(world.pcm).get(_url("schedule_generate")))
    assert "The last run failed" in page and "The solver gave up" in page


def test_generate_page_says_a_replan_starts_from_the_published_version(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    c = _client(world.pcm)
    assert "Version 1 is published" not in _text(c.get(_url("schedule_generate")))
    c.post(_url("timetable_publish"), {"note": ""})
    page = _text(c.get(_url("schedule_generate")))
    assert "Version 1 is published" in page and "moves as few sessions as it can" in page


# The day grid ---------------------------------------------------------------------------------


def test_grid_shows_each_session_in_the_columns_of_its_peers(small_week, world):
    lead, pcm = small_week["lead"], small_week["pcm"]
    both = Session.objects.create(
        diagnostic=small_week["d"],
        type=SessionType.FOCUS_GROUP,
        title="Group of managers",
        minutes=90,
        day=1,
        start=time(13, 0),
    )
    both.peers.set([lead, pcm])
    response = _client(world.pcm).get(_url("schedule_grid") + "?day=1")
    grid = response.context["grid"]
    columns = [m.pk for m in grid.columns]
    labels = [r.label for r in grid.rows]

    def cell(label: str, member: TeamMember):  # type: ignore[no-untyped-def]
        return grid.rows[labels.index(label)].cells[columns.index(member.pk)]

    assert [s.title for s in cell("10:00", lead).block.sessions] == ["Talk with Ann"]
    assert cell("10:00", pcm).block is None and not cell("10:00", pcm).covered
    assert cell("10:15", lead).covered  # 60 minutes in 15-minute rows span four rows
    assert cell("10:00", lead).block.rows == 4
    assert cell("13:00", lead).block.rows == 6 and cell("13:00", pcm).block.rows == 6
    page = _text(response)
    assert 'rowspan="4"' in page and 'rowspan="6"' in page
    assert '<th scope="col" class="govuk-table__header">Time</th>' in page
    assert '<th scope="row" class="govuk-table__header">10:00</th>' in page
    assert "With Ann Social" in page and "No link yet" in page
    # Unplaced sessions are listed with their reason and a link to place them.
    assert "Talk with Bob" in page and "Not placed yet" in page
    assert _url("session_move", small_week["waiting"].code) in page


def test_grid_shows_another_day_and_its_date(small_week, world):
    page = _text(_client(world.pcm).get(_url("schedule_grid") + "?day=2"))
    assert "Day 2, Tuesday 2 March 2027" in page
    assert "Nothing is placed on day 2 yet" in page and "Talk with Ann" not in page


def test_council_users_do_not_see_peer_team_meetings_in_the_grid(world):
    w = planned_week(world.own)
    team = list(TeamMember.objects.filter(diagnostic=w.d))
    for s in Session.objects.filter(diagnostic=w.d, day=1):
        s.peers.set(team)
    for user, sees in ((world.pcm, True), (world.peer, True), (world.sponsor, False)):
        page = _text(_client(user).get(_url("schedule_grid") + "?day=1"))
        assert ("Peer team meeting, day 1" in page) is sees, user
        assert "Keeping-in-touch meeting, day 1" in page
        assert "Overview meeting" in page


def test_grid_asks_for_day_1_when_it_is_not_set(world):
    page = _text(_client(world.pcm).get(_url("schedule_grid")))
    assert "Delivery day 1 is not set" in page
    assert reverse("web:diagnostic_dates", args=[REF]) in page


def _fill_day(d: Diagnostic, n: int, members: list[TeamMember]) -> None:
    for i in range(n):
        a = Attendee.objects.create(diagnostic=d, name=f"Person {i}", group="Partners")
        s = Session.objects.create(
            diagnostic=d,
            type=SessionType.INTERVIEW,
            title=f"Talk {i}",
            day=1 + i % 5,
            start=time(9 + i % 8, 0),
            minutes=45,
        )
        s.attendees.set([a])
        s.peers.set([members[i % len(members)]])


def _grid_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url("schedule_grid") + "?day=1")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_grid_query_count_does_not_grow_with_the_sessions(world, django_assert_max_num_queries):
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    members = [
        *TeamMember.objects.filter(diagnostic=d),
        TeamMemberFactory(diagnostic=d, role=TeamRole.OPERATIONAL_MANAGER),
    ]
    c = _client(world.pcm)
    _grid_queries(c)  # the first visit makes the week's settings
    _fill_day(d, 6, members)
    few = _grid_queries(c)
    _fill_day(d, 34, members)
    assert Session.objects.filter(diagnostic=d).count() == 40
    many = _grid_queries(c)
    assert few == many
    with django_assert_max_num_queries(few):
        page = _text(c.get(_url("schedule_grid") + "?day=1"))
    assert page.count("Talk ") >= 8


# Moving a session by hand ---------------------------------------------------------------------


def test_a_move_that_breaks_a_rule_shows_the_checker_message_and_changes_nothing(small_week, world):
    waiting, lead = small_week["waiting"], small_week["lead"]
    audit_before = AuditEntry.objects.count()
    response = _client(world.pcm).post(
        _url("session_move", waiting.code),
        {"day": "1", "start": "10:00", "peers": [lead.code], "version": waiting.version},
    )
    page = _text(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "breaks the timetable" in page
    assert lead.person.full_name in page
    waiting.refresh_from_db()
    assert waiting.day is None and waiting.start is None and waiting.peers.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_move_that_keeps_the_rules_is_made(small_week, world):
    waiting, pcm = small_week["waiting"], small_week["pcm"]
    response = _client(world.pcm).post(
        _url("session_move", waiting.code),
        {"day": "2", "start": "11:30", "peers": [pcm.code], "version": waiting.version},
    )
    assert response.status_code == 302 and response["Location"].endswith("?day=2")
    waiting.refresh_from_db()
    assert (waiting.day, waiting.start) == (2, time(11, 30))
    assert list(waiting.peers.all()) == [pcm]


def test_a_session_can_be_taken_out_of_the_week(small_week, world):
    placed = small_week["placed"]
    response = _client(world.organiser).post(
        _url("session_move", placed.code), {"day": "out", "version": placed.version}
    )
    assert response.status_code == 302
    placed.refresh_from_db()
    assert placed.day is None and placed.unscheduled_reason == "Taken out by hand"


def test_move_form_needs_a_start_time_and_offers_days_1_to_5_for_interviews(small_week, world):
    c = _client(world.pcm)
    page = _text(c.get(_url("session_move", small_week["waiting"].code)))
    assert "Day 5, Friday 5 March 2027" in page and "Day 6" not in page
    assert "Take it out of the week" in page
    page = _text(c.post(_url("session_move", small_week["waiting"].code), {"day": "2"}))
    assert "Enter a start time" in page
    small_week["waiting"].refresh_from_db()
    assert small_week["waiting"].day is None


def test_council_users_cannot_reach_internal_sessions_to_move_them(world):
    w = planned_week(world.own)
    meeting = Session.objects.filter(diagnostic=w.d, type=SessionType.PEER_TEAM).first()
    assert meeting is not None
    assert _client(world.organiser).get(_url("session_move", meeting.code)).status_code == 404
    assert _client(world.pcm).get(_url("session_move", meeting.code)).status_code == 200


# Meetings held --------------------------------------------------------------------------------


def _kit(d: Diagnostic, member: TeamMember) -> Session:
    s = Session.objects.create(
        diagnostic=d, type=SessionType.KIT, title="KIT day 1", minutes=30, day=1, start=time(16)
    )
    s.peers.set([member])
    return s


def test_a_kit_meeting_is_marked_held_once_its_day_has_come(world):
    d = world.own
    d.day1 = date(2025, 3, 3)
    d.save(update_fields=["day1"])
    lead = TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER)
    kit = _kit(d, lead)
    c = _client(world.pcm)
    assert "Mark as held" in _text(c.get(_url("schedule_grid")))
    response = c.post(_url("session_held", kit.code), {"held": "yes", "version": kit.version})
    assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.held and kit.status == SessionStatus.HELD
    assert AuditEntry.objects.filter(diagnostic=d, summary__contains="as held").exists()
    page = _text(c.get(_url("schedule_grid")))
    assert "Mark as held" not in page and ">Held</strong>" in page


def test_a_meeting_cannot_be_marked_held_before_its_day(world):
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    kit = _kit(d, TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER))
    c = _client(world.pcm)
    assert "Mark as held" not in _text(c.get(_url("schedule_grid")))
    page = _text(
        c.post(_url("session_held", kit.code), {"held": "yes", "version": kit.version}, follow=True)
    )
    assert "record it as held on or after that day" in page
    kit.refresh_from_db()
    assert not kit.held and kit.status == SessionStatus.PROPOSED


def test_only_kit_and_peer_team_meetings_are_marked_held(small_week, world):
    d = small_week["d"]
    d.day1 = date(2025, 3, 3)
    d.save(update_fields=["day1"])
    page = _text(
        _client(world.pcm).post(
            _url("session_held", small_week["placed"].code),
            {"held": "yes", "version": small_week["placed"].version},
            follow=True,
        )
    )
    assert "Only keeping-in-touch and peer team meetings" in page
    small_week["placed"].refresh_from_db()
    assert not small_week["placed"].held


# Publishing and versions ----------------------------------------------------------------------


def test_publish_page_lists_the_changes_and_who_hears_and_publishing_makes_version_1(
    small_week, world
):
    c = _client(world.pcm)
    page = _text(c.get(_url("timetable_publish")))
    assert "What will be published" in page
    assert "Added" in page and "Talk with Ann" in page and "day 1 (2027-03-01) 10:00" in page
    assert "ann@council.example" in page and "peer@example.org" in page
    assert "bob@partner.example" not in page  # not placed, so not in the published week
    response = c.post(_url("timetable_publish"), {"note": "First go"})
    assert response.status_code == 302
    version = TimetableVersion.objects.get(diagnostic=small_week["d"])
    assert (version.number, version.note, version.published_by) == (1, "First go", world.pcm)
    page = _text(c.get(response["Location"]))
    assert "Version 1 of the timetable is published" in page
    # Nothing changed since: the page says so and publishing again is refused.
    page = _text(c.get(_url("timetable_publish")))
    assert "Nothing has changed since the last published version" in page
    page = _text(c.post(_url("timetable_publish"), {"note": ""}))
    assert "govuk-error-summary" in page
    assert TimetableVersion.objects.filter(diagnostic=small_week["d"]).count() == 1


def test_publish_page_lists_what_blocks_publishing(world):
    page = _text(_client(world.pcm).get(_url("timetable_publish")))
    assert "cannot be published yet" in page and "Nothing is placed in the week yet" in page
    assert "Publish and send invitations" not in page


def test_versions_and_the_changes_between_them_after_a_move(small_week, world):
    c = _client(world.pcm)
    c.post(_url("timetable_publish"), {"note": "First"})
    moved = c.post(
        _url("session_move", small_week["placed"].code),
        {
            "day": "1",
            "start": "14:00",
            "peers": [small_week["lead"].code],
            "version": small_week["placed"].version,
        },
    )
    assert moved.status_code == 302
    # Before publishing again, the draft differs from version 1.
    page = _text(c.get(_url("timetable_versions") + "?from=1&to=draft"))
    assert "Changes from version 1 to the draft" in page
    assert "moved from day 1 (2027-03-01) 10:00–11:00 to day 1 (2027-03-01) 14:00–15:00" in page
    c.post(_url("timetable_publish"), {"note": "Moved Ann"})

    page = _text(c.get(_url("timetable_versions")))
    assert "Version 1" in page and "Version 2" in page and "Moved Ann" in page
    assert _url("timetable_version", 2) in page
    page = _text(c.get(_url("timetable_version", 2)))
    assert "Changes since version 1" in page
    assert "moved from day 1 (2027-03-01) 10:00–11:00" in page
    assert "14:00 to 15:00" in page and "Monday 1 March 2027" in page
    page = _text(c.get(_url("timetable_version", 1)))
    assert "10:00 to 11:00" in page and "The first version" in page
    page = _text(c.get(_url("timetable_versions") + "?from=2&to=draft"))
    assert "No differences." in page
    page = _text(c.get(_url("timetable_versions") + "?from=7&to=draft"))
    assert "Choose a published version to compare from" in page
    assert c.get(_url("timetable_version", 9)).status_code == 404


def test_council_users_see_no_internal_sessions_in_versions(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    c = _client(world.pcm)
    c.post(_url("timetable_publish"), {"note": ""})
    assert TimetableVersion.objects.filter(diagnostic=w.d).count() == 1
    pcm_page = _text(c.get(_url("timetable_version", 1)))
    council_page = _text(_client(world.sponsor).get(_url("timetable_version", 1)))
    assert "Peer team meeting, day 1" in pcm_page
    assert "Peer team meeting, day 1" not in council_page
    assert "Keeping-in-touch meeting, day 1" in council_page


# Itineraries ----------------------------------------------------------------------------------


def test_an_attendees_itinerary_shows_only_their_sessions_and_prints_well(small_week, world):
    other = Attendee.objects.create(diagnostic=small_week["d"], name="Cat Other", group="Early")
    s = Session.objects.create(
        diagnostic=small_week["d"],
        type=SessionType.INTERVIEW,
        title="Talk with Cat",
        day=2,
        start=time(9, 30),
        platform_link="https://meet.example/cat",
    )
    s.attendees.set([other])
    c = _client(world.sponsor)
    page = _text(c.get(_url("itinerary", small_week["ann"].code)))
    assert "Itinerary: Ann Social" in page
    assert "Talk with Ann" in page and "Talk with Cat" not in page
    assert "Day 1, Monday 1 March 2027" in page and "10:00 to 11:00" in page
    assert small_week["lead"].person.full_name in page  # who else is there
    assert "@media print" in page and "break-before: page" in page
    assert "govuk-service-navigation" in page and "display: none" in page
    people = _text(c.get(_url("schedule_people")))
    assert _url("itinerary", small_week["ann"].code) in people
    assert _url("itinerary", small_week["lead"].code) in people


def test_a_peers_itinerary_hides_internal_sessions_from_the_council(world):
    w = planned_week(world.own)
    lead = TeamMember.objects.get(diagnostic=w.d, role=TeamRole.LEAD_PEER)
    for s in Session.objects.filter(diagnostic=w.d, day=1):
        s.peers.set([lead])
    url = _url("itinerary", lead.code)
    council = _text(_client(world.sponsor).get(url))
    team = _text(_client(world.peer).get(url))
    assert "Keeping-in-touch meeting, day 1" in council and "Keeping-in-touch" in team
    assert "Peer team meeting, day 1" not in council
    assert "Peer team meeting, day 1" in team


def test_itinerary_of_someone_from_another_diagnostic_is_not_found(world):
    stranger = TeamMemberFactory(
        diagnostic=world.other, role=TeamRole.OPERATIONAL_MANAGER, person=PersonFactory()
    )
    assert _client(world.pcm).get(_url("itinerary", stranger.code)).status_code == 404


def test_the_move_form_takes_back_the_time_it_was_drawn_with(small_week, world):
    """Issue 16: the start was drawn as 12:00:00, which the form's own check refused."""
    from tests.web.as_rendered import rendered_post_form

    placed = small_week["placed"]
    c = _client(world.pcm)
    page = c.get(_url("session_move", placed.code)).content.decode()
    form = rendered_post_form(page)
    assert form.data["start"] == ["10:00"]
    # Take it out of the week, leaving the pre-filled time as it is.
    form.data["day"] = ["out"]
    response = c.post(_url("session_move", placed.code), form.data)
    assert response.status_code == 302, _text(response)
    placed.refresh_from_db()
    assert placed.day is None and placed.start is None
