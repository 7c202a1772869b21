"""The draft timetable: reading it as a solution, applying a solver result, moving by hand.

A hand move is checked at once with the scheduler's own checker: it is refused if it breaks a
hard rule that the draft did not already break, and the refusal names what broke.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.timetable.solver import (
    SOLUTION_FORMAT,
    Problem,
    check_solution,
    parse_solution,
)
from peerdiag.timetable.solver import Session as SessionSpec

from ..enums import MEETING_TYPES
from ..models import Session
from .problem import build_problem, hhmm, minutes_of, planned_sessions, problem_for
from .runs import hold_week_against_runs, refuse_while_generating
from .week import check_day, day_dates, delivery_members


def draft_solution(diagnostic: Diagnostic, sessions: list[Session] | None = None) -> dict[str, Any]:
    """The draft placements as a solution document in the shared format."""
    dates = day_dates(diagnostic)
    if sessions is None:
        sessions = planned_sessions(diagnostic)
    assignments, unscheduled = [], []
    for s in sessions:
        if s.placed and s.day in dates:
            assert s.start is not None and s.end is not None
            assignments.append(
                {
                    "session": s.code,
                    "day": dates[s.day].isoformat(),
                    "start": hhmm(s.start),
                    "end": hhmm(s.end),
                    "peers": sorted(m.code for m in s.peers.all()),
                }
            )
        else:
            unscheduled.append(
                {"session": s.code, "reason": s.unscheduled_reason or "Not placed yet"}
            )
    return {"format": SOLUTION_FORMAT, "assignments": assignments, "unscheduled": unscheduled}


def _names(diagnostic: Diagnostic, sessions: list[Session]) -> dict[str, str]:
    names = {s.code: f"‘{s.title}’" for s in sessions}
    for m in delivery_members(diagnostic):
        names[m.code] = m.person.full_name
    for a in diagnostic.attendees.all():
        names[a.code] = a.name
    return names


def humanise(text: str, names: dict[str, str]) -> str:
    """Replace codes (quoted or bare) in a checker message by the names people know."""

    def swap(m: re.Match[str]) -> str:
        return names.get(m.group(1), m.group(0))

    text = re.sub(r"'([a-z0-9]+)'", swap, text)
    return re.sub(r"\b([23456789a-z]{10})\b", swap, text)


def violations(
    diagnostic: Diagnostic,
    problem: Problem | None = None,
    solution: dict[str, Any] | None = None,
    sessions: list[Session] | None = None,
    rename: dict[str, str] | None = None,
) -> list[str]:
    """The hard rules the draft breaks, in words (empty: the draft is valid).

    `rename` overrides how some codes are named (e.g. private sessions shown to the council).
    """
    if sessions is None:
        sessions = planned_sessions(diagnostic)
    if problem is None:
        problem = problem_for(diagnostic, sessions=sessions, with_previous=False)
    if solution is None:
        solution = draft_solution(diagnostic, sessions)
    report = check_solution(problem, parse_solution(solution))
    # People of the problem only (a session's earliest start) are named as the problem names them.
    names = {**{p.id: p.name for p in problem.people}, **_names(diagnostic, sessions)}
    names.update(rename or {})
    return [humanise(str(v), names) for v in report.violations]


def apply_solution(
    diagnostic: Diagnostic, solution: dict[str, Any], *, by: User | None, summary: str
) -> None:
    """Make `solution` the draft.

    Each session whose placement changes moves on to its next version (as changed by `by`), so
    a hand move or an edit opened before this is refused as stale rather than undoing it.
    Side effects: every planned session's placement and the changed ones' versions; audit entry.
    """
    dates = {d.isoformat(): n for n, d in day_dates(diagnostic).items()}
    members = {m.code: m for m in TeamMember.objects.filter(diagnostic=diagnostic)}
    placed = {a["session"]: a for a in solution.get("assignments", [])}
    reasons = {u["session"]: u["reason"] for u in solution.get("unscheduled", [])}
    with transaction.atomic():
        rows = Session.objects.filter(
            diagnostic=diagnostic, code__in=set(placed) | set(reasons)
        ).prefetch_related("peers")
        changed: list[int] = []
        for s in rows:
            was = (s.day, s.start, s.unscheduled_reason, {m.code for m in s.peers.all()})
            will: tuple[Any, ...]
            a = placed.get(s.code)
            if a is not None:
                h, m = (int(x) for x in a["start"].split(":"))
                will = (dates[a["day"]], time(h, m), "", {c for c in a["peers"] if c in members})
            else:
                will = (None, None, reasons.get(s.code, ""), set())
            if will != was:
                changed.append(s.pk)
            a = placed.get(s.code)
            if a is not None:
                h, m = (int(x) for x in a["start"].split(":"))
                s.day, s.start, s.unscheduled_reason = dates[a["day"]], time(h, m), ""
                s.save(update_fields=["day", "start", "unscheduled_reason", "updated_at"])
                s.peers.set([members[c] for c in a["peers"] if c in members])
            else:
                s.day = s.start = None
                s.unscheduled_reason = reasons.get(s.code, "")
                s.save(update_fields=["day", "start", "unscheduled_reason", "updated_at"])
                s.peers.clear()
        if changed:
            # One UPDATE for the run's internal write (the version=UNCHECKED kind of claim).
            Session.objects.filter(pk__in=changed).update(
                version=F("version") + 1,
                changed_by=by if by is not None and by.is_authenticated else None,
                changed_at=timezone.now(),
            )
        audit.record(diagnostic, by=by, action="timetable", summary=summary)


def _required_then_first_free(
    problem: Problem, spec: SessionSpec, members: dict[str, TeamMember]
) -> list[TeamMember]:
    """Peers for a session moved without any: its required peers, filled up with the first
    free ones in team order."""
    chosen = list(spec.required_peers)
    for code in problem.eligible_peers(spec):
        if len(chosen) >= spec.peers_needed:
            break
        if code not in chosen:
            chosen.append(code)
    return [members[c] for c in chosen if c in members]


def _draft_with_move(
    diagnostic: Diagnostic,
    sessions: list[Session],
    target: Session,
    *,
    day: int | None,
    start: time | None,
    peers: list[TeamMember],
) -> dict[str, Any]:
    """The draft as a solution document with `target` moved to `day` at `start` with
    `peers` (or, with day=None, taken out by hand)."""
    doc = draft_solution(diagnostic, sessions)
    doc["assignments"] = [a for a in doc["assignments"] if a["session"] != target.code]
    doc["unscheduled"] = [u for u in doc["unscheduled"] if u["session"] != target.code]
    if day is None:
        doc["unscheduled"].append({"session": target.code, "reason": "Taken out by hand"})
    else:
        assert start is not None
        end = minutes_of(start) + target.minutes
        doc["assignments"].append(
            {
                "session": target.code,
                "day": day_dates(diagnostic)[day].isoformat(),
                "start": hhmm(start),
                "end": f"{end // 60:02d}:{end % 60:02d}",
                "peers": sorted(m.code for m in peers),
            }
        )
    return doc


def move_session(
    session: Session,
    *,
    by: User | None,
    day: int | None,
    start: time | None,
    peers: list[TeamMember] | None = None,
    version: int | None,
) -> None:
    """Place `session` by hand (or take it out with day=None), checked by the scheduler's checker.

    Refused, with the broken rules named, if the move breaks any hard rule the draft did not
    already break; refused with StaleEdit (nothing moved) when the session changed after
    `version`, whether by a person or by a generate run that placed it, so a move made from an
    old page never undoes the newer placement. Refused while a generate run is going for the
    week (its result would put the session back). Side effects: the session's placement; audit
    entry.
    """
    diagnostic = session.diagnostic
    refuse_while_generating(diagnostic)
    if version is not None and not Session.objects.filter(pk=session.pk, version=version).exists():
        # Said before the rules are checked; versions only grow, so this raises StaleEdit.
        claim(session, version=version, by=by, noun="this session")
    if day is not None and start is None:
        raise DomainError("Enter a start time", field="start")
    check_day(day, hearing=session.type not in MEETING_TYPES)
    sessions = planned_sessions(diagnostic)
    target = next((s for s in sessions if s.pk == session.pk), None)
    if target is None:
        raise DomainError("A cancelled session cannot be placed")
    problem = problem_for(diagnostic, sessions=sessions, with_previous=False)
    before = set(violations(diagnostic, problem, sessions=sessions))
    members = {m.code: m for m in delivery_members(diagnostic)}
    if peers is None:
        peers = list(target.peers.all())
    spec = problem.session(target.code)
    if day is not None and not peers:
        peers = _required_then_first_free(problem, spec, members)
    doc = _draft_with_move(diagnostic, sessions, target, day=day, start=start, peers=peers)
    after = violations(diagnostic, problem, doc, sessions)
    new = [v for v in after if v not in before]
    if new:
        raise DomainError(
            "This move breaks the timetable's rules: " + "; ".join(new), field="start"
        )
    with transaction.atomic():
        hold_week_against_runs(diagnostic)
        claim(target, version=version, by=by, noun="this session")
        target.day, target.start = day, start if day is not None else None
        target.unscheduled_reason = "" if day is not None else "Taken out by hand"
        target.save(
            update_fields=with_version_fields(["day", "start", "unscheduled_reason", "updated_at"])
        )
        target.peers.set(peers if day is not None else [])
        where = f"to day {day} at {hhmm(start)}" if day is not None and start else "out of the week"
        audit.record(
            diagnostic, by=by, action="timetable", summary=f"Moved ‘{target.title}’ {where}"
        )


__all__ = ["apply_solution", "build_problem", "draft_solution", "move_session", "violations"]
