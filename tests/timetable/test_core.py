"""The delivery week's core: fixed meetings, the problem, generate, moves, publish, versions."""

from __future__ import annotations

from datetime import time

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.timetable.domain.placements import draft_solution, move_session, violations
from peerdiag.timetable.domain.problem import build_problem, problem_for
from peerdiag.timetable.domain.versions import (
    PublishedSince,
    changes_between,
    publish,
    snapshot,
)
from peerdiag.timetable.enums import JobState, SessionType
from peerdiag.timetable.models import Session, TimetableVersion
from peerdiag.timetable.solver import check_solution, parse_problem, parse_solution

from .helpers import generate, planned_week


def test_fixed_meetings_follow_the_decisions(world):
    w = planned_week(world.own)
    fixed = Session.objects.filter(diagnostic=w.d).exclude(pk__in=[s.pk for s in w.interviews])
    by_type = {}
    for s in fixed:
        by_type.setdefault(s.type, []).append(s)
    overview = by_type[SessionType.OVERVIEW][0]
    assert (overview.fixed_day, overview.fixed_start, overview.minutes) == (1, time(9, 30), 90)
    assert overview.presentation_minutes == 20
    assert sorted(s.fixed_day for s in by_type[SessionType.KIT]) == [1, 2, 3, 4, 5]
    assert sorted(s.fixed_day for s in by_type[SessionType.PEER_TEAM]) == [1, 2, 3, 4, 5]
    assert all(s.internal_only for s in by_type[SessionType.PEER_TEAM])
    assert {s.fixed_day for s in by_type[SessionType.DRAFTING]} == {6}
    assert by_type[SessionType.FEEDBACK][0].fixed_day == 7
    with pytest.raises(DomainError):
        planned_week_again = __import__(
            "peerdiag.timetable.domain.week", fromlist=["x"]
        ).seed_fixed_meetings
        planned_week_again(w.d, by=None)


def test_problem_is_valid_in_the_shared_format(world):
    w = planned_week(world.own)
    doc = build_problem(w.d)
    problem = parse_problem(doc)
    assert len(problem.sessions) == 14 + len(w.interviews)
    assert next(p.id for p in problem.peers) == w.d.team.get(role="lead_peer").code
    interview = problem.session(w.interviews[0].code)
    assert interview.days is not None and len(interview.days) == 5


def test_generate_places_every_session_and_the_draft_checks(world):
    w = planned_week(world.own)
    t = generate(w.d, world.pcm)
    assert t.state == JobState.DONE, t.message
    assert "placed" in t.best
    assert not Session.objects.filter(diagnostic=w.d, day__isnull=True).exists()
    problem = problem_for(w.d, with_previous=False)
    report = check_solution(problem, parse_solution(draft_solution(w.d)))
    assert report.valid, report.violations
    assert violations(w.d) == []


def test_a_hand_move_that_breaks_a_rule_is_refused_and_names_it(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    s = Session.objects.get(pk=w.interviews[0].pk)
    # Into the overview meeting, which every peer attends.
    with pytest.raises(DomainError) as err:
        move_session(s, by=world.pcm, day=1, start=time(9, 30), version=UNCHECKED)
    # The first clash named is one of the session's own peers (they sit in the overview too).
    names = [m.person.full_name for m in s.peers.select_related("person")]
    assert any(f"{n} is in" in str(err.value) for n in names), (names, str(err.value))
    assert "at once" in str(err.value)
    s.refresh_from_db()
    assert s.day is not None
    # Taking a session out, then putting it back where it was, is accepted.
    other = Session.objects.get(pk=w.interviews[1].pk)
    where, peers = (other.day, other.start), list(other.peers.all())
    move_session(other, by=world.pcm, day=None, start=None, version=UNCHECKED)
    other.refresh_from_db()
    assert other.day is None and other.peers.count() == 0
    move_session(other, by=world.pcm, day=where[0], start=where[1], peers=peers, version=UNCHECKED)
    other.refresh_from_db()
    assert (other.day, other.start) == where and list(other.peers.all()) == peers


def test_publish_versions_and_changes(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    v1 = publish(w.d, by=world.pcm)
    assert v1.number == 1 and len(v1.snapshot["sessions"]) == 14 + len(w.interviews)
    with pytest.raises(DomainError, match="Nothing has changed"):
        publish(w.d, by=world.pcm)
    s = Session.objects.get(pk=w.interviews[1].pk)
    move_session(s, by=world.pcm, day=None, start=None, version=UNCHECKED)
    draft = snapshot(w.d)
    changes = changes_between(v1.snapshot, draft)
    assert [(c.kind, c.title) for c in changes] == [("removed", s.title)]
    v2 = publish(w.d, by=world.pcm)
    assert v2.number == 2
    s.refresh_from_db()
    assert s.sequence == 1
    assert TimetableVersion.objects.filter(diagnostic=w.d).count() == 2
    # The next problem carries the published placements as `previous`.
    doc = build_problem(w.d)
    assert {p["session"] for p in doc["previous"]} == {x["code"] for x in v2.snapshot["sessions"]}


def test_publishing_after_someone_else_did_is_refused_under_the_lock(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    with pytest.raises(PublishedSince):
        publish(w.d, by=world.pcm, read_number=1)
    v1 = publish(w.d, by=world.pcm, read_number=0)
    s = Session.objects.get(pk=w.interviews[1].pk)
    move_session(s, by=world.pcm, day=None, start=None, version=UNCHECKED)
    # Someone who read "nothing published yet" is refused now that version 1 exists.
    with pytest.raises(PublishedSince) as refused:
        publish(w.d, by=world.pcm, read_number=0)
    assert refused.value.latest == v1
    assert TimetableVersion.objects.filter(diagnostic=w.d).count() == 1
    assert publish(w.d, by=world.pcm, read_number=1).number == 2


def test_a_replan_after_publishing_keeps_the_published_week(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    v1 = publish(w.d, by=world.pcm)
    added = Session.objects.create(
        diagnostic=w.d, type=SessionType.INTERVIEW, title="Late addition", minutes=30
    )
    added.attendees.set([w.attendees[0]])
    generate(w.d, world.pcm)
    changes = changes_between(v1.snapshot, snapshot(w.d))
    assert [(c.kind, c.title) for c in changes] == [("added", "Late addition")]


def test_a_refusal_shown_to_the_council_does_not_name_private_meetings(world):
    from peerdiag.timetable.domain.versions import publish_blockers

    w = planned_week(world.own)
    generate(w.d, world.pcm)
    # Break a rule inside the peer team's own meeting: make it clash with the KIT meeting.
    Session.objects.filter(diagnostic=w.d, title="Peer team meeting, day 1").update(
        start=time(16, 0)
    )
    staff = " ".join(publish_blockers(w.d))
    council = " ".join(publish_blockers(w.d, show_internal=False))
    assert "Peer team meeting, day 1" in staff
    assert "Peer team meeting" not in council and "a private peer team session" in council
    with pytest.raises(DomainError) as err:
        publish(w.d, by=world.organiser, show_internal=False)
    assert "Peer team meeting" not in err.value.message


def test_session_states_follow_publishing(world):
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    publish(w.d, by=world.pcm)
    s = Session.objects.get(pk=w.interviews[0].pk)
    assert s.status == "invited"
    where, peers = (s.day, s.start), list(s.peers.all())
    move_session(s, by=world.pcm, day=None, start=None, version=UNCHECKED)
    move_session(s, by=world.pcm, day=where[0], start=where[1], peers=peers, version=UNCHECKED)
    # Back where it was: nothing to publish for it.
    assert changes_between(TimetableVersion.objects.get().snapshot, snapshot(w.d)) == []
    for day in range(1, 6):
        for hour in (9, 10, 11, 13, 14, 15):
            try:
                move_session(s, by=world.pcm, day=day, start=time(hour, 0), version=UNCHECKED)
            except DomainError:
                continue
            if (day, time(hour, 0)) != where:
                break
        else:
            continue
        break
    publish(w.d, by=world.pcm)
    s.refresh_from_db()
    assert s.status == "rescheduled" and s.sequence == 1


def _free_week(world):  # type: ignore[no-untyped-def]
    """A week with one interview, unplaced, and nothing else in days 2-5 but the fixed meetings."""
    w = planned_week(world.own, interviews=1)
    generate(w.d, world.pcm)
    s = Session.objects.get(pk=w.interviews[0].pk)
    move_session(s, by=world.pcm, day=None, start=None, version=UNCHECKED)
    return w, Session.objects.get(pk=s.pk)


def test_a_move_outside_an_attendees_availability_is_refused(world):
    from peerdiag.timetable.models import Availability

    w, s = _free_week(world)
    a = w.attendees[0]
    a.availability_given = True
    a.save()
    Availability.objects.create(
        diagnostic=w.d, attendee=a, day=2, start=time(9, 0), end=time(12, 0), available=True
    )
    with pytest.raises(DomainError, match=f"{a.name}.*(not available|unavailable)"):
        move_session(s, by=world.pcm, day=2, start=time(13, 0), peers=[w.om], version=UNCHECKED)
    move_session(s, by=world.pcm, day=2, start=time(10, 0), peers=[w.om], version=UNCHECKED)
    s.refresh_from_db()
    assert (s.day, s.start) == (2, time(10, 0))


def test_a_move_that_leaves_no_buffer_before_the_kit_meeting_is_refused(world):
    w, s = _free_week(world)
    lead = w.d.team.get(role="lead_peer")
    # The lead peer's KIT meeting starts at 16:00: 15:00-16:00 leaves no 15-minute buffer.
    with pytest.raises(DomainError, match="minutes between"):
        move_session(s, by=world.pcm, day=3, start=time(15, 0), peers=[lead], version=UNCHECKED)
    move_session(s, by=world.pcm, day=3, start=time(14, 45), peers=[lead], version=UNCHECKED)


def test_a_move_that_takes_a_peers_lunch_is_refused(world):
    from peerdiag.timetable.models import Attendee

    w, s = _free_week(world)
    other = Session.objects.create(
        diagnostic=w.d, type=SessionType.INTERVIEW, title="Long lunch talk", minutes=60
    )
    other.attendees.set([Attendee.objects.create(diagnostic=w.d, name="B", group="Partners")])
    move_session(other, by=world.pcm, day=4, start=time(12, 0), peers=[w.om], version=UNCHECKED)
    # 13:00-14:00 as well leaves the operational manager no 30 minutes between 12:00 and 14:00.
    with pytest.raises(DomainError, match="lunch"):
        move_session(s, by=world.pcm, day=4, start=time(13, 0), peers=[w.om], version=UNCHECKED)
