"""A diagnostic in delivery with a week of sessions and two peers who take notes."""

from __future__ import annotations

from dataclasses import dataclass

from peerdiag.accounts.models import User
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember
from peerdiag.timetable.models import Session
from tests.factories import PersonFactory, TeamMemberFactory, UserFactory
from tests.timetable.helpers import planned_week


@dataclass
class Delivery:
    d: Diagnostic
    kloes: list[Kloe]
    sessions: list[Session]  # interviews and focus groups, unplaced
    lead: User  # the lead peer (world.peer)
    om: User  # an operational manager with a login
    om_member: TeamMember


def delivery(world) -> Delivery:  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    Diagnostic.objects.filter(pk=w.d.pk).update(stage=Stage.DELIVERY)
    d = Diagnostic.objects.get(pk=w.d.pk)
    om = UserFactory(email="om@example.org")
    person = PersonFactory(full_name="Omar Manager", email="om@example.org", user=om)
    member = TeamMemberFactory(diagnostic=d, person=person, role=TeamRole.OPERATIONAL_MANAGER)
    return Delivery(d, w.kloes, w.interviews, world.peer, om, member)
