"""The delivery week: its days, its settings and the fixed meetings made for it (decisions 3-5).

Day numbers run 1 to 7 and map to dates through the diagnostic's day 1 and working days. The
fixed meetings are ordinary sessions with a fixed day and start, so they can be edited.
"""

from __future__ import annotations

from datetime import date, time

from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import created_by
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember

from ..enums import DELIVERY_DAYS, PRESENTATION_CAP_MINUTES, Priority, SessionType
from ..models import Attendee, Session, Timetable


def timetable_for(diagnostic: Diagnostic) -> Timetable:
    """The diagnostic's timetable settings, made with the defaults on first use."""
    found = getattr(diagnostic, "_pd_timetable", None)
    if found is None:
        found, _ = Timetable.objects.get_or_create(diagnostic=diagnostic)
        diagnostic._pd_timetable = found  # type: ignore[attr-defined]
    return found


def day_dates(diagnostic: Diagnostic) -> dict[int, date]:
    """Delivery day number (1-7) to its date; empty while day 1 is not set."""
    if diagnostic.day1 is None:
        return {}
    return dict(enumerate(delivery_days(diagnostic.day1), start=1))


def delivery_members(diagnostic: Diagnostic) -> list[TeamMember]:
    """Team members who take part in the delivery week, in a stable order.

    Everyone on the team except members the council objected to and case auditors who do not
    carry on into delivery.
    """
    members = (
        TeamMember.objects.filter(diagnostic=diagnostic)
        .exclude(council_decision="objected")
        .select_related("person")
        .order_by("role", "person__full_name", "pk")
    )
    order = {
        TeamRole.LEAD_PEER: 0,
        TeamRole.OPERATIONAL_MANAGER: 1,
        TeamRole.PEER_CHALLENGE_MANAGER: 2,
        TeamRole.CASE_AUDITOR: 3,
    }
    out = [
        m
        for m in members
        if m.role != TeamRole.CASE_AUDITOR or getattr(m, "continues_to_delivery", False)
    ]
    return sorted(out, key=lambda m: (order.get(TeamRole(m.role), 9), m.person.full_name, m.pk))


def _sponsor_attendee(diagnostic: Diagnostic, by: User | None) -> Attendee | None:
    role = (
        diagnostic.council_roles.filter(role=CouncilRoleKind.SPONSOR)
        .select_related("person")
        .first()
    )
    if role is None:
        return None
    person = role.person
    found = Attendee.objects.filter(diagnostic=diagnostic, name=person.full_name).first()
    if found:
        return found
    return Attendee.objects.create(
        diagnostic=diagnostic,
        name=person.full_name,
        job_title=person.job_title or "Sponsor",
        email=person.email,
        group="Council leadership",
        **created_by(by),
    )


PARTNERS_GROUP = "Partners"


def _partner_attendees(diagnostic: Diagnostic, by: User | None) -> list[Attendee]:
    """The council's partner representatives as attendees: its partner representative roles
    (made attendees in the Partners group if they are not yet) and every attendee whose group
    is Partners."""
    found: dict[int, Attendee] = {}
    roles = diagnostic.council_roles.filter(role=CouncilRoleKind.PARTNER_REP).select_related(
        "person", "person__organisation"
    )
    for role in roles.order_by("person__full_name", "pk"):
        person = role.person
        a = Attendee.objects.filter(diagnostic=diagnostic, name=person.full_name).first()
        if a is None:
            a = Attendee.objects.create(
                diagnostic=diagnostic,
                name=person.full_name,
                job_title=person.job_title or "Partner representative",
                email=person.email,
                group=PARTNERS_GROUP,
                **created_by(by),
            )
        found[a.pk] = a
    for a in Attendee.objects.filter(diagnostic=diagnostic, group__iexact=PARTNERS_GROUP).order_by(
        "name", "pk"
    ):
        found.setdefault(a.pk, a)
    return list(found.values())


def _fixed(
    diagnostic: Diagnostic,
    *,
    type: str,
    title: str,
    day: int,
    start: time,
    minutes: int,
    whole_team: bool = False,
    required: list[TeamMember] | None = None,
    attendees: list[Attendee] | None = None,
    internal: bool = False,
    presentation: int | None = None,
    chair: TeamMember | None = None,
    by: User | None = None,
) -> Session:
    s = Session.objects.create(
        **created_by(by),
        diagnostic=diagnostic,
        type=type,
        title=title,
        minutes=minutes,
        priority=Priority.MUST,
        whole_team=whole_team,
        peers_needed=len(required or []) or 1,
        fixed_day=day,
        fixed_start=start,
        day=day,  # placed where it is fixed from the start
        start=start,
        internal_only=internal,
        presentation_minutes=presentation,
        chair=chair,
    )
    if required:
        s.required_peers.set(required)
    if attendees:
        s.attendees.set(attendees)
    return s


def _overview_meeting(
    diagnostic: Diagnostic, *, by: User | None, attendees: list[Attendee]
) -> Session:
    """Day 1 from 09:30 for 90 minutes, the whole team, with the council's presentation."""
    return _fixed(
        diagnostic,
        by=by,
        type=SessionType.OVERVIEW,
        title="Overview meeting with the council and partners",
        day=1,
        start=time(9, 30),
        minutes=90,
        whole_team=True,
        attendees=attendees,
        presentation=PRESENTATION_CAP_MINUTES,
    )


def _daily_kit_and_peer_team_meetings(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    kit_peers: list[TeamMember],
    council: list[Attendee],
    chair: TeamMember | None,
) -> list[Session]:
    """On days 1-5, in day order: a KIT meeting at 16:00 and a peer team meeting at 16:45."""
    made: list[Session] = []
    for day in range(1, 6):
        made.append(
            _fixed(
                diagnostic,
                by=by,
                type=SessionType.KIT,
                title=f"Keeping-in-touch meeting, day {day}",
                day=day,
                start=time(16, 0),
                minutes=30,
                required=kit_peers,
                attendees=council,
            )
        )
        made.append(
            _fixed(
                diagnostic,
                by=by,
                type=SessionType.PEER_TEAM,
                title=f"Peer team meeting, day {day}",
                day=day,
                start=time(16, 45),
                minutes=30,
                whole_team=True,
                internal=True,
                chair=chair,
            )
        )
    return made


def _drafting_meetings(diagnostic: Diagnostic, *, by: User | None) -> list[Session]:
    """Drafting on day 6, morning and afternoon, for the whole team."""
    return [
        _fixed(
            diagnostic,
            by=by,
            type=SessionType.DRAFTING,
            title=f"Drawing the findings together ({part})",
            day=6,
            start=start,
            minutes=150,
            whole_team=True,
            internal=True,
        )
        for part, start in (("morning", time(9, 30)), ("afternoon", time(13, 0)))
    ]


def _feedback_meeting(
    diagnostic: Diagnostic, *, by: User | None, attendees: list[Attendee]
) -> Session:
    """Day 7 at 10:00 for 90 minutes, the whole team."""
    return _fixed(
        diagnostic,
        by=by,
        type=SessionType.FEEDBACK,
        title="Feedback meeting",
        day=7,
        start=time(10, 0),
        minutes=90,
        whole_team=True,
        attendees=attendees,
    )


def seed_fixed_meetings(diagnostic: Diagnostic, *, by: User | None) -> list[Session]:
    """Make the week's standing meetings, once: overview, KITs, peer team meetings, days 6 and 7.

    Defaults (decisions 4 and 5): the overview on day 1 from 09:30 for 90 minutes with a
    20-minute council presentation inside it; a 30-minute KIT meeting with the sponsor, the
    lead peer and the PCM at 16:00 on days 1-5; a 30-minute peer team meeting for all peers at
    16:45 on days 1-5, chaired by the lead peer; drafting on day 6 (morning and afternoon);
    feedback on day 7. The overview and feedback meetings invite the sponsor and the council's
    partner representatives (issue 17).
    Side effects: creates the sponsor and partner representatives as attendees if needed;
    audit entry.
    """
    if Session.objects.filter(diagnostic=diagnostic, type__in=[SessionType.OVERVIEW]).exists():
        raise DomainError("The week's fixed meetings are already in place")
    timetable_for(diagnostic)
    with transaction.atomic():
        sponsor = _sponsor_attendee(diagnostic, by)
        council = [sponsor] if sponsor else []
        partners = [a for a in _partner_attendees(diagnostic, by) if a not in council]
        team = delivery_members(diagnostic)
        lead = next((m for m in team if m.role == TeamRole.LEAD_PEER), None)
        kit_peers = [
            m for m in team if m.role in (TeamRole.LEAD_PEER, TeamRole.PEER_CHALLENGE_MANAGER)
        ]
        made = [_overview_meeting(diagnostic, by=by, attendees=council + partners)]
        made += _daily_kit_and_peer_team_meetings(
            diagnostic, by=by, kit_peers=kit_peers, council=council, chair=lead
        )
        made += _drafting_meetings(diagnostic, by=by)
        made.append(_feedback_meeting(diagnostic, by=by, attendees=council + partners))
        audit.record(
            diagnostic, by=by, action="timetable", summary="Set up the week's fixed meetings"
        )
    return made


def check_day(day: int | None, *, field: str = "day", hearing: bool = False) -> None:
    if day is None:
        return
    top = 5 if hearing else DELIVERY_DAYS
    if not 1 <= day <= top:
        raise DomainError(f"Choose a day from 1 to {top}", field=field)
