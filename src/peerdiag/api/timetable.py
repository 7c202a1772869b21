"""The delivery-week timetable over HTTP: sessions, their attendees, availability, generate runs,
publishing and the published versions.

The same rules as the timetable pages (web/views/timetable.py, schedule.py, attendees.py):
everyone who may see the diagnostic reads the week (`timetable.view`); the PCM, LGA
administrators and the council's organiser plan and publish it (`timetable.plan`,
`timetable.publish`). Sessions private to the peer team (peer team meetings, drafting) never
reach a reader without `timetable.view_internal`: every list and every published version goes
through the same filters as the pages, and such a session's code is a 404 to them.
Every change is one call to the same domain function the page calls.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from typing import Any

from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import PathEx, Query, Router, Status
from ninja.params import P

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.models import Job
from peerdiag.common.models import JobState as RunState
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.timetable.domain.attendees import Window, set_availability
from peerdiag.timetable.domain.generate import (
    cancel_generation,
    job_view,
    latest_run,
    start_generation,
)
from peerdiag.timetable.domain.past import past_changed_sessions
from peerdiag.timetable.domain.problem import (
    hhmm,
    latest_version,
    planned_sessions,
    visible_sessions,
)
from peerdiag.timetable.domain.runs import KIND as RUN_KIND
from peerdiag.timetable.domain.sessions import (
    SessionDetails,
    add_session,
    cancel_session,
    ordered,
    update_session,
)
from peerdiag.timetable.domain.versions import (
    PublishedSince,
    changes_between,
    planned_e_mails,
    publish,
    publish_blockers,
    snapshot,
    snapshot_days,
    visible_changes,
)
from peerdiag.timetable.domain.week import day_dates, delivery_members
from peerdiag.timetable.domain.week_shape import week_shape
from peerdiag.timetable.enums import INTERNAL_TYPES, JobState, SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Availability, Session, TimetableVersion

from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    SAME_REF,
    WRITE_ERRORS,
    Code,
    IfVersion,
    Ref,
    caller,
    diagnostic_for,
    links,
)
from .schemas.common import Message
from .schemas.timetable import (
    AttendeeOut,
    AvailabilityIn,
    AvailabilityOut,
    PublishIn,
    PublishPreviewOut,
    ResultOut,
    RunIn,
    RunOut,
    SessionAttendeeIn,
    SessionChangedOut,
    SessionCreate,
    SessionDetailOut,
    SessionFilters,
    SessionOut,
    SessionPatch,
    SessionRemovedOut,
    VersionOut,
    VersionSummaryOut,
)

router = Router(tags=["timetable"])

VIEW = "timetable.view"
INTERNAL = "timetable.view_internal"
PLAN = "timetable.plan"
PUBLISH = "timetable.publish"

T = "/diagnostics/{ref}/timetable"
NEW_SESSION = {"ref": SAME_REF, "code": "$response.body#/code"}
NEW_RUN = {"ref": SAME_REF, "code": "$response.body#/code"}
NEW_VERSION = {"ref": SAME_REF, "number": "$response.body#/number"}
# A run's result is read once it is done, and only while it is the week's latest run.
RESULT_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: Message, 409: Message}
PLAN_READ_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: Message}
PRIVATE = "Only the LGA and the peer team can see or make sessions private to the peer team"

Number = PathEx[int, P(ge=1, le=2_147_483_647, description="The published version's number")]


def _internal(user: User, d: Diagnostic) -> bool:
    return user.has_perm(INTERNAL, d)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _at(value: time | None) -> str | None:
    return hhmm(value) if value is not None else None


def _peer(m: TeamMember) -> dict[str, str]:
    return {
        "code": m.code,
        "name": m.person.full_name,
        "role": m.role,
        "role_label": _label(TeamRole, m.role),
    }


def _attendee(a: Attendee) -> dict[str, Any]:
    return {
        "code": a.code,
        "name": a.name,
        "job_title": a.job_title,
        "email": a.email,
        "group": a.group,
        "young_person": a.young_person,
    }


# --- Sessions -----------------------------------------------------------------------------


def _sessions(d: Diagnostic) -> Any:
    return (
        Session.objects.filter(diagnostic=d)
        .select_related("chair")
        .prefetch_related(
            "attendees",
            "kloes",
            "required_peers",
            Prefetch("peers", queryset=TeamMember.objects.select_related("person")),
        )
    )


def _session(user: User, d: Diagnostic, code: str, *, live: bool = False) -> Session:
    """The diagnostic's session `code`: 404 if there is none, if the caller may not see the
    team's private sessions and it is one, or (with `live`) if it has been cancelled."""
    s = _sessions(d).filter(code=code).first()
    if s is None or (s.internal_only and not _internal(user, d)):
        raise Http404("No such session")
    if live and s.status == SessionStatus.CANCELLED:
        raise Http404("No such session")
    s.diagnostic = d  # the permission-checked copy
    return s


def _session_row(s: Session, dates: dict[int, date]) -> dict[str, Any]:
    placed = s.placed
    return {
        "code": s.code,
        "title": s.title,
        "type": s.type,
        "type_label": _label(SessionType, s.type),
        "status": s.status,
        "status_label": _label(SessionStatus, s.status),
        "priority": s.priority,
        "minutes": s.minutes,
        "group": s.group,
        "internal_only": s.internal_only,
        "placed": placed,
        "day": s.day if placed else None,
        "date": dates.get(s.day) if placed and s.day is not None else None,
        "start": _at(s.start) if placed else None,
        "end": _at(s.end) if placed else None,
        "unscheduled_reason": "" if placed else s.unscheduled_reason,
        "peers": [_peer(m) for m in sorted(s.peers.all(), key=lambda m: m.person.full_name)],
        "attendees_count": len(s.attendees.all()),
        "version": s.version,
    }


def _session_detail(s: Session, *, planner: bool) -> dict[str, Any]:
    """The session in full; its notes and the supporting adult's name only for those who plan
    the week (the pages show them on the change form alone)."""
    return {
        **_session_row(s, day_dates(s.diagnostic)),
        "kloes": [k.code for k in sorted(s.kloes.all(), key=lambda k: k.order)],
        "attendees": [_attendee(a) for a in sorted(s.attendees.all(), key=lambda a: a.name)],
        "head_count": s.head_count,
        "peers_needed": s.peers_needed,
        "whole_team": s.whole_team,
        "required_peers": [m.code for m in s.required_peers.all()],
        "allowed_days": list(s.allowed_days or []),
        "fixed_day": s.fixed_day,
        "fixed_start": _at(s.fixed_start),
        "presentation_minutes": s.presentation_minutes,
        "platform_link": s.platform_link,
        "young_people": s.young_people,
        "supporting_adult": s.supporting_adult if planner else None,
        "consent_recorded_on": s.consent_recorded_on if planner else None,
        "consent_missing": s.young_people and not s.consent_recorded_on,
        "notes": s.notes if planner else None,
        "roles": list(s.roles or []),
        "earliest_start": _at(s.earliest_start),
        "chair": s.chair.code if s.chair is not None else None,
    }


def _fresh(user: User, d: Diagnostic, code: str) -> dict[str, Any]:
    return _session_detail(_session(user, d, code), planner=user.has_perm(PLAN, d))


@router.get(
    T + "/sessions",
    response={200: list[SessionOut], **READ_ERRORS},
    url_name="timetable_session_list",
    operation_id="listSessions",
    summary="The week's sessions with their draft placement: placed ones by day and time first",
)
def session_list(request: HttpRequest, ref: Ref, filters: Query[SessionFilters]) -> Any:
    """Without the peer team's private sessions for the council; cancelled ones only on request."""
    user = caller(request)
    d = diagnostic_for(request, ref, VIEW)
    found = _sessions(d)
    if not filters.include_cancelled:
        found = found.exclude(status=SessionStatus.CANCELLED)
    if not _internal(user, d):
        found = found.exclude(internal_only=True)
    dates = day_dates(d)
    return [_session_row(s, dates) for s in ordered(found)]


@router.get(
    T + "/sessions/{code}",
    response={200: SessionDetailOut, **READ_ERRORS},
    url_name="timetable_session_detail",
    operation_id="getSession",
    summary="One session: what it is, who is in it, and where the draft places it",
)
def session_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """404 for a private session of the peer team, to the council."""
    user = caller(request)
    return _fresh(user, diagnostic_for(request, ref, VIEW), code)


def _pick(codes: list[str], found: dict[str, Any], field: str, what: str) -> Any:
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(f"No {what} of this diagnostic has the code {missing[0]}", field=field)
    return tuple(found[c] for c in dict.fromkeys(codes))


def _time(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


def _details(
    user: User, d: Diagnostic, given: dict[str, Any], base: SessionDetails
) -> SessionDetails:
    """`base` with the fields the caller sent, codes turned into this diagnostic's objects.
    As on the page, only those who may see private sessions choose a private type or mark a
    session private."""
    internal = _internal(user, d)
    if not internal and given.get("type") in INTERNAL_TYPES:
        raise DomainError(PRIVATE, field="type")
    if not internal and "internal_only" in given:
        raise DomainError(PRIVATE, field="internal_only")
    members = {m.code: m for m in delivery_members(d)}
    out: dict[str, Any] = {}
    for name, value in given.items():
        if name == "kloes":
            value = _pick(value, {k.code: k for k in d.kloes.all()}, name, "line of enquiry")
        elif name == "attendees":
            people = {a.code: a for a in Attendee.objects.filter(diagnostic=d)}
            value = _pick(value, people, name, "attendee")
        elif name == "required_peers":
            value = _pick(value, members, name, "peer in the delivery week")
        elif name == "chair":
            value = None if value is None else _pick([value], members, name, "peer")[0]
        elif name in ("fixed_start", "earliest_start"):
            value = _time(value)
        elif name in ("allowed_days", "roles"):
            value = tuple(value)
        elif name in ("group", "platform_link", "supporting_adult", "notes") and value is None:
            value = ""
        out[name] = value
    return replace(base, **out)


@router.post(
    T + "/sessions",
    response={201: SessionDetailOut, **WRITE_ERRORS},
    url_name="timetable_session_create",
    operation_id="addSession",
    summary="Add an interview, focus group or meeting to the week (not placed yet)",
    openapi_extra=links(201, getSession=NEW_SESSION, updateSession=NEW_SESSION),
)
def session_create(request: HttpRequest, ref: Ref, payload: SessionCreate) -> Any:
    """Fields left out take the page's defaults: two peers for interviews and focus groups,
    after school for children and young people, the lead peer chairing peer team meetings."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    given = payload.model_dump(exclude_unset=True)
    base = SessionDetails(type=payload.type, title=payload.title)
    s = add_session(d, by=user, details=_details(user, d, given, base))
    return Status(201, _fresh(user, d, s.code))


@router.patch(
    T + "/sessions/{code}",
    response={200: SessionChangedOut, **EDIT_ERRORS},
    url_name="timetable_session_update",
    operation_id="updateSession",
    summary="Change a session; send its version and only the fields to change",
)
def session_update(request: HttpRequest, ref: Ref, code: Code, payload: SessionPatch) -> Any:
    """A placed session whose change breaks a rule of the draft is taken out of it
    (`taken_out`), as on the page."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    s = _session(user, d, code, live=True)
    given = payload.model_dump(exclude_unset=True, exclude={"version"})
    details = _details(user, d, given, SessionDetails.of(s))
    taken_out = update_session(s, by=user, details=details, version=payload.version)
    return {**_fresh(user, d, code), "taken_out": taken_out}


@router.delete(
    T + "/sessions/{code}",
    response={200: SessionRemovedOut, **EDIT_ERRORS},
    url_name="timetable_session_delete",
    operation_id="removeSession",
    summary="Remove a session: deleted, or cancelled if people were told about it",
)
def session_delete(request: HttpRequest, ref: Ref, code: Code, version: IfVersion = None) -> Any:
    """With `?version=`, only if the session is unchanged since (else 409)."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    s = _session(user, d, code, live=True)
    title = s.title
    if cancel_session(s, by=user, version=version):
        return {"outcome": "deleted", "message": f"‘{title}’ removed"}
    return {
        "outcome": "cancelled",
        "message": f"‘{title}’ cancelled: people are told when the timetable is next published",
    }


# --- A session's attendees ----------------------------------------------------------------


@router.get(
    T + "/sessions/{code}/attendees",
    response={200: list[AttendeeOut], **READ_ERRORS},
    url_name="timetable_session_attendee_list",
    operation_id="listSessionAttendees",
    summary="Who from the council or its partners takes part in a session",
)
def session_attendee_list(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """By name; a child or young person is marked `young_person`."""
    s = _session(caller(request), diagnostic_for(request, ref, VIEW), code)
    return [_attendee(a) for a in sorted(s.attendees.all(), key=lambda a: a.name)]


def _change_attendees(
    user: User, d: Diagnostic, s: Session, version: int | None, change: Any
) -> list[dict[str, Any]]:
    """One update_session with the session's attendees changed by `change`; the attendees
    after it."""
    code = s.code
    details = SessionDetails.of(s)
    update_session(
        s, by=user, details=replace(details, attendees=change(details.attendees)), version=version
    )
    s = _session(user, d, code)
    return [_attendee(a) for a in sorted(s.attendees.all(), key=lambda a: a.name)]


@router.post(
    T + "/sessions/{code}/attendees",
    response={200: list[AttendeeOut], **EDIT_ERRORS},
    url_name="timetable_session_attendee_add",
    operation_id="addSessionAttendee",
    summary="Put an attendee in a session; send the session's version",
)
def session_attendee_add(
    request: HttpRequest, ref: Ref, code: Code, payload: SessionAttendeeIn
) -> Any:
    """Answers with the session's attendees. Adding someone already in it changes nothing
    but the session's version."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    s = _session(user, d, code, live=True)
    person = Attendee.objects.filter(diagnostic=d, code=payload.attendee).first()
    if person is None:
        raise DomainError("No attendee of this diagnostic has this code", field="attendee")
    return _change_attendees(user, d, s, payload.version, lambda now: (*now, person))


@router.delete(
    T + "/sessions/{code}/attendees/{attendee}",
    response={200: list[AttendeeOut], **EDIT_ERRORS},
    url_name="timetable_session_attendee_remove",
    operation_id="removeSessionAttendee",
    summary="Take an attendee out of a session",
)
def session_attendee_remove(
    request: HttpRequest, ref: Ref, code: Code, attendee: Code, version: IfVersion = None
) -> Any:
    """404 if they are not in it. With `?version=` (the session's), only if it is unchanged
    since (else 409). Answers with the attendees left."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    s = _session(user, d, code, live=True)
    if not any(a.code == attendee for a in s.attendees.all()):
        raise Http404("Not in this session")
    return _change_attendees(
        user, d, s, version, lambda now: tuple(a for a in now if a.code != attendee)
    )


# --- Attendees and availability -----------------------------------------------------------


def _window(w: Any, dates: dict[int, date]) -> dict[str, Any]:
    return {"day": w.day, "date": dates.get(w.day), "start": hhmm(w.start), "end": hhmm(w.end)}


def _attendees(d: Diagnostic) -> Any:
    return (
        Attendee.objects.filter(diagnostic=d)
        .annotate(session_count=Count("sessions", distinct=True))
        .prefetch_related(Prefetch("windows", queryset=Availability.objects.filter(available=True)))
        .order_by("group", "name", "pk")
    )


@router.get(
    T + "/attendees",
    response={200: list[AttendeeOut], **READ_ERRORS},
    url_name="timetable_attendee_list",
    operation_id="listAttendees",
    summary="Everyone from the council and its partners taking part, by group and name",
)
def attendee_list(request: HttpRequest, ref: Ref) -> Any:
    """Everyone who may see the week reads this, as on the attendees page."""
    d = diagnostic_for(request, ref, VIEW)
    return [_attendee(a) for a in Attendee.objects.filter(diagnostic=d).order_by("group", "name")]


def _availability(d: Diagnostic) -> dict[str, Any]:
    dates = day_dates(d)
    members = delivery_members(d)
    off: dict[int, list[Availability]] = {}
    for w in Availability.objects.filter(diagnostic=d, member__isnull=False, available=False):
        off.setdefault(w.member_id or 0, []).append(w)
    return {
        "attendees": [
            {
                "attendee": _attendee(a),
                "all_week": not a.availability_given,
                "windows": [_window(w, dates) for w in a.windows.all()]
                if a.availability_given
                else [],
                "sessions": a.session_count,
                "version": a.version,
            }
            for a in _attendees(d)
        ],
        "peers": [
            {
                "peer": _peer(m),
                "not_available": [_window(w, dates) for w in off.get(m.pk, [])],
                "version": m.version,
            }
            for m in members
        ],
    }


@router.get(
    T + "/availability",
    response={200: AvailabilityOut, **READ_ERRORS},
    url_name="timetable_availability",
    operation_id="getAvailability",
    summary="When each attendee is free and when each peer is not, for the whole week",
)
def availability(request: HttpRequest, ref: Ref) -> Any:
    """Attendees are free all week unless `windows` are given; peers are free except when
    `not_available`."""
    return _availability(diagnostic_for(request, ref, VIEW))


@router.put(
    T + "/availability/{code}",
    response={200: AvailabilityOut, **EDIT_ERRORS},
    url_name="timetable_availability_set",
    operation_id="setAvailability",
    summary="Replace one attendee's free times, or one peer's times away",
)
def availability_set(request: HttpRequest, ref: Ref, code: Code, payload: AvailabilityIn) -> Any:
    """`code` is an attendee's or a delivery peer's team place. As on the page, only those who
    plan the week change it (a peer asks them). `version` is the attendee's or place's."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    owner: Attendee | TeamMember | None = Attendee.objects.filter(diagnostic=d, code=code).first()
    if owner is None:
        owner = next((m for m in delivery_members(d) if m.code == code), None)
    if owner is None:
        raise Http404("No such person")
    owner.diagnostic = d
    windows = [Window(w.day, _time(w.start), _time(w.end)) for w in payload.windows]  # type: ignore[arg-type]
    set_availability(
        owner, by=user, windows=None if payload.all_week else windows, version=payload.version
    )
    return _availability(d)


# --- Published versions -------------------------------------------------------------------


def _count(snap: dict[str, Any], internal: bool) -> int:
    return sum(1 for s in snap.get("sessions", []) if internal or not s.get("internal"))


def _summary(v: TimetableVersion, internal: bool) -> dict[str, Any]:
    return {
        "number": v.number,
        "published_at": v.published_at,
        "published_by": str(v.published_by) if v.published_by else None,
        "note": v.note,
        "sessions": _count(v.snapshot or {}, internal),
        "agreed_at": v.agreed_at,
        "agreed_as": v.agreed_as,
    }


def _published_session(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": s["code"],
        "title": s["title"],
        "type": s.get("type", ""),
        "type_label": _label(SessionType, s.get("type", "")),
        "start": s["start"],
        "end": s["end"],
        "peers": [{"code": p["code"], "name": p["name"]} for p in s.get("peers", [])],
        "attendees": [
            {
                "code": a["code"],
                "name": a["name"],
                "group": a.get("group", ""),
                "young_person": bool(a.get("young")),
            }
            for a in s.get("attendees", [])
        ],
        "group": s.get("group", ""),
        "chair": s.get("chair"),
        "link": s.get("link", ""),
        "kloes": list(s.get("kloes", [])),
    }


def _version(d: Diagnostic, v: TimetableVersion, internal: bool) -> dict[str, Any]:
    """A published version as the version page shows it to this reader."""
    previous = (
        TimetableVersion.objects.filter(diagnostic=d, number__lt=v.number)
        .order_by("-number")
        .first()
    )
    old = previous.snapshot if previous else None
    changes = visible_changes(changes_between(old, v.snapshot), old, v.snapshot, internal=internal)
    return {
        **_summary(v, internal),
        "previous": previous.number if previous else None,
        "changes": [_change(c) for c in changes],
        "days": [
            {"day": n, "date": on, "sessions": [_published_session(s) for s in sessions]}
            for n, on, sessions in snapshot_days(v.snapshot, internal=internal)
        ],
    }


def _versions(d: Diagnostic) -> Any:
    return TimetableVersion.objects.filter(diagnostic=d).select_related("published_by")


@router.get(
    T + "/versions",
    response={200: list[VersionSummaryOut], **READ_ERRORS},
    url_name="timetable_version_list",
    operation_id="listTimetableVersions",
    summary="Every published version of the week, newest first",
)
def version_list(request: HttpRequest, ref: Ref) -> Any:
    """`sessions` counts only those the caller may see."""
    d = diagnostic_for(request, ref, VIEW)
    internal = _internal(caller(request), d)
    return [_summary(v, internal) for v in _versions(d).order_by("-number")]


@router.get(
    T + "/versions/latest",
    response={200: VersionOut, **READ_ERRORS},
    url_name="timetable_version_latest",
    operation_id="getLatestTimetableVersion",
    summary="The latest published week, day by day (404 before anything is published)",
)
def version_latest(request: HttpRequest, ref: Ref) -> Any:
    """What a council's own tools read: the week as published, day by day."""
    d = diagnostic_for(request, ref, VIEW)
    v = _versions(d).order_by("-number").first()
    if v is None:
        raise Http404("Nothing is published yet")
    return _version(d, v, _internal(caller(request), d))


@router.get(
    T + "/versions/{number}",
    response={200: VersionOut, **READ_ERRORS},
    url_name="timetable_version_detail",
    operation_id="getTimetableVersion",
    summary="One published version: its sessions day by day and what changed from the one before",
)
def version_detail(request: HttpRequest, ref: Ref, number: Number) -> Any:
    """The changes leave out the peer team's private sessions for the council."""
    d = diagnostic_for(request, ref, VIEW)
    v = _versions(d).filter(number=number).first()
    if v is None:
        raise Http404("No such version")
    return _version(d, v, _internal(caller(request), d))


def _change(c: Any) -> dict[str, Any]:
    return {"kind": c.kind, "code": c.code, "title": c.title, "details": list(c.details)}


@router.get(
    T + "/publish",
    response={200: PublishPreviewOut, **PLAN_READ_ERRORS},
    url_name="timetable_publish_preview",
    operation_id="previewTimetablePublish",
    summary="What publishing now would do: what stands in the way, the changes, the e-mails",
)
def timetable_publish_preview(request: HttpRequest, ref: Ref) -> Any:
    """The publish page's checks, without publishing. Send `version` back to publish."""
    user = caller(request)
    d = diagnostic_for(request, ref, PUBLISH)
    internal = _internal(user, d)
    sessions = planned_sessions(d)
    latest = latest_version(d)
    old = latest.snapshot if latest else None
    draft = snapshot(d, sessions)
    try:
        blockers = publish_blockers(d, sessions, show_internal=internal)
    except DomainError as e:
        blockers = [e.message]
    past = past_changed_sessions(d, sessions, today=timezone.localdate(), show_internal=internal)
    return {
        "version": latest.number if latest else 0,
        "blockers": blockers,
        "changes": [
            _change(c)
            for c in visible_changes(changes_between(old, draft), old, draft, internal=internal)
        ],
        "e_mails": len(planned_e_mails(d, sessions)),
        "past": [{"code": p.code, "title": p.title, "when": p.when} for p in past],
    }


@router.post(
    T + "/publish",
    response={201: VersionOut, **EDIT_ERRORS},
    url_name="timetable_publish",
    operation_id="publishTimetable",
    summary="Publish the draft as the next version and send the invitations and updates",
    openapi_extra=links(201, getTimetableVersion=NEW_VERSION),
)
def timetable_publish(request: HttpRequest, ref: Ref, payload: PublishIn) -> Any:
    """The page's checks: refused (400) while the draft breaks a rule or a session with
    children or young people lacks its supporting adult or consent, when nothing changed, and
    (on `past_confirmed`) while new or changed sessions in the past are not confirmed.
    `version` is the latest version number you read: 409 if someone published since."""
    user = caller(request)
    d = diagnostic_for(request, ref, PUBLISH)
    internal = _internal(user, d)
    past = past_changed_sessions(
        d, planned_sessions(d), today=timezone.localdate(), show_internal=internal
    )
    if past and not payload.past_confirmed:
        raise DomainError(
            "Some sessions are in the past: confirm that they are published as a record, "
            "with no e-mails",
            field="past_confirmed",
        )
    try:
        version = publish(
            d, by=user, note=payload.note, show_internal=internal, read_number=payload.version
        )
    except PublishedSince as stale:
        return Status(409, _stale_publish(stale.latest))
    return Status(201, _version(d, version, internal))


def _stale_publish(latest: TimetableVersion | None) -> dict[str, Any]:
    if latest is None:
        message = "Nothing is published yet: send version 0"
        return {
            "detail": [{"field": "version", "message": message}],
            "current_version": 0,
            "changed_by": "",
            "changed_at": None,
        }
    who = str(latest.published_by) if latest.published_by else "Someone"
    when = timezone.localtime(latest.published_at)
    return {
        "detail": [
            {
                "field": "version",
                "message": f"{who} published version {latest.number} at {when:%H:%M} on "
                f"{when.day} {when:%B %Y}, after the version you read, so nothing has been "
                "published. Read the latest version and the draft again, then publish if you "
                "still want to",
            }
        ],
        "current_version": latest.number,
        "changed_by": who,
        "changed_at": latest.published_at,
    }


# --- Generate runs ------------------------------------------------------------------------


def _run(d: Diagnostic, code: str) -> Job:
    run = Job.objects.filter(diagnostic=d, kind=RUN_KIND, code=code).first()
    if run is None:
        raise Http404("No such run")
    latest = latest_run(d)  # settles a run whose worker has gone, as the page does
    return latest if latest is not None and latest.pk == run.pk else run


def _percent(run: Job, seconds_left: int | None) -> int:
    if run.state == RunState.DONE:
        return 100
    if run.state == RunState.RUNNING and seconds_left is not None and run.time_limit:
        return max(0, min(99, round(100 * (run.time_limit - seconds_left) / run.time_limit)))
    return run.progress if run.state == RunState.FAILED else 0


def _run_out(run: Job) -> dict[str, Any]:
    view = job_view(run)
    return {
        "code": run.code,
        "state": view.state,
        "state_label": _label(JobState, view.state),
        "percent": _percent(run, view.seconds_left),
        "seconds_left": view.seconds_left,
        "best": view.best,
        "message": view.message,
        "log": view.log,
        "started_by": view.by,
        "started_at": view.started_at,
        "finished_at": view.finished_at,
    }


@router.post(
    T + "/runs",
    response={202: RunOut, **WRITE_ERRORS},
    url_name="timetable_run_start",
    operation_id="startTimetableRun",
    summary="Start generating the week in the background; answers at once with the run's code",
    openapi_extra=links(202, getTimetableRun=NEW_RUN, getTimetableRunResult=NEW_RUN),
)
def run_start(request: HttpRequest, ref: Ref, payload: RunIn) -> Any:
    """Refused (400) while another run is going, when the diagnostic has ended or when the
    week cannot be solved as it stands (the message says what to fix). Ask for the run's
    progress until it is done or failed; its result replaces the draft."""
    d = diagnostic_for(request, ref, PLAN)
    run = start_generation(d, by=caller(request), seconds=payload.seconds)
    return Status(202, _run_out(run))


@router.get(
    T + "/runs/{code}",
    response={200: RunOut, **PLAN_READ_ERRORS},
    url_name="timetable_run_detail",
    operation_id="getTimetableRun",
    summary="A generate run's progress: its state, how far through it is, the best so far",
)
def run_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """A run whose worker has gone is ended here with the reason, as on the page."""
    return _run_out(_run(diagnostic_for(request, ref, PLAN), code))


@router.get(
    T + "/runs/{code}/result",
    response={200: ResultOut, **RESULT_ERRORS},
    url_name="timetable_run_result",
    operation_id="getTimetableRunResult",
    summary="The week a finished run proposed: placed sessions, those left out, and its shape",
)
def run_result(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """The draft as it stands (the run's result, with any change made by hand since). 409
    while the run is going, if it failed, or once a newer run has replaced its result."""
    user = caller(request)
    d = diagnostic_for(request, ref, PLAN)
    run = _run(d, code)
    latest = latest_run(d)
    if run.state != RunState.DONE:
        if run.state == RunState.FAILED:
            return Status(409, {"detail": f"This run failed: {run.message}"})
        return Status(409, {"detail": "This run has not finished yet: ask again shortly"})
    if latest is not None and latest.pk != run.pk:
        return Status(409, {"detail": "A newer run has replaced this run's result"})
    internal = _internal(user, d)
    sessions = visible_sessions(planned_sessions(d), internal=internal)
    dates = day_dates(d)
    placed = ordered(s for s in sessions if s.placed)
    left = [s for s in sessions if not s.placed]
    shape = week_shape(sessions, dates)
    try:
        blockers = publish_blockers(d, planned_sessions(d), show_internal=internal)
    except DomainError as e:
        blockers = [e.message]
    return {
        "run": run.code,
        "finished_at": run.finished_at,
        "placed": len(placed),
        "left_out": len(left),
        "sessions": [_session_row(s, dates) for s in placed],
        "unplaced": [
            {"code": s.code, "title": s.title, "reason": s.unscheduled_reason} for s in left
        ],
        "days": [
            {"day": c.number, "date": c.when, "peer_minutes": c.minutes}
            for c in (shape.columns if shape else [])
        ],
        "summary": shape.sentence if shape else "Nothing is placed in the week",
        "publish_blockers": blockers,
    }


@router.delete(
    T + "/runs/{code}",
    response={200: RunOut, **{**WRITE_ERRORS, 409: Message}},
    url_name="timetable_run_cancel",
    operation_id="cancelTimetableRun",
    summary="Stop a run that is queued or going; the draft is left as it was",
)
def run_cancel(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """409 if the run has already ended (done, failed or cancelled)."""
    d = diagnostic_for(request, ref, PLAN)
    run = _run(d, code)
    if not cancel_generation(d, by=caller(request), run_code=run.code):
        return Status(409, {"detail": "This run has already ended, so there is nothing to stop"})
    return _run_out(_run(d, code))
