"""The scheduler's problem, built from the database in the shared format (timetable-format.md).

Ids in the problem are the public codes: sessions by Session.code, peers by TeamMember.code and
council attendees by Attendee.code. Days are the seven delivery dates; interviews and focus
groups are kept to days 1-5 and fixed meetings sit where they are fixed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import time
from typing import Any

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.timetable.solver import PROBLEM_FORMAT, Problem, parse_problem

from ..enums import HEARING_DAYS, MEETING_TYPES, SessionStatus, SessionType
from ..models import Availability, Session, Timetable, TimetableVersion
from .week import day_dates, delivery_members, timetable_for

KIND = {
    SessionType.INTERVIEW: "interview",
    SessionType.FOCUS_GROUP: "focus_group",
    SessionType.CASE_DISCUSSION: "interview",
    SessionType.PRACTITIONER: "interview",
}


def hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def planned_sessions(diagnostic: Diagnostic) -> list[Session]:
    """Every session that is not cancelled, with what the problem and the pages need."""
    return list(
        Session.objects.filter(diagnostic=diagnostic)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("chair__person")
        .prefetch_related("attendees", "required_peers", "eligible_peers", "peers", "kloes")
        .order_by("fixed_day", "fixed_start", "title", "pk")
    )


def visible_sessions(sessions: list[Session], *, internal: bool) -> list[Session]:
    """The sessions a reader may see: without internal ones unless they may see those."""
    return sessions if internal else [s for s in sessions if not s.internal_only]


def _week(t: Timetable, dates: dict[int, Any]) -> dict[str, Any]:
    return {
        "days": [dates[n].isoformat() for n in sorted(dates)],
        "day_start": hhmm(t.day_start),
        "day_end": hhmm(t.day_end),
        "slot_minutes": t.slot_minutes,
        "lunch": {
            "earliest": hhmm(t.lunch_earliest),
            "latest": hhmm(t.lunch_latest),
            "minutes": t.lunch_minutes,
        },
    }


def _people(
    diagnostic: Diagnostic, members: list[TeamMember], t: Timetable, dates: dict[int, Any]
) -> list[dict[str, Any]]:
    windows: dict[tuple[str, int], list[Availability]] = defaultdict(list)
    for w in Availability.objects.filter(diagnostic=diagnostic).order_by("day", "start"):
        if w.day not in dates:
            continue
        if w.attendee_id:
            windows[("a", w.attendee_id)].append(w)
        elif w.member_id:
            windows[("m", w.member_id)].append(w)

    def window(w: Availability) -> dict[str, str]:
        return {"day": dates[w.day].isoformat(), "start": hhmm(w.start), "end": hhmm(w.end)}

    people: list[dict[str, Any]] = []
    for m in members:
        entry: dict[str, Any] = {
            "id": m.code,
            "name": m.person.full_name,
            "side": "peer",
            "role": m.role,
        }
        if t.max_sessions_per_day:
            entry["max_sessions_per_day"] = t.max_sessions_per_day
        off = [window(w) for w in windows[("m", m.pk)] if not w.available]
        if off:
            entry["unavailable"] = off
        people.append(entry)
    for a in diagnostic.attendees.all().order_by("group", "name", "pk"):
        entry = {"id": a.code, "name": a.name, "side": "council", "group": a.group or "Other"}
        mine = windows[("a", a.pk)]
        if a.availability_given:
            entry["available"] = [window(w) for w in mine if w.available]
        off = [window(w) for w in mine if not w.available]
        if off:
            entry["unavailable"] = off
        people.append(entry)
    return people


def window_id(s: Session) -> str:
    """The id of the stand-in attendee that holds a session to its earliest start."""
    return f"{s.code}from"


def window_name(s: Session) -> str:
    assert s.earliest_start is not None
    # No title here: exports scrub session titles, and this name is not one.
    return f"The session's earliest start ({hhmm(s.earliest_start)})"


def _windows(t: Timetable, sessions: list[Session], dates: dict[int, Any]) -> list[dict[str, Any]]:
    """A session's earliest start, said in the shared format without changing it: a stand-in
    council attendee of that session alone, available from the earliest start to the end of
    each day. The scheduler and the checker then keep the session inside that window."""
    out: list[dict[str, Any]] = []
    for s in sessions:
        if s.earliest_start is None or s.earliest_start <= t.day_start:
            continue
        out.append(
            {
                "id": window_id(s),
                "name": window_name(s),
                "side": "council",
                "group": "Earliest start",
                "available": [
                    {
                        "day": dates[n].isoformat(),
                        "start": hhmm(s.earliest_start),
                        "end": hhmm(t.day_end),
                    }
                    for n in sorted(dates)
                    if s.earliest_start < t.day_end
                ],
            }
        )
    return out


def _session(
    s: Session,
    members: list[TeamMember],
    peer_ids: set[str],
    dates: dict[int, Any],
    windowed: set[str] | None = None,
) -> dict[str, Any]:
    required = [m.code for m in s.required_peers.all() if m.code in peer_ids]
    if s.whole_team:
        required = [m.code for m in members]
        need = len(required)
    else:
        need = max(s.peers_needed, len(required))
    eligible = None
    if s.restrict_peers and not s.whole_team:
        eligible = [m.code for m in s.eligible_peers.all() if m.code in peer_ids]
        eligible = list(dict.fromkeys(eligible + required))
    days = None
    if s.type not in MEETING_TYPES:
        allowed = [n for n in (s.allowed_days or HEARING_DAYS) if n in HEARING_DAYS]
        days = [dates[n].isoformat() for n in allowed if n in dates]
    fixed = None
    if s.fixed_day and s.fixed_start and s.fixed_day in dates:
        fixed = {"day": dates[s.fixed_day].isoformat(), "start": hhmm(s.fixed_start)}
    return {
        "id": s.code,
        "title": s.title,
        "kind": KIND.get(SessionType(s.type), "meeting"),
        "minutes": s.minutes,
        "attendees": [a.code for a in s.attendees.all()]
        + ([window_id(s)] if window_id(s) in (windowed or set()) else []),
        "peers_needed": need,
        "required_peers": required,
        "eligible_peers": eligible,
        "priority": s.priority,
        "days": days,
        "fixed": fixed,
    }


def latest_version(diagnostic: Diagnostic) -> TimetableVersion | None:
    return TimetableVersion.objects.filter(diagnostic=diagnostic).order_by("-number").first()


def build_problem(
    diagnostic: Diagnostic,
    *,
    sessions: list[Session] | None = None,
    with_previous: bool = True,
) -> dict[str, Any]:
    """The problem for the diagnostic's week as a JSON-ready dict.

    With `with_previous`, the latest published version's placements of sessions that still
    exist become `previous`, so a re-plan moves as little as it can.
    Raises DomainError when day 1 is not set or nobody from the team takes part.
    """
    dates = day_dates(diagnostic)
    if not dates:
        raise DomainError("Set delivery day 1 before planning the week", field="day1")
    t = timetable_for(diagnostic)
    members = delivery_members(diagnostic)
    if not members:
        raise DomainError("Add the peer team before planning the week", field="team")
    if sessions is None:
        sessions = planned_sessions(diagnostic)
    peer_ids = {m.code for m in members}
    windows = _windows(t, sessions, dates)
    windowed = {w["id"] for w in windows}
    doc: dict[str, Any] = {
        "format": PROBLEM_FORMAT,
        "week": _week(t, dates),
        "rules": {"peer_buffer_minutes": t.peer_buffer_minutes},
        "people": _people(diagnostic, members, t, dates) + windows,
        "sessions": [_session(s, members, peer_ids, dates, windowed) for s in sessions],
    }
    if with_previous:
        doc["previous"] = previous_entries(diagnostic, doc)
    return doc


def previous_entries(diagnostic: Diagnostic, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The published placements that still make sense for `doc` (sessions and peers that exist)."""
    version = latest_version(diagnostic)
    if version is None:
        return []
    sessions = {s["id"] for s in doc["sessions"]}
    peers = {p["id"] for p in doc["people"] if p["side"] == "peer"}
    days = set(doc["week"]["days"])
    out = []
    for a in version.solution.get("assignments", []):
        if a["session"] in sessions and a["day"] in days and set(a["peers"]) <= peers:
            out.append(
                {"session": a["session"], "day": a["day"], "start": a["start"], "peers": a["peers"]}
            )
    return out


def problem_for(diagnostic: Diagnostic, **kwargs: Any) -> Problem:
    """The parsed problem; a problem the format refuses is reported as one DomainError."""
    from peerdiag.timetable.solver import ProblemError

    doc = build_problem(diagnostic, **kwargs)
    try:
        return parse_problem(doc)
    except ProblemError as exc:
        lines = []
        for path, message in exc.errors:
            m = re.match(r"\$\.(sessions|people)\[(\d+)\]", path)
            if m:
                item = doc[m.group(1)][int(m.group(2))]
                label = item.get("title") or item.get("name") or item.get("id")
                lines.append(f"‘{label}’: {message}")
            else:
                lines.append(f"{path}: {message}")
        raise DomainError(
            "The week cannot be timetabled as it stands: " + "; ".join(lines)
        ) from exc
