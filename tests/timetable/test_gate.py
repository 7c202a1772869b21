"""The timetable's gate conditions (registered as the 'timetable' capability) and its warnings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.capabilities import capability_blockers
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.domain.agreement import agree_version
from peerdiag.timetable.domain.gate import timetable_blockers, timetable_warnings
from peerdiag.timetable.domain.placements import move_session
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.models import Session

from .helpers import generate, planned_week


def _at(d: Diagnostic, stage: str) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, stage_changed_at=timezone.now())
    return Diagnostic.objects.get(pk=d.pk)


def _codes(d: Diagnostic, to: str) -> list[str]:
    return [b.code for b in timetable_blockers(d, to)]


def _link_all(d: Diagnostic) -> None:
    for s in Session.objects.filter(diagnostic=d):
        s.platform_link = f"https://teams.microsoft.com/l/meetup-join/{s.code}"
        s.save(update_fields=["platform_link"])


def test_the_capability_is_registered(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.PREPARATION)
    blockers = capability_blockers("timetable", d, Stage.READY, needs=["x"])
    assert [b.code for b in blockers] == ["timetable.unpublished"]
    assert not blockers[0].unavailable and blockers[0].fix == "timetable"


def test_leaving_preparation_needs_a_published_timetable_covering_every_kloe_with_links(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    d = _at(w.d, Stage.PREPARATION)
    assert _codes(d, Stage.READY) == ["timetable.unpublished"]
    generate(d, world.pcm)
    # Take out every session hearing about the second KLOE: it is then uncovered.
    for s in Session.objects.filter(diagnostic=d, kloes=w.kloes[1]):
        move_session(s, by=world.pcm, day=None, start=None, version=UNCHECKED)
    publish(d, by=world.pcm)
    codes = _codes(d, Stage.READY)
    assert codes == ["timetable.kloe_uncovered", "timetable.links_missing"]
    messages = [b.message for b in timetable_blockers(d, Stage.CASE_REVIEW)]
    assert "The quality of practice" in messages[0]
    _link_all(d)
    generate(d, world.pcm)
    publish(d, by=world.pcm)
    assert _codes(d, Stage.READY) == []
    assert _codes(d, Stage.CASE_REVIEW) == []


def test_delivery_needs_nothing_unpublished(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    _link_all(w.d)
    publish(w.d, by=world.pcm)
    d = _at(w.d, Stage.READY)
    # The council has to agree the published version (decision 19; test_council_agreement.py).
    assert _codes(d, Stage.DELIVERY) == ["timetable.not_agreed"]
    agree_version(d, by=world.organiser, number=1)
    assert _codes(d, Stage.DELIVERY) == []
    move_session(
        Session.objects.get(pk=w.interviews[0].pk),
        by=world.pcm,
        day=None,
        start=None,
        version=UNCHECKED,
    )
    assert _codes(d, Stage.DELIVERY) == ["timetable.unpublished_changes"]


def test_drafting_needs_the_kit_and_peer_team_meetings_held(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    d = _at(w.d, Stage.DELIVERY)
    codes = _codes(d, Stage.DRAFTING)
    assert codes.count("timetable.kit_meeting_not_held") == 5
    assert codes.count("timetable.peer_team_meeting_not_held") == 5
    Session.objects.filter(diagnostic=d, type__in=["kit_meeting", "peer_team_meeting"]).update(
        status="held"
    )
    assert _codes(d, Stage.DRAFTING) == []
    Session.objects.filter(diagnostic=d, type="kit_meeting").delete()
    assert _codes(d, Stage.DRAFTING) == ["timetable.no_kit_meeting"]


@pytest.mark.parametrize("groups", [1, 2])
def test_a_kloe_heard_from_one_group_is_warned(world, groups):  # type: ignore[no-untyped-def]
    w = planned_week(world.own, interviews=0)
    d = _at(w.d, Stage.PREPARATION)
    for i in range(groups):
        s = Session.objects.create(diagnostic=d, type="interview", title=f"S{i}", group=f"G{i}")
        s.kloes.set([w.kloes[0]])
    warnings = timetable_warnings(d, Stage.READY)
    one = [x for x in warnings if "How well the front door works" in x]
    assert len(one) == (1 if groups == 1 else 0)
    assert timetable_warnings(d, Stage.SCOPED) == []
