"""The delivery-week timetable over the API: sessions and their attendees, availability, the
published versions, generate runs and publishing, with the pages' permissions and checks."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from peerdiag.common.models import Job
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import AuditEntry, TeamMember
from peerdiag.timetable.domain.attendees import add_attendee
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Availability, Session, TimetableVersion
from tests.timetable.helpers import generate, planned_week

pytestmark = pytest.mark.django_db

OWN = "/diagnostics/RPD-2027-001/timetable"
OTHER = "/diagnostics/RPD-2027-002/timetable"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}


def _put(api: Any, path: str, body: Any) -> Any:
    return api._send("put", path, body, None)


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


@pytest.fixture
def week(world: Any) -> dict[str, Any]:
    """Day 1 set; an interview placed on day 1 with the lead peer and a young person, a peer
    team meeting (private to the team) and an unplaced focus group."""
    d = world.own
    d.day1 = date(2027, 3, 1)
    d.save(update_fields=["day1"])
    lead = TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER)
    ann = add_attendee(d, by=None, name="Ann Social", group="Social workers", email="ann@c.example")
    kid = add_attendee(d, by=None, name="Young Jo", group="Young people", young_person=True)
    talk = Session.objects.create(
        diagnostic=d, type=SessionType.INTERVIEW, title="Talk with Ann", day=1, start=time(10)
    )
    talk.attendees.set([ann])
    talk.peers.set([lead])
    huddle = Session.objects.create(
        diagnostic=d,
        type=SessionType.PEER_TEAM,
        title="Peer team huddle",
        day=1,
        start=time(16),
        internal_only=True,
    )
    group = Session.objects.create(
        diagnostic=d,
        type=SessionType.FOCUS_GROUP,
        title="Front door group",
        unscheduled_reason="Not placed yet",
    )
    return {"d": d, "lead": lead, "ann": ann, "kid": kid, "talk": talk, "huddle": huddle,
            "group": group}  # fmt: skip


# --- Sessions -----------------------------------------------------------------------------


def test_the_council_reads_the_week_without_the_teams_private_sessions(as_user, world, week):
    council = as_user(world.organiser).get(f"{OWN}/sessions")
    team = as_user(world.peer).get(f"{OWN}/sessions")
    assert council.status_code == team.status_code == 200
    assert [s["title"] for s in council.json()] == ["Talk with Ann", "Front door group"]
    assert [s["title"] for s in team.json()] == [
        "Talk with Ann",
        "Peer team huddle",
        "Front door group",
    ]
    talk = council.json()[0]
    assert talk["code"] == week["talk"].code
    assert (talk["day"], talk["date"], talk["start"], talk["end"]) == (
        1,
        "2027-03-01",
        "10:00",
        "11:00",
    )
    assert talk["placed"] is True and talk["status"] == "proposed"
    assert talk["peers"] == [
        {
            "code": week["lead"].code,
            "name": week["lead"].person.full_name,
            "role": "lead_peer",
            "role_label": "Lead peer",
        }
    ]
    assert talk["attendees_count"] == 1
    unplaced = council.json()[1]
    assert unplaced["placed"] is False and unplaced["start"] is None
    assert unplaced["unscheduled_reason"] == "Not placed yet"


def test_the_session_list_costs_the_same_queries_for_one_session_or_many(as_user, world, week):
    api = as_user(world.organiser)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"{OWN}/sessions").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(3):
        s = Session.objects.create(
            diagnostic=world.own,
            type=SessionType.INTERVIEW,
            title=f"More {n}",
            day=2,
            start=time(9),
        )
        s.attendees.set([week["ann"], week["kid"]])
        s.peers.set([week["lead"]])
    assert queries() == few


def test_outsiders_get_404_and_no_token_401(as_user, anonymous, world, week):
    assert as_user(world.other_pcm).get(f"{OWN}/sessions").json() == NOT_FOUND
    assert as_user(world.other_pcm).get(f"{OWN}/sessions").status_code == 404
    assert anonymous.get(f"{OWN}/sessions").status_code == 401


def test_cancelled_sessions_only_when_asked(as_user, world, week):
    Session.objects.filter(pk=week["group"].pk).update(status=SessionStatus.CANCELLED)
    api = as_user(world.pcm)
    assert "Front door group" not in [s["title"] for s in api.get(f"{OWN}/sessions").json()]
    listed = api.get(f"{OWN}/sessions", include_cancelled="true").json()
    assert [s["status"] for s in listed if s["title"] == "Front door group"] == ["cancelled"]


def test_a_session_in_detail_and_private_ones_are_404_to_the_council(as_user, world, week):
    api = as_user(world.organiser)
    got = api.get(f"{OWN}/sessions/{week['talk'].code}")
    assert got.status_code == 200
    body = got.json()
    assert body["attendees"][0]["name"] == "Ann Social"
    assert body["attendees"][0]["email"] == "ann@c.example"
    assert body["version"] == week["talk"].version
    assert api.get(f"{OWN}/sessions/{week['huddle'].code}").json() == NOT_FOUND
    assert as_user(world.peer).get(f"{OWN}/sessions/{week['huddle'].code}").status_code == 200


def test_notes_and_the_supporting_adult_only_for_those_who_plan(as_user, world, week):
    Session.objects.filter(pk=week["talk"].pk).update(
        notes="Ann is nervous about this", young_people=True, supporting_adult="Sam Carer"
    )
    path = f"{OWN}/sessions/{week['talk'].code}"
    planner = as_user(world.organiser).get(path).json()
    assert (planner["notes"], planner["supporting_adult"]) == (
        "Ann is nervous about this",
        "Sam Carer",
    )
    for reader in (world.sponsor, world.peer):
        seen = as_user(reader).get(path).json()
        assert (seen["notes"], seen["supporting_adult"], seen["consent_recorded_on"]) == (
            None,
            None,
            None,
        )
        assert seen["consent_missing"] is True  # the week page's "Consent not recorded" tag


def test_the_organiser_adds_a_session_with_the_pages_defaults(as_user, world, week):
    kloe = world.own.kloes.create(text="The front door", order=1)
    got = as_user(world.organiser).post(
        f"{OWN}/sessions",
        {
            "type": "interview",
            "title": "  Talk with managers ",
            "kloes": [kloe.code],
            "attendees": [week["ann"].code],
        },
    )
    assert got.status_code == 201, got.content
    body = got.json()
    made = Session.objects.get(code=body["code"])
    assert made.title == "Talk with managers"
    assert list(made.attendees.all()) == [week["ann"]]
    assert body["kloes"] == [kloe.code] and body["placed"] is False
    assert body["peers_needed"] == made.peers_needed == 2  # the page's default: a pair
    assert AuditEntry.objects.filter(
        diagnostic=world.own, summary="Added the session ‘Talk with managers’"
    ).exists()


def test_who_may_not_add_sessions(as_user, world, week):
    body = {"type": "interview", "title": "Talk"}
    assert as_user(world.sponsor).post(f"{OWN}/sessions", body).json() == FORBIDDEN
    assert as_user(world.peer).post(f"{OWN}/sessions", body).status_code == 403
    assert as_user(world.other_pcm).post(f"{OWN}/sessions", body).status_code == 404
    assert not Session.objects.filter(title="Talk").exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"type": "chat", "title": "Talk"}, 422, "type"),
        ({"type": "interview"}, 422, "title"),
        ({"type": "interview", "title": "Talk", "colour": "red"}, 422, "colour"),
        ({"type": "interview", "title": "   "}, 400, "title"),
        ({"type": "interview", "title": "Talk", "minutes": 17}, 400, "minutes"),
        ({"type": "interview", "title": "Talk", "kloes": ["nosuch"]}, 400, "kloes"),
        ({"type": "interview", "title": "Talk", "fixed_start": "9am"}, 422, "fixed_start"),
        ({"type": "interview", "title": "Talk", "allowed_days": [6]}, 400, "allowed_days"),
    ],
)
def test_bad_sessions_are_refused_naming_the_field(as_user, world, week, body, status, field):
    got = as_user(world.pcm).post(f"{OWN}/sessions", body)
    assert got.status_code == status, got.content
    assert field in _fields(got)
    assert Session.objects.filter(diagnostic=world.own).count() == 3


def test_the_council_cannot_make_sessions_private_to_the_team(as_user, world, week):
    api = as_user(world.organiser)
    got = api.post(f"{OWN}/sessions", {"type": "peer_team_meeting", "title": "Ours"})
    assert got.status_code == 400 and _fields(got) == ["type"]
    talk = week["talk"]
    got = api.patch(f"{OWN}/sessions/{talk.code}", {"version": talk.version, "internal_only": True})
    assert got.status_code == 400 and _fields(got) == ["internal_only"]
    assert Session.objects.get(pk=talk.pk).internal_only is False


def test_a_change_needs_the_version_read_and_a_stale_one_is_409(as_user, world, week):
    talk = week["talk"]
    api = as_user(world.pcm)
    got = api.patch(f"{OWN}/sessions/{talk.code}", {"version": talk.version, "title": "Ann"})
    assert got.status_code == 200, got.content
    assert got.json()["title"] == "Ann" and got.json()["version"] == talk.version + 1
    assert got.json()["taken_out"] is False
    stale = api.patch(f"{OWN}/sessions/{talk.code}", {"version": talk.version, "title": "Bob"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == talk.version + 1
    assert _fields(stale) == ["version"]
    assert Session.objects.get(pk=talk.pk).title == "Ann"
    missing = api.patch(f"{OWN}/sessions/{talk.code}", {"title": "Bob"})
    assert missing.status_code == 422 and _fields(missing) == ["version"]


def test_removing_a_session_deletes_it_or_refuses_a_stale_version(as_user, world, week):
    group = week["group"]
    api = as_user(world.organiser)
    stale = api.delete(f"{OWN}/sessions/{group.code}?version={group.version + 1}")
    assert stale.status_code == 409
    assert Session.objects.filter(pk=group.pk).exists()
    got = api.delete(f"{OWN}/sessions/{group.code}?version={group.version}")
    assert got.status_code == 200
    assert got.json()["outcome"] == "deleted"
    assert not Session.objects.filter(pk=group.pk).exists()
    assert api.delete(f"{OWN}/sessions/{group.code}").status_code == 404


# --- A session's attendees ----------------------------------------------------------------


def test_attendees_are_put_in_and_taken_out_of_a_session(as_user, world, week):
    talk, kid = week["talk"], week["kid"]
    api = as_user(world.organiser)
    listed = api.get(f"{OWN}/sessions/{talk.code}/attendees").json()
    assert [a["name"] for a in listed] == ["Ann Social"]
    add = {"attendee": kid.code, "version": talk.version}
    # A child or young person takes part with a supporting adult (the page's rule).
    refused = api.post(f"{OWN}/sessions/{talk.code}/attendees", add)
    assert refused.status_code == 400 and _fields(refused) == ["supporting_adult"]
    assert list(Session.objects.get(pk=talk.pk).attendees.all()) == [week["ann"]]
    # The adult is kept only for a session with children or young people, so say so too.
    named = api.patch(
        f"{OWN}/sessions/{talk.code}",
        {"version": talk.version, "young_people": True, "supporting_adult": "Sam Carer"},
    )
    assert named.status_code == 200, named.content
    add["version"] = named.json()["version"]
    got = api.post(f"{OWN}/sessions/{talk.code}/attendees", add)
    assert got.status_code == 200, got.content
    assert [(a["name"], a["young_person"]) for a in got.json()] == [
        ("Ann Social", False),
        ("Young Jo", True),
    ]
    talk.refresh_from_db()
    assert set(talk.attendees.all()) == {week["ann"], kid}
    assert talk.young_people is True and talk.supporting_adult == "Sam Carer"
    got = api.delete(f"{OWN}/sessions/{talk.code}/attendees/{week['ann'].code}")
    assert got.status_code == 200
    assert [a["name"] for a in got.json()] == ["Young Jo"]
    assert list(Session.objects.get(pk=talk.pk).attendees.all()) == [kid]


def test_attendee_changes_refused(as_user, world, week):
    talk = week["talk"]
    bob = add_attendee(world.own, by=None, name="Bob Manager", group="Team managers")
    api = as_user(world.pcm)
    unknown = api.post(
        f"{OWN}/sessions/{talk.code}/attendees", {"attendee": "nosuch", "version": talk.version}
    )
    assert unknown.status_code == 400 and _fields(unknown) == ["attendee"]
    stale = api.post(
        f"{OWN}/sessions/{talk.code}/attendees",
        {"attendee": bob.code, "version": talk.version + 5},
    )
    assert stale.status_code == 409
    assert list(Session.objects.get(pk=talk.pk).attendees.all()) == [week["ann"]]
    absent = api.delete(f"{OWN}/sessions/{talk.code}/attendees/{bob.code}")
    assert absent.status_code == 404
    sponsor = as_user(world.sponsor).delete(
        f"{OWN}/sessions/{talk.code}/attendees/{week['ann'].code}"
    )
    assert sponsor.status_code == 403


# --- Attendees and availability -----------------------------------------------------------


def test_attendees_list_marks_children_and_young_people(as_user, world, week):
    got = as_user(world.peer).get(f"{OWN}/attendees")
    assert got.status_code == 200
    assert [(a["name"], a["group"], a["young_person"]) for a in got.json()] == [
        ("Ann Social", "Social workers", False),
        ("Young Jo", "Young people", True),
    ]


def test_availability_is_read_by_all_and_set_by_planners(as_user, world, week):
    ann, lead = week["ann"], week["lead"]
    api = as_user(world.organiser)
    got = _put(
        api,
        f"{OWN}/availability/{ann.code}",
        {"version": ann.version, "windows": [{"day": 2, "start": "09:00", "end": "12:00"}]},
    )
    assert got.status_code == 200, got.content
    rows = Availability.objects.filter(attendee=ann)
    assert [(w.day, w.start, w.end, w.available) for w in rows] == [(2, time(9), time(12), True)]
    read = as_user(world.sponsor).get(f"{OWN}/availability").json()
    mine = next(a for a in read["attendees"] if a["attendee"]["code"] == ann.code)
    assert mine["all_week"] is False
    assert mine["windows"] == [{"day": 2, "date": "2027-03-02", "start": "09:00", "end": "12:00"}]
    assert mine["sessions"] == 1
    away = _put(
        api,
        f"{OWN}/availability/{lead.code}",
        {"version": lead.version, "windows": [{"day": 1, "start": "13:00", "end": "14:00"}]},
    )
    assert away.status_code == 200, away.content
    peer = next(p for p in away.json()["peers"] if p["peer"]["code"] == lead.code)
    assert peer["not_available"] == [
        {"day": 1, "date": "2027-03-01", "start": "13:00", "end": "14:00"}
    ]


def test_availability_refusals(as_user, world, week):
    ann = week["ann"]
    api = as_user(world.pcm)
    early = _put(
        api,
        f"{OWN}/availability/{ann.code}",
        {"version": ann.version, "windows": [{"day": 1, "start": "06:00", "end": "08:00"}]},
    )
    assert early.status_code == 400 and _fields(early) == ["windows"]
    day6 = _put(
        api,
        f"{OWN}/availability/{ann.code}",
        {"version": ann.version, "windows": [{"day": 6, "start": "09:00", "end": "10:00"}]},
    )
    assert day6.status_code == 422 and _fields(day6) == ["windows.0.day"]
    stale = _put(api, f"{OWN}/availability/{ann.code}", {"version": 99, "all_week": True})
    assert stale.status_code == 409
    peer = _put(
        as_user(world.peer), f"{OWN}/availability/{ann.code}", {"version": 1, "all_week": True}
    )
    assert peer.status_code == 403
    assert not Availability.objects.filter(attendee=ann).exists()


# --- Generate, publish and the published versions -----------------------------------------


@pytest.fixture
def planned(world: Any) -> Any:
    return planned_week(world.own)


def test_a_run_starts_at_once_and_reports_its_progress_and_result(as_user, world, planned):
    api = as_user(world.organiser)
    started = api.post(f"{OWN}/runs", {"seconds": 5})
    assert started.status_code == 202, started.content
    code = started.json()["code"]
    assert started.json()["state"] == "queued"
    run = Job.objects.get(code=code)
    assert run.diagnostic_id == world.own.pk and run.created_by == world.organiser
    again = api.post(f"{OWN}/runs", {"seconds": 5})
    assert again.status_code == 400
    assert "already being generated" in again.json()["detail"][0]["message"]
    waiting = api.get(f"{OWN}/runs/{code}/result")
    assert waiting.status_code == 409
    assert as_user(world.sponsor).get(f"{OWN}/runs/{code}").status_code == 403
    # The worker: the task runs once the request's transaction commits.
    Job.objects.filter(pk=run.pk).delete()
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = api.post(f"{OWN}/runs", {"seconds": 5})
    code = started.json()["code"]
    progress = api.get(f"{OWN}/runs/{code}").json()
    assert progress["state"] == "done" and progress["percent"] == 100
    assert progress["started_by"] == str(world.organiser)
    result = api.get(f"{OWN}/runs/{code}/result")
    assert result.status_code == 200, result.content
    body = result.json()
    placed = Session.objects.filter(diagnostic=world.own, day__isnull=False)
    visible = placed.exclude(internal_only=True)  # the organiser does not see the team's own
    assert body["placed"] == visible.count() == len(body["sessions"])
    assert {s["code"] for s in body["sessions"]} == set(visible.values_list("code", flat=True))
    assert sum(day["peer_minutes"] for day in body["days"]) > 0
    assert body["publish_blockers"] == []


def test_a_queued_run_is_cancelled_once(as_user, world, planned):
    api = as_user(world.pcm)
    code = api.post(f"{OWN}/runs", {"seconds": 5}).json()["code"]
    assert as_user(world.peer).delete(f"{OWN}/runs/{code}").status_code == 403
    got = api.delete(f"{OWN}/runs/{code}")
    assert got.status_code == 200, got.content
    assert got.json()["state"] == "failed" and "cancelled" in got.json()["message"]
    assert Job.objects.get(code=code).state == "failed"
    again = api.delete(f"{OWN}/runs/{code}")
    assert again.status_code == 409
    assert api.post(f"{OWN}/runs", {"seconds": 5}).status_code == 202  # free to start again


def test_a_run_that_cannot_start_says_why(as_user, world):
    got = as_user(world.pcm).post(f"{OWN}/runs", {"seconds": 5})
    assert got.status_code == 400
    assert not Job.objects.filter(diagnostic=world.own).exists()
    bad = as_user(world.pcm).post(f"{OWN}/runs", {"seconds": 1000})
    assert bad.status_code == 400 and _fields(bad) == ["seconds"]


@pytest.fixture
def generated(world: Any, planned: Any) -> Any:
    run = generate(planned.d, world.pcm)
    assert run.state == "done", run.message
    return planned


def test_the_publish_preview_shows_the_pages_checks(as_user, world, generated):
    api = as_user(world.organiser)
    got = api.get(f"{OWN}/publish")
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["version"] == 0 and body["blockers"] == []
    placed = Session.objects.filter(diagnostic=world.own, day__isnull=False)
    assert {c["code"] for c in body["changes"]} == set(
        placed.exclude(internal_only=True).values_list("code", flat=True)
    )
    assert {c["kind"] for c in body["changes"]} == {"added"}
    assert body["e_mails"] > 0
    assert as_user(world.sponsor).get(f"{OWN}/publish").status_code == 403


def test_publishing_checks_the_version_read_then_publishes(as_user, world, generated):
    api = as_user(world.organiser)
    stale = api.post(f"{OWN}/publish", {"version": 3})
    assert stale.status_code == 409 and _fields(stale) == ["version"]
    assert not TimetableVersion.objects.exists()
    assert as_user(world.sponsor).post(f"{OWN}/publish", {"version": 0}).status_code == 403
    got = api.post(f"{OWN}/publish", {"version": 0, "note": "First go"})
    assert got.status_code == 201, got.content
    version = TimetableVersion.objects.get(diagnostic=world.own)
    assert (version.number, version.note, version.published_by) == (1, "First go", world.organiser)
    assert got.json()["number"] == 1
    again = api.post(f"{OWN}/publish", {"version": 0})
    assert again.status_code == 409
    assert again.json()["current_version"] == 1
    assert again.json()["changed_by"] == str(world.organiser)
    same = api.post(f"{OWN}/publish", {"version": 1})
    assert same.status_code == 400
    assert "Nothing has changed" in same.json()["detail"][0]["message"]


def test_a_publish_sent_twice_with_the_same_key_publishes_once(as_user, world, generated):
    api = as_user(world.pcm)
    headers = {"Authorization": f"Bearer {api.token}", "Idempotency-Key": "publish-1"}

    def send() -> Any:
        return api.client.post(
            "/api" + f"{OWN}/publish",
            json.dumps({"version": 0}),
            content_type="application/json",
            headers=headers,
        )

    first, again = send(), send()
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert TimetableVersion.objects.filter(diagnostic=world.own).count() == 1


def test_the_published_week_as_each_reader_may_see_it(as_user, world, generated):
    version = publish(world.own, by=world.pcm, notify=False)
    snap = version.snapshot
    council = as_user(world.sponsor).get(f"{OWN}/versions/latest")
    team = as_user(world.peer).get(f"{OWN}/versions/1")
    assert council.status_code == team.status_code == 200
    seen = [s for day in council.json()["days"] for s in day["sessions"]]
    assert [s["code"] for s in seen] == [s["code"] for s in snap["sessions"] if not s["internal"]]
    everything = [s["code"] for day in team.json()["days"] for s in day["sessions"]]
    assert everything == [s["code"] for s in snap["sessions"]]
    assert len(everything) > len(seen)  # the peer team meetings
    first = snap["sessions"][0]
    day1 = team.json()["days"][0]
    assert (day1["day"], day1["date"]) == (first["day"], first["date"])
    out = day1["sessions"][0]
    assert (out["start"], out["end"], out["title"]) == (
        first["start"],
        first["end"],
        first["title"],
    )
    assert [p["name"] for p in out["peers"]] == [p["name"] for p in first["peers"]]
    assert all(set(p) == {"code", "name"} for p in out["peers"])  # no e-mail addresses
    listed = as_user(world.sponsor).get(f"{OWN}/versions").json()
    assert [(v["number"], v["sessions"]) for v in listed] == [(1, len(seen))]
    assert as_user(world.sponsor).get(f"{OWN}/versions/2").status_code == 404
    assert as_user(world.other_pcm).get(f"{OWN}/versions/latest").status_code == 404


def test_latest_is_404_before_anything_is_published(as_user, world):
    got = as_user(world.pcm).get(f"{OWN}/versions/latest")
    assert got.status_code == 404 and got.json() == NOT_FOUND
    assert as_user(world.pcm).get(f"{OWN}/versions").json() == []
    assert as_user(world.other_pcm).get(f"{OTHER}/versions").json() == []
