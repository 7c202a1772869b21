"""Sessions of the delivery week and its settings: adding, changing, removing, meeting links.

Every write checks its input against the week's rules (lengths on the slot grid, interviews and
focus groups on days 1-5, the council's presentation cap, peers the team can supply, a supporting
adult where children or young people take part), refuses with a DomainError naming the field,
and writes the audit trail. A change that would leave a placed session breaking the draft's hard
rules takes it out of the draft, with a reason, instead of leaving the draft invalid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import (
    StaleEdit,
    claim,
    created_by,
    with_version_fields,
)
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, Platform, TeamRole
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember

from ..enums import (
    DELIVERY_DAYS,
    HEARING_DAYS,
    HEARING_TYPES,
    INTERNAL_TYPES,
    MEETING_TYPES,
    PRESENTATION_CAP_MINUTES,
    Priority,
    SessionStatus,
    SessionType,
)
from ..models import Attendee, SentInvitation, Session, Timetable, TimetableVersion
from .must_hear import LEADERSHIP, clean_roles
from .placements import violations
from .problem import hhmm, minutes_of
from .runs import hold_week_against_runs, refuse_while_generating
from .week import delivery_members, timetable_for

MIN_MINUTES, MAX_MINUTES = 15, 480
SLOT_CHOICES = (5, 10, 15, 30)
CHANGED_AFTER_PLACING = "Changed after it was placed: generate again or place it by hand"
NOT_PLACED_YET = "Not placed yet: generate the timetable or place it by hand"

PLATFORM_NAMES = {
    Platform.TEAMS: "Microsoft Teams",
    Platform.ZOOM: "Zoom",
}


# --- Meeting links ------------------------------------------------------------------------


def _teams(host: str, path: str) -> bool:
    return host in ("teams.microsoft.com", "teams.live.com") and len(path.strip("/")) > 0


def _zoom(host: str, path: str) -> bool:
    if host != "zoom.us" and not host.endswith(".zoom.us"):
        return False
    for prefix in ("/j/", "/my/"):
        if path.startswith(prefix) and path[len(prefix) :].strip("/"):
            return True
    return False


def check_platform_link(platform: str, link: str) -> str | None:
    """Why `link` is not a meeting link of `platform` (teams, zoom or other), or None if it is.

    Only https links are accepted. Teams: teams.microsoft.com or teams.live.com. Zoom: zoom.us
    or a subdomain of it, with a /j/ (meeting) or /my/ (personal room) path. Other or unset:
    any https link.
    """
    link = link.strip()
    name = PLATFORM_NAMES.get(platform)  # type: ignore[call-overload]
    if not link:
        return "Enter the meeting link"
    try:
        parts = urlsplit(link)
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""
    if parts is None or any(c.isspace() for c in link) or parts.scheme != "https" or not host:
        if name:
            return f"Enter a {name} link starting with https://"
        return "Enter a meeting link starting with https://"
    if platform == Platform.TEAMS and not _teams(host, parts.path):
        return (
            "Enter a Microsoft Teams meeting link: it starts with "
            "https://teams.microsoft.com/ or https://teams.live.com/"
        )
    if platform == Platform.ZOOM and not _zoom(host, parts.path):
        return (
            "Enter a Zoom meeting link: it looks like https://us02web.zoom.us/j/ followed by "
            "the meeting number"
        )
    return None


def _refuse_if_ended(diagnostic: Diagnostic) -> None:
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")


def set_session_link(session: Session, *, by: User | None, link: str, version: int | None) -> None:
    """Record (or, with an empty link, remove) the session's meeting link.

    Refused unless it is a link of the diagnostic's online platform, and with StaleEdit (nothing
    saved) when someone changed the session after `version`. Side effects: the session's link;
    audit entry.
    """
    diagnostic = session.diagnostic
    _refuse_if_ended(diagnostic)
    link = link.strip()
    if link:
        problem = check_platform_link(diagnostic.online_platform, link)
        if problem:
            raise DomainError(problem, field="platform_link")
    with transaction.atomic():
        claim(session, version=version, by=by, noun="this session")
        session.platform_link = link
        session.save(update_fields=with_version_fields(["platform_link", "updated_at"]))
        what = "Added the meeting link of" if link else "Removed the meeting link of"
        audit.record(diagnostic, by=by, action="timetable", summary=f"{what} ‘{session.title}’")


@dataclass
class LinksSaved:
    """What set_session_links did: the links saved, those refused as not a link of the
    platform (with why), and those not saved because someone changed the session after the
    page was opened (with what they saved)."""

    saved: list[Session] = field(default_factory=list)
    refused: dict[Session, str] = field(default_factory=dict)
    stale: dict[Session, StaleEdit] = field(default_factory=dict)


def set_session_links(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    links: dict[Session, str],
    versions: dict[Session, int | None],
) -> LinksSaved:
    """Record many meeting links at once, each row on its own: every valid link of a session
    still at the version the page showed (`versions`) is saved; an invalid link is reported;
    a session someone changed since is left as they saved it and reported with StaleEdit, so
    the page can show their link beside the one typed. Nothing typed is lost and nothing is
    overwritten unseen. Sessions whose link is unchanged are skipped.

    Side effects: the links that changed; one audit entry if any did.
    """
    _refuse_if_ended(diagnostic)
    result = LinksSaved()
    wanted: list[tuple[Session, str]] = []
    for session, raw in links.items():
        link = raw.strip()
        if link == session.platform_link:
            continue
        problem = check_platform_link(diagnostic.online_platform, link) if link else None
        if problem:
            result.refused[session] = problem
            continue
        wanted.append((session, link))
    if wanted:
        with transaction.atomic():
            for s, link in wanted:
                try:
                    claim(s, version=versions[s], by=by, noun="this session")
                except StaleEdit as e:  # nothing of this row was written; the others go on
                    result.stale[s] = e
                    continue
                s.platform_link = link
                s.save(update_fields=with_version_fields(["platform_link", "updated_at"]))
                result.saved.append(s)
            if result.saved:
                audit.record(
                    diagnostic,
                    by=by,
                    action="timetable",
                    summary=f"Updated the meeting links of {len(result.saved)} sessions",
                )
    return result


# --- Sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionDetails:
    """Everything a person sets about a session (the placement is the draft's business)."""

    type: str
    title: str
    minutes: int = 60
    priority: str = Priority.SHOULD
    group: str = ""
    kloes: tuple[Kloe, ...] = ()
    attendees: tuple[Attendee, ...] = ()
    head_count: int | None = None
    peers_needed: int | None = None  # None: the usual, two for interviews and focus groups
    whole_team: bool = False
    required_peers: tuple[TeamMember, ...] = ()
    allowed_days: tuple[int, ...] = ()
    fixed_day: int | None = None
    fixed_start: time | None = None
    internal_only: bool | None = None  # None: private to the team for its type's default
    presentation_minutes: int | None = None
    platform_link: str = ""
    young_people: bool = False
    supporting_adult: str = ""
    consent_recorded_on: date | None = None
    notes: str = field(default="")
    # Issue 17's week defaults.
    roles: tuple[str, ...] = ()  # key people it hears from (must_hear.py)
    earliest_start: time | None = None  # None: after school with young people, else any time
    chair: TeamMember | None = None  # None: the lead peer for peer team meetings

    @classmethod
    def of(cls, session: Session) -> SessionDetails:
        """The session's current details, to change some with dataclasses.replace."""
        return cls(
            type=session.type,
            title=session.title,
            minutes=session.minutes,
            priority=session.priority,
            group=session.group,
            kloes=tuple(session.kloes.all()),
            attendees=tuple(session.attendees.all()),
            head_count=session.head_count,
            peers_needed=session.peers_needed,
            whole_team=session.whole_team,
            required_peers=tuple(session.required_peers.all()),
            allowed_days=tuple(session.allowed_days or ()),
            fixed_day=session.fixed_day,
            fixed_start=session.fixed_start,
            internal_only=session.internal_only,
            presentation_minutes=session.presentation_minutes,
            platform_link=session.platform_link,
            young_people=session.young_people,
            supporting_adult=session.supporting_adult,
            consent_recorded_on=session.consent_recorded_on,
            notes=session.notes,
            roles=tuple(session.roles or ()),
            earliest_start=session.earliest_start,
            chair=session.chair,
        )


# --- The week's defaults (decision 18) ----------------------------------------------------------

PAIR = 2  # interviews and focus groups: one peer asks, one notes
AFTER_SCHOOL = time(15, 30)  # children and young people: after school hours on school days


def lead_peer(diagnostic: Diagnostic) -> TeamMember | None:
    """The delivery team's lead peer, if it has one."""
    return next((m for m in delivery_members(diagnostic) if m.role == TeamRole.LEAD_PEER), None)


def _with_defaults(
    diagnostic: Diagnostic, d: SessionDetails, *, before: Session | None = None
) -> SessionDetails:
    """`d` with the week's defaults filled in where the person left them open:

    - peers needed: two for interviews and focus groups (no more than the team has), one for
      anything else;
    - the lead peer is a required peer when the session first hears from the director of
      children's services, the lead member or the chief executive (on adding it, or when that
      role is first ticked); taking the lead peer off afterwards is respected;
    - children and young people: no earlier than 15:30 unless an earliest start or a fixed start
      is given;
    - the lead peer chairs peer team meetings.
    """
    hearing = d.type not in MEETING_TYPES
    members = delivery_members(diagnostic)
    need = d.peers_needed
    if need is None:
        need = PAIR if d.type in HEARING_TYPES else 1
        if members:
            need = max(1, min(need, len(members)))
    required = tuple(dict.fromkeys(d.required_peers))
    lead = lead_peer(diagnostic)
    roles = tuple(clean_roles(d.roles))
    was_leadership = before is not None and bool(LEADERSHIP & set(before.roles or ()))
    if lead is not None and not d.whole_team and LEADERSHIP & set(roles) and not was_leadership:
        if lead not in required:
            required = (lead, *required)
        need = max(need, len(required))
    young = d.young_people or any(a.young_person for a in d.attendees)
    earliest = d.earliest_start
    if earliest is None and young and hearing and d.fixed_start is None:
        earliest = AFTER_SCHOOL
    chair = d.chair
    if chair is None and d.type == SessionType.PEER_TEAM:
        chair = lead
    return replace(
        d,
        peers_needed=need,
        required_peers=required,
        roles=roles,
        earliest_start=earliest,
        chair=chair,
    )


def _check_kind_title_and_priority(d: SessionDetails) -> str:
    """The kind and the priority are known ones and the title is not empty; returns the title
    trimmed."""
    if d.type not in SessionType.values:
        raise DomainError("Choose the kind of session", field="type")
    title = d.title.strip()
    if not title:
        raise DomainError("Enter a title for the session", field="title")
    if d.priority not in Priority.values:
        raise DomainError("Choose how important the session is", field="priority")
    return title


def _check_length(t: Timetable, d: SessionDetails) -> None:
    """From 15 minutes to 8 hours, a multiple of the week's time slot."""
    if not MIN_MINUTES <= d.minutes <= MAX_MINUTES:
        raise DomainError(
            f"A session lasts from {MIN_MINUTES} minutes to {MAX_MINUTES // 60} hours",
            field="minutes",
        )
    if d.minutes % t.slot_minutes:
        raise DomainError(
            f"The length must be a multiple of {t.slot_minutes} minutes, the week's time slot",
            field="minutes",
        )


def _check_allowed_days(d: SessionDetails, *, hearing: bool, top: int) -> tuple[int, ...]:
    """Interviews and focus groups on days 1 to 5, meetings on days 1 to 7; returns the days
    sorted, each once."""
    days = tuple(sorted(set(d.allowed_days)))
    if any(not 1 <= n <= top for n in days):
        if hearing:
            raise DomainError(
                "Interviews and focus groups take place on days 1 to 5 only", field="allowed_days"
            )
        raise DomainError("Choose days from 1 to 7", field="allowed_days")
    return days


def _check_fixed_time(
    t: Timetable, d: SessionDetails, *, days: tuple[int, ...], hearing: bool, top: int
) -> None:
    """A fixed time has both a day and a start, on an allowed day, inside the working day and
    on the week's grid."""
    if (d.fixed_day is None) != (d.fixed_start is None):
        if d.fixed_day is None:
            raise DomainError("Choose the day of the fixed time as well", field="fixed_day")
        raise DomainError("Enter the start of the fixed time as well", field="fixed_start")
    if d.fixed_day is None or d.fixed_start is None:
        return
    if not 1 <= d.fixed_day <= top:
        raise DomainError(
            "Interviews and focus groups take place on days 1 to 5 only"
            if hearing
            else "Choose a day from 1 to 7",
            field="fixed_day",
        )
    start = minutes_of(d.fixed_start)
    if start < minutes_of(t.day_start) or start + d.minutes > minutes_of(t.day_end):
        raise DomainError(
            f"The session must fit inside the working day, {hhmm(t.day_start)} to "
            f"{hhmm(t.day_end)}",
            field="fixed_start",
        )
    if (start - minutes_of(t.day_start)) % t.slot_minutes:
        raise DomainError(
            f"Start on the week's {t.slot_minutes}-minute grid from {hhmm(t.day_start)}",
            field="fixed_start",
        )
    if days and d.fixed_day not in days:
        raise DomainError(
            "The fixed day must be one of the days the session may take place",
            field="fixed_day",
        )


def _check_presentation(d: SessionDetails) -> int | None:
    """The council's presentation belongs to the overview meeting only (dropped elsewhere),
    is capped and fits inside the meeting; returns what is kept."""
    presentation = d.presentation_minutes
    if presentation is None:
        return None
    if d.type != SessionType.OVERVIEW:
        return None
    if presentation < 0 or presentation > PRESENTATION_CAP_MINUTES:
        raise DomainError(
            "The council's presentation in the overview meeting can be at most "
            f"{PRESENTATION_CAP_MINUTES} minutes",
            field="presentation_minutes",
        )
    if presentation > d.minutes:
        raise DomainError(
            "The council's presentation cannot be longer than the overview meeting",
            field="presentation_minutes",
        )
    return presentation


def _check_peers_and_chair_from_the_team(
    d: SessionDetails, member_pks: set[int]
) -> tuple[TeamMember, ...]:
    """Required peers and the chair come from the delivery team; returns the required peers,
    each once."""
    required = tuple(dict.fromkeys(d.required_peers))
    if any(m.pk not in member_pks for m in required):
        raise DomainError("Choose peers from the delivery team", field="required_peers")
    if d.chair is not None and d.chair.pk not in member_pks:
        raise DomainError("Choose a chair from the delivery team", field="chair")
    return required


def _check_earliest_start(t: Timetable, d: SessionDetails) -> None:
    """An earliest start leaves room for the session in the working day, and a fixed start is
    not before it."""
    if d.earliest_start is None:
        return
    earliest = minutes_of(d.earliest_start)
    if earliest < minutes_of(t.day_start) or earliest + d.minutes > minutes_of(t.day_end):
        raise DomainError(
            f"A {d.minutes}-minute session starting from {hhmm(d.earliest_start)} does not "
            f"fit inside the working day, {hhmm(t.day_start)} to {hhmm(t.day_end)}: enter "
            "an earlier start or shorten the session",
            field="earliest_start",
        )
    if d.fixed_start is not None and d.fixed_start < d.earliest_start:
        raise DomainError(
            f"The fixed start is before the earliest start ({hhmm(d.earliest_start)})",
            field="fixed_start",
        )


def _check_peers_needed(
    d: SessionDetails,
    *,
    peers_needed: int,
    required: tuple[TeamMember, ...],
    members: list[TeamMember],
) -> None:
    """Unless the whole team attends: at least one peer, no more than the team has, and no
    fewer than the peers named as required."""
    if d.whole_team:
        return
    if peers_needed < 1:
        raise DomainError("At least one peer must attend", field="peers_needed")
    if members and peers_needed > len(members):
        raise DomainError(
            f"The delivery team has {len(members)} peers: ask for {len(members)} or fewer",
            field="peers_needed",
        )
    if len(required) > peers_needed:
        raise DomainError(
            f"You named {len(required)} peers who must attend but the session needs only "
            f"{peers_needed}: raise the number of peers or name fewer",
            field="required_peers",
        )


def _check_kloes_and_attendees_of_this_diagnostic(
    diagnostic: Diagnostic, d: SessionDetails
) -> None:
    """Lines of enquiry and attendees belong to this diagnostic; the head count is plausible."""
    if any(k.diagnostic_id != diagnostic.pk for k in d.kloes):
        raise DomainError("Choose lines of enquiry of this diagnostic", field="kloes")
    if any(a.diagnostic_id != diagnostic.pk for a in d.attendees):
        raise DomainError("Choose attendees of this diagnostic", field="attendees")
    if d.head_count is not None and not 1 <= d.head_count <= 500:
        raise DomainError("Enter how many people are expected, from 1 to 500", field="head_count")


def _check_young_people(d: SessionDetails) -> tuple[bool, str, date | None]:
    """A session with children or young people (ticked, or a young person attending) names a
    supporting adult, and consent is not recorded in the future; returns (young, adult,
    consent), the last two cleared for any other session."""
    young = d.young_people or any(a.young_person for a in d.attendees)
    adult = d.supporting_adult.strip()
    consent = d.consent_recorded_on
    if not young:
        return young, "", None
    if not adult:
        raise DomainError(
            "Name the supporting adult for the children or young people taking part",
            field="supporting_adult",
        )
    if consent is not None and consent > timezone.localdate():
        raise DomainError(
            "The date consent was recorded cannot be in the future",
            field="consent_recorded_on",
        )
    return young, adult, consent


def _check_link_and_group(diagnostic: Diagnostic, d: SessionDetails) -> tuple[str, str]:
    """A meeting link is one of the diagnostic's platform and the group's name is not too
    long; returns both trimmed."""
    link = d.platform_link.strip()
    if link:
        problem = check_platform_link(diagnostic.online_platform, link)
        if problem:
            raise DomainError(problem, field="platform_link")
    group = d.group.strip()
    if len(group) > 120:
        raise DomainError("Keep the group's name to 120 characters", field="group")
    return link, group


def _internal_only(d: SessionDetails) -> bool:
    """Internal kinds of session are always private to the team; otherwise as chosen, and
    not private if nobody chose."""
    if d.type in INTERNAL_TYPES:
        return True
    return False if d.internal_only is None else d.internal_only


def _check_details(diagnostic: Diagnostic, d: SessionDetails) -> SessionDetails:
    """`d` checked against the week's rules and tidied; raises DomainError naming the field.

    The checks run in this order, so the first rule broken is the one named: kind, title and
    priority; length; allowed days; fixed time; the council's presentation; peers and chair
    from the team; earliest start; peers needed; KLOEs, attendees and head count; children and
    young people; meeting link and group.
    """
    title = _check_kind_title_and_priority(d)
    t = timetable_for(diagnostic)
    _check_length(t, d)
    hearing = d.type not in MEETING_TYPES
    top = HEARING_DAYS[-1] if hearing else DELIVERY_DAYS
    days = _check_allowed_days(d, hearing=hearing, top=top)
    _check_fixed_time(t, d, days=days, hearing=hearing, top=top)
    presentation = _check_presentation(d)
    members = delivery_members(diagnostic)
    required = _check_peers_and_chair_from_the_team(d, {m.pk for m in members})
    peers_needed = d.peers_needed if d.peers_needed is not None else 1
    _check_earliest_start(t, d)
    _check_peers_needed(d, peers_needed=peers_needed, required=required, members=members)
    _check_kloes_and_attendees_of_this_diagnostic(diagnostic, d)
    young, adult, consent = _check_young_people(d)
    link, group = _check_link_and_group(diagnostic, d)
    return replace(
        d,
        peers_needed=peers_needed,
        title=title,
        group=group,
        allowed_days=days,
        required_peers=required,
        kloes=tuple(dict.fromkeys(d.kloes)),
        attendees=tuple(dict.fromkeys(d.attendees)),
        presentation_minutes=presentation,
        young_people=young,
        supporting_adult=adult,
        consent_recorded_on=consent,
        platform_link=link,
        internal_only=_internal_only(d),
        notes=d.notes.strip(),
    )


_PLAIN = (
    "type",
    "title",
    "minutes",
    "priority",
    "group",
    "head_count",
    "peers_needed",
    "whole_team",
    "fixed_day",
    "fixed_start",
    "internal_only",
    "presentation_minutes",
    "platform_link",
    "young_people",
    "supporting_adult",
    "consent_recorded_on",
    "notes",
    "roles",
    "earliest_start",
    "chair",
)


def _write(session: Session, d: SessionDetails) -> None:
    for name in _PLAIN:
        setattr(session, name, getattr(d, name))
    session.allowed_days = list(d.allowed_days)
    session.roles = list(d.roles)
    session.save()
    session.kloes.set(d.kloes)
    session.attendees.set(d.attendees)
    session.required_peers.set(d.required_peers)


def add_session(diagnostic: Diagnostic, *, by: User | None, details: SessionDetails) -> Session:
    """Add a session to the week, unplaced (generate or a hand move places it).

    Refused (DomainError naming the field) when the details break the week's rules or the
    diagnostic has ended. Side effects: the session and its links to KLOEs, attendees and
    peers; audit entry.
    """
    _refuse_if_ended(diagnostic)
    refuse_while_generating(diagnostic)
    checked = _check_details(diagnostic, _with_defaults(diagnostic, details))
    with transaction.atomic():
        hold_week_against_runs(diagnostic)
        session = Session(
            diagnostic=diagnostic, unscheduled_reason=NOT_PLACED_YET, **created_by(by)
        )
        _write(session, checked)
        audit.record(
            diagnostic, by=by, action="timetable", summary=f"Added the session ‘{session.title}’"
        )
    return session


def _placement_key(session: Session) -> tuple[Any, ...]:
    return (
        session.type,
        session.minutes,
        tuple(sorted(session.allowed_days or ())),
        session.fixed_day,
        session.fixed_start,
        session.peers_needed,
        session.whole_team,
        tuple(sorted(m.pk for m in session.required_peers.all())),
        tuple(sorted(a.pk for a in session.attendees.all())),
        session.earliest_start,
    )


def _about(session: Session, message: str) -> bool:
    return f"‘{session.title}’" in message or session.code in message


def _broken(session: Session) -> set[str] | None:
    """The draft's broken rules that name `session`; None when the week cannot be checked."""
    try:
        found = [v for v in violations(session.diagnostic) if _about(session, v)]
    except DomainError:
        # The week cannot be checked as a whole (no day 1, no team): nothing to keep valid.
        return None
    # Compared across a rename, so the session's own name is left out.
    return {v.replace(f"‘{session.title}’", "‘…’").replace(session.code, "…") for v in found}


def _keep_draft_valid(session: Session, *, before: set[str] | None, moved_fixed: bool) -> bool:
    """After a change to a placed session: move it to its new fixed time if it has one, then
    take it out of the draft if the checker finds it breaking a hard rule it did not break
    before the change. True if taken out."""
    if not session.placed:
        return False
    if moved_fixed and session.fixed_day is not None and session.fixed_start is not None:
        session.day, session.start = session.fixed_day, session.fixed_start
        session.save(update_fields=["day", "start", "updated_at"])
    after = _broken(session)
    if after is None or not after - (before or set()):
        return False
    session.day = session.start = None
    session.unscheduled_reason = CHANGED_AFTER_PLACING
    session.save(update_fields=["day", "start", "unscheduled_reason", "updated_at"])
    session.peers.clear()
    return True


def update_session(
    session: Session, *, by: User | None, details: SessionDetails, version: int | None
) -> bool:
    """Change a session's details.

    If it is placed and a change that matters to its placement (length, days, fixed time, peers,
    attendees) leaves it breaking the draft's hard rules, it is taken out of the draft with a
    reason; a placed meeting whose fixed time changed first moves to the new time. Returns True
    if the session was taken out. Refused (DomainError naming the field) as add_session is, and
    with StaleEdit (nothing saved) when someone changed the session after `version`.
    Side effects: the session; possibly its placement; audit entry.
    """
    diagnostic = session.diagnostic
    _refuse_if_ended(diagnostic)
    refuse_while_generating(diagnostic)
    if session.status == SessionStatus.CANCELLED:
        raise DomainError("This session has been cancelled and can no longer be changed")
    checked = _check_details(diagnostic, _with_defaults(diagnostic, details, before=session))
    with transaction.atomic():
        hold_week_against_runs(diagnostic)
        claim(session, version=version, by=by, noun="this session")
        before = _placement_key(session)
        fixed_before = (session.fixed_day, session.fixed_start)
        broken_before = _broken(session) if session.placed else None
        _write(session, checked)
        session = Session.objects.get(pk=session.pk)
        taken_out = False
        if _placement_key(session) != before:
            taken_out = _keep_draft_valid(
                session,
                before=broken_before,
                moved_fixed=(session.fixed_day, session.fixed_start) != fixed_before,
            )
        summary = f"Changed the session ‘{session.title}’"
        if taken_out:
            summary += " and took it out of the draft"
        audit.record(diagnostic, by=by, action="timetable", summary=summary)
    return taken_out


def was_published(session: Session) -> bool:
    """True if any published version or any sent invitation included the session."""
    if SentInvitation.objects.filter(session=session).exists():
        return True
    for snap in TimetableVersion.objects.filter(diagnostic_id=session.diagnostic_id).values_list(
        "snapshot", flat=True
    ):
        if any(s.get("code") == session.code for s in (snap or {}).get("sessions", [])):
            return True
    return False


def cancel_session(session: Session, *, by: User | None, version: int | None) -> bool:
    """Remove a session from the week.

    A session people were ever told about (a published version or an invitation included it)
    is kept, marked cancelled and taken out of the draft, so the next publish sends the
    cancellation; any other session is deleted. Returns True if it was deleted. Refused with
    StaleEdit (nothing changed) when someone changed the session after `version`, so nobody
    removes a session they have not seen as it is now.
    Side effects: the session (deleted, or status, placement and peers); audit entry.
    """
    diagnostic = session.diagnostic
    _refuse_if_ended(diagnostic)
    refuse_while_generating(diagnostic)
    if session.status == SessionStatus.CANCELLED:
        raise DomainError("This session is already cancelled")
    title = session.title
    with transaction.atomic():
        hold_week_against_runs(diagnostic)
        claim(session, version=version, by=by, noun="this session")
        if was_published(session):
            session.status = SessionStatus.CANCELLED
            session.day = session.start = None
            session.unscheduled_reason = "Cancelled"
            session.save(
                update_fields=with_version_fields(["status", "day", "start", "unscheduled_reason"])
            )
            session.peers.clear()
            deleted = False
            summary = f"Cancelled the session ‘{title}’ (people are told when it is published)"
        else:
            session.delete()
            deleted = True
            summary = f"Removed the session ‘{title}’"
        audit.record(diagnostic, by=by, action="timetable", summary=summary)
    return deleted


# --- Week settings ------------------------------------------------------------------------

# What the week's settings page changes (the timetable row also holds the generate run's state).
WEEK_SETTINGS = (
    "day_start",
    "day_end",
    "slot_minutes",
    "lunch_earliest",
    "lunch_latest",
    "lunch_minutes",
    "peer_buffer_minutes",
    "max_sessions_per_day",
)


def _check_fixed_meetings_stay_on_the_grid(
    diagnostic: Diagnostic, *, day_start: time, day_end: time, slot_minutes: int
) -> None:
    """Every fixed session that is not cancelled still fits inside the new working day and
    starts on the new time grid (one query)."""
    fixed = Session.objects.filter(
        diagnostic=diagnostic, fixed_start__isnull=False, fixed_day__isnull=False
    ).exclude(status=SessionStatus.CANCELLED)
    for s in fixed:
        assert s.fixed_start is not None
        start = minutes_of(s.fixed_start)
        if start < minutes_of(day_start) or start + s.minutes > minutes_of(day_end):
            raise DomainError(
                f"‘{s.title}’ is fixed at {hhmm(s.fixed_start)} for {s.minutes} minutes, "
                "outside this working day: change it first",
                field="day_start",
            )
        if (start - minutes_of(day_start)) % slot_minutes:
            raise DomainError(
                f"‘{s.title}’ is fixed at {hhmm(s.fixed_start)}, off this time grid: choose "
                "another slot or working day start",
                field="slot_minutes",
            )


def update_week_settings(
    timetable: Timetable,
    *,
    by: User | None,
    day_start: time,
    day_end: time,
    slot_minutes: int,
    lunch_earliest: time,
    lunch_latest: time,
    lunch_minutes: int,
    peer_buffer_minutes: int,
    max_sessions_per_day: int | None,
    version: int | None,
) -> None:
    """Change the working day, the time slot, the lunch window and the peers' limits.

    Refused (DomainError naming the field) unless the day starts before it ends, the lunch
    window lies inside the day and holds the lunch break, the slot is 5, 10, 15 or 30 minutes
    and every fixed meeting still starts on the grid; refused with StaleEdit (nothing saved)
    when someone changed the settings after `version`. Only the settings are written, never
    the columns of a generate run. Side effects: the settings; audit entry.
    """
    diagnostic = timetable.diagnostic
    _refuse_if_ended(diagnostic)
    if day_start >= day_end:
        raise DomainError("The working day must end after it starts", field="day_end")
    if slot_minutes not in SLOT_CHOICES:
        raise DomainError("Choose a time slot of 5, 10, 15 or 30 minutes", field="slot_minutes")
    if lunch_earliest < day_start or lunch_earliest >= day_end:
        raise DomainError(
            "The lunch window must start inside the working day", field="lunch_earliest"
        )
    if lunch_latest <= lunch_earliest or lunch_latest > day_end:
        raise DomainError(
            "The lunch window must end after it starts and by the end of the working day",
            field="lunch_latest",
        )
    window = minutes_of(lunch_latest) - minutes_of(lunch_earliest)
    if not 0 <= lunch_minutes <= window:
        raise DomainError(
            f"The lunch break must fit inside the lunch window ({window} minutes)",
            field="lunch_minutes",
        )
    if not 0 <= peer_buffer_minutes <= 120:
        raise DomainError(
            "The break between a peer's sessions can be 0 to 120 minutes",
            field="peer_buffer_minutes",
        )
    if max_sessions_per_day is not None and not 1 <= max_sessions_per_day <= 20:
        raise DomainError(
            "Enter a number of sessions from 1 to 20, or leave it blank for no limit",
            field="max_sessions_per_day",
        )
    _check_fixed_meetings_stay_on_the_grid(
        diagnostic, day_start=day_start, day_end=day_end, slot_minutes=slot_minutes
    )
    with transaction.atomic():
        claim(timetable, version=version, by=by, noun="the week's settings")
        timetable.day_start, timetable.day_end = day_start, day_end
        timetable.slot_minutes = slot_minutes
        timetable.lunch_earliest, timetable.lunch_latest = lunch_earliest, lunch_latest
        timetable.lunch_minutes = lunch_minutes
        timetable.peer_buffer_minutes = peer_buffer_minutes
        timetable.max_sessions_per_day = max_sessions_per_day
        timetable.save(update_fields=with_version_fields([*WEEK_SETTINGS, "updated_at"]))
        audit.record(diagnostic, by=by, action="timetable", summary="Changed the week's settings")


def ordered(sessions: Iterable[Session]) -> list[Session]:
    """Sessions in the order of the week: placed ones by day and time, then the rest."""

    def key(s: Session) -> tuple[Any, ...]:
        return (
            s.day is None,
            s.day or 0,
            s.start or time(0),
            s.fixed_day or 0,
            s.fixed_start or time(0),
            s.title,
            s.pk,
        )

    return sorted(sessions, key=key)
