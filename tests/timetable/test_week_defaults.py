"""The week's defaults (decision 18, issue 17): pairs of peers, the lead peer in the leadership
interviews, young people after school, the lead peer chairing peer team meetings, partners at
the overview and feedback meetings."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import CouncilRoleKind, TeamRole
from peerdiag.timetable.domain.coverage import pair_warnings, week_sessions
from peerdiag.timetable.domain.ics import describe
from peerdiag.timetable.domain.placements import move_session, violations
from peerdiag.timetable.domain.problem import build_problem, window_id
from peerdiag.timetable.domain.sessions import (
    AFTER_SCHOOL,
    SessionDetails,
    add_session,
    update_session,
)
from peerdiag.timetable.domain.versions import snapshot
from peerdiag.timetable.domain.week import seed_fixed_meetings
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Attendee, Session
from tests.factories import CouncilRoleFactory, PersonFactory

from .helpers import DAY1, planned_week


def _details(**kw) -> SessionDetails:  # type: ignore[no-untyped-def]
    return replace(SessionDetails(type=SessionType.INTERVIEW, title="Director of services"), **kw)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


# --- Pairs --------------------------------------------------------------------------------------


def test_interviews_and_focus_groups_default_to_two_peers_other_sessions_to_one(world):
    w = planned_week(world.own, interviews=0)
    interview = add_session(w.d, by=world.pcm, details=_details())
    group = add_session(
        w.d, by=world.pcm, details=_details(type=SessionType.FOCUS_GROUP, title="Social workers")
    )
    kit = add_session(
        w.d, by=world.pcm, details=_details(type=SessionType.KIT, title="Extra KIT meeting")
    )
    chosen = add_session(w.d, by=world.pcm, details=_details(title="Alone", peers_needed=1))
    found = {s.title: s.peers_needed for s in Session.objects.filter(diagnostic=w.d)}
    assert found[interview.title] == 2 and found[group.title] == 2
    assert found[kit.title] == 1
    assert found[chosen.title] == 1  # the organiser said otherwise


def test_pair_default_is_never_more_than_the_team(world):
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    d.team.exclude(role=TeamRole.LEAD_PEER).delete()  # the lead peer alone
    s = add_session(d, by=world.pcm, details=_details())
    s.refresh_from_db()
    assert s.peers_needed == 1


def test_pair_default_reaches_the_solver_problem(world):
    w = planned_week(world.own, interviews=0)
    s = add_session(w.d, by=world.pcm, details=_details(title="Front door"))
    item = next(x for x in build_problem(w.d)["sessions"] if x["id"] == s.code)
    assert item["peers_needed"] == 2


def test_coverage_page_warns_about_a_session_with_one_peer(world):
    w = planned_week(world.own, interviews=2)  # the helper's sessions have one peer each
    paired = add_session(w.d, by=world.pcm, details=_details(title="Paired interview"))
    warned = {x.session.title for x in pair_warnings(week_sessions(w.d)) if x.session}
    assert warned == {"Conversation 1", "Conversation 2"}
    assert paired.title not in warned
    page = _client(world.pcm).get(reverse("web:coverage", args=[w.d.reference])).content.decode()
    section = page.split('id="pair-warnings"')[1].split("</ul>")[0]
    assert "‘Conversation 1’ has one peer" in section and "Paired interview" not in section
    # Pairing one up takes its warning away.
    s = w.interviews[0]
    update_session(
        s,
        by=world.pcm,
        details=replace(SessionDetails.of(s), peers_needed=2),
        version=s.version,
    )
    warned = {x.session.title for x in pair_warnings(week_sessions(w.d)) if x.session}
    assert warned == {"Conversation 2"}


# --- The lead peer in the leadership interviews ----------------------------------------------


def test_lead_peer_is_required_in_the_directors_interview(world):
    w = planned_week(world.own, interviews=0)
    lead = w.d.team.get(role=TeamRole.LEAD_PEER)
    s = add_session(w.d, by=world.pcm, details=_details(roles=("dcs",)))
    s.refresh_from_db()
    assert list(s.required_peers.all()) == [lead]
    assert s.roles == ["dcs"] and s.peers_needed == 2
    item = next(x for x in build_problem(w.d)["sessions"] if x["id"] == s.code)
    assert item["required_peers"] == [lead.code]
    # An interview with anyone else does not name the lead peer.
    other = add_session(w.d, by=world.pcm, details=_details(title="PSW", roles=("psw",)))
    assert list(other.required_peers.all()) == []


def test_lead_peer_added_when_the_role_is_first_set_and_removal_is_respected(world):
    w = planned_week(world.own, interviews=0)
    lead = w.d.team.get(role=TeamRole.LEAD_PEER)
    s = add_session(w.d, by=world.pcm, details=_details(title="Lead member"))
    assert list(s.required_peers.all()) == []
    s = Session.objects.get(pk=s.pk)
    update_session(
        s,
        by=world.pcm,
        details=replace(SessionDetails.of(s), roles=("lead_member",)),
        version=s.version,
    )
    s = Session.objects.get(pk=s.pk)
    assert list(s.required_peers.all()) == [lead]
    # The organiser takes the lead peer off: the role is unchanged, so the choice stands.
    update_session(
        s,
        by=world.pcm,
        details=replace(SessionDetails.of(s), required_peers=()),
        version=s.version,
    )
    s = Session.objects.get(pk=s.pk)
    assert list(s.required_peers.all()) == [] and s.roles == ["lead_member"]


def test_unknown_role_is_refused_and_nothing_saved(world):
    w = planned_week(world.own, interviews=0)
    with pytest.raises(DomainError) as e:
        add_session(w.d, by=world.pcm, details=_details(roles=("mayor",)))
    assert e.value.field == "roles"
    assert not Session.objects.filter(diagnostic=w.d, title="Director of services").exists()


# --- Young people after school -------------------------------------------------------------


def test_young_peoples_session_starts_after_school_unless_the_organiser_says_otherwise(world):
    w = planned_week(world.own, interviews=0)
    young = Attendee.objects.create(
        diagnostic=w.d, name="Young member", group="Young people", young_person=True
    )
    s = add_session(
        w.d,
        by=world.pcm,
        details=_details(
            type=SessionType.FOCUS_GROUP,
            title="Children in care council",
            attendees=(young,),
            supporting_adult="Participation worker",
        ),
    )
    s.refresh_from_db()
    assert s.earliest_start == AFTER_SCHOOL == time(15, 30)
    doc = build_problem(w.d)
    item = next(x for x in doc["sessions"] if x["id"] == s.code)
    assert window_id(s) in item["attendees"]
    window = next(p for p in doc["people"] if p["id"] == window_id(s))
    assert window["side"] == "council"
    assert {x["start"] for x in window["available"]} == {"15:30"}
    assert len(window["available"]) == 7  # every delivery day
    # The organiser says otherwise: any time from the start of the day (school holidays).
    s = Session.objects.get(pk=s.pk)
    update_session(
        s,
        by=world.organiser,
        details=replace(SessionDetails.of(s), earliest_start=time(9, 0)),
        version=s.version,
    )
    s.refresh_from_db()
    assert s.earliest_start == time(9, 0)
    assert not any(p["id"] == window_id(s) for p in build_problem(w.d)["people"])
    # Adults' sessions have no earliest start.
    adult = add_session(w.d, by=world.pcm, details=_details(title="Adults"))
    assert adult.earliest_start is None


def test_a_hand_move_before_the_earliest_start_is_refused_and_after_is_allowed(world):
    w = planned_week(world.own, interviews=0)
    s = add_session(
        w.d,
        by=world.pcm,
        details=_details(
            title="Care leavers",
            young_people=True,
            supporting_adult="Personal adviser",
            peers_needed=1,
        ),
    )
    s = Session.objects.get(pk=s.pk)
    with pytest.raises(DomainError) as e:
        move_session(s, by=world.pcm, day=2, start=time(10, 0), version=s.version)
    assert "The session's earliest start (15:30)" in e.value.message
    assert "Care leavers" in e.value.message
    s.refresh_from_db()
    assert s.day is None
    move_session(s, by=world.pcm, day=2, start=time(15, 30), version=s.version)
    s.refresh_from_db()
    assert (s.day, s.start) == (2, time(15, 30))
    assert not [v for v in violations(w.d) if "Care leavers" in v]


def test_earliest_start_that_leaves_no_room_is_refused(world):
    w = planned_week(world.own, interviews=0)
    with pytest.raises(DomainError) as e:
        add_session(
            w.d,
            by=world.pcm,
            details=_details(
                minutes=180, young_people=True, supporting_adult="Participation worker"
            ),
        )
    assert e.value.field == "earliest_start" and "does not fit" in e.value.message
    with pytest.raises(DomainError) as e:
        add_session(
            w.d,
            by=world.pcm,
            details=_details(earliest_start=time(14, 0), fixed_day=2, fixed_start=time(11, 0)),
        )
    assert e.value.field == "fixed_start"
    assert not Session.objects.filter(diagnostic=w.d, title="Director of services").exists()


# --- Peer team meetings: the lead peer chairs --------------------------------------------------


def test_peer_team_meetings_are_chaired_by_the_lead_peer_everywhere(world):
    w = planned_week(world.own, interviews=0)
    lead = w.d.team.get(role=TeamRole.LEAD_PEER)
    meetings = Session.objects.filter(diagnostic=w.d, type=SessionType.PEER_TEAM)
    assert meetings.count() == 5
    assert {m.chair_id for m in meetings} == {lead.pk}
    assert not Session.objects.filter(diagnostic=w.d, type=SessionType.KIT, chair__isnull=False)
    # The draft's snapshot (what is published) and the invitation's description name the chair.
    snap = snapshot(w.d)
    team = [x for x in snap["sessions"] if x["type"] == SessionType.PEER_TEAM]
    assert team and all(x["chair"] == lead.person.full_name for x in team)
    assert f"Chair: {lead.person.full_name}" in describe(team[0], reference=w.d.reference)
    kit = next(x for x in snap["sessions"] if x["type"] == SessionType.KIT)
    assert "chair" not in kit and "Chair:" not in describe(kit)
    # The week page shows it.
    page = _client(world.pcm).get(reverse("web:timetable", args=[w.d.reference])).content.decode()
    assert f"Chair: {lead.person.full_name}" in page


def test_a_new_peer_team_meeting_gets_the_lead_peer_as_chair_unless_another_is_chosen(world):
    w = planned_week(world.own, interviews=0)
    lead = w.d.team.get(role=TeamRole.LEAD_PEER)
    made = add_session(
        w.d,
        by=world.pcm,
        details=_details(type=SessionType.PEER_TEAM, title="Extra team meeting", whole_team=True),
    )
    assert made.chair == lead
    other = add_session(
        w.d,
        by=world.pcm,
        details=_details(
            type=SessionType.PEER_TEAM, title="Chaired by the OM", whole_team=True, chair=w.om
        ),
    )
    assert Session.objects.get(pk=other.pk).chair == w.om


# --- Partners at the overview and feedback meetings -------------------------------------------


def test_overview_and_feedback_invite_partner_representatives_not_only_the_sponsor(world):
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    police = CouncilRoleFactory(
        diagnostic=d,
        role=CouncilRoleKind.PARTNER_REP,
        person=PersonFactory(full_name="Pat Police", email="pat@police.example"),
    )
    health = Attendee.objects.create(
        diagnostic=d, name="Hari Health", group="partners", email="hari@nhs.example"
    )
    Attendee.objects.create(diagnostic=d, name="Sam Social", group="Social workers")
    seed_fixed_meetings(d, by=world.pcm)
    sponsor = world.sponsor.person.full_name
    for kind in (SessionType.OVERVIEW, SessionType.FEEDBACK):
        s = Session.objects.get(diagnostic=d, type=kind)
        names = {a.name for a in s.attendees.all()}
        assert names == {sponsor, police.person.full_name, health.name}, kind
    made = Attendee.objects.get(diagnostic=d, name="Pat Police")
    assert (made.group, made.email) == ("Partners", "pat@police.example")
    # KIT meetings stay with the sponsor.
    kit = Session.objects.filter(diagnostic=d, type=SessionType.KIT).first()
    assert kit is not None and {a.name for a in kit.attendees.all()} == {sponsor}
