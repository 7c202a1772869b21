"""Destroying the delivery week's personal data on the destroy-by date (decision 9).

Schedule: the diagnostic's destroy-by date (30 days after written feedback is issued, or at once
when it is cancelled or closed), the same day as case content and peer notes. The week is long
over by then: nobody is invited, moved or rescheduled again.

What goes:
- attendees are anonymised, not deleted: sessions, groups and counts still hang off them, so
  each becomes "Attendee 7 (removed)" (numbered in the order they were added), with no e-mail
  address or job title; their stakeholder group and whether they were a child stay;
- every availability window (attendees' and peers');
- the record of invitations sent (names and addresses) and attendees' calendar feeds;
- sessions' notes, the supporting adult's name on children's sessions, and the reasons a
  session could not be placed (they name people);
- the generate runs' logs, best results and messages (their Job rows);
- in every published version: attendees' names and addresses, availability windows,
  supporting adults and reasons, replaced the same way.

What stays: sessions with their titles, times, groups, peers and attendee counts, so the grid,
the published versions and the coverage page still read; the audit trail records the run.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Q

from peerdiag.accounts.models import User
from peerdiag.common.models import Job, JobKind
from peerdiag.diagnostics.domain.retention import due_queryset, sweep
from peerdiag.diagnostics.models import Diagnostic

from ..models import (
    Attendee,
    Availability,
    CalendarFeed,
    SentInvitation,
    Session,
    TimetableVersion,
)

STEP = "timetable.delivery_week"
ACTION = "delivery_data_destroyed"
_REMOVED_NAME = re.compile(r"^Attendee [0-9]+ \(removed\)$")


def removed_name(number: int) -> str:
    return f"Attendee {number} (removed)"


def _anonymise_attendees(diagnostic: Diagnostic) -> tuple[int, dict[str, str]]:
    """Returns how many changed, and code → new name for every attendee of the diagnostic."""
    names, changed = {}, 0
    for number, a in enumerate(Attendee.objects.filter(diagnostic=diagnostic).order_by("pk"), 1):
        names[a.code] = removed_name(number)
        if a.name == names[a.code] and not (a.email or a.job_title or a.availability_given):
            continue
        a.name, a.email, a.job_title, a.availability_given = names[a.code], "", "", False
        a.save(update_fields=["name", "email", "job_title", "availability_given", "updated_at"])
        changed += 1
    return changed, names


def _scrub(value: Any, names: dict[str, str]) -> Any:
    """A published version's JSON with attendees renamed and windows, supporting adults and
    reasons taken out. Peers are left as they are (they are the team, not the council)."""
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    key = value.get("code", value.get("id"))
    renamed = names.get(key) if isinstance(key, str) else None
    for k, v in value.items():
        if k in ("available", "unavailable"):
            continue  # availability windows are dropped altogether
        if renamed is not None and k in ("name", "email"):
            out[k] = renamed if k == "name" else ""
        elif k in ("reason", "supporting_adult"):
            out[k] = ""
        else:
            out[k] = _scrub(v, names)
    return out


def destroy_delivery_week(diagnostic: Diagnostic) -> dict[str, int]:
    """Anonymise and delete as the module says. Call inside a transaction (sweep does)."""
    attendees, names = _anonymise_attendees(diagnostic)
    sessions = Session.objects.filter(diagnostic=diagnostic)
    counts = {
        "attendees anonymised": attendees,
        "availability windows deleted": Availability.objects.filter(diagnostic=diagnostic).delete()[
            0
        ],
        "invitation records deleted": SentInvitation.objects.filter(
            session__diagnostic=diagnostic
        ).delete()[0],
        "calendar feeds deleted": CalendarFeed.objects.filter(
            attendee__diagnostic=diagnostic
        ).delete()[0],
        "session notes cleared": sessions.exclude(
            notes="", supporting_adult="", unscheduled_reason="", attendance_note=""
        ).update(notes="", supporting_adult="", unscheduled_reason="", attendance_note=""),
        "generate logs cleared": Job.objects.filter(diagnostic=diagnostic, kind=JobKind.TIMETABLE)
        .exclude(log="", best="", message="")
        .update(log="", best="", message=""),
        "published versions scrubbed": 0,
    }
    for version in TimetableVersion.objects.filter(diagnostic=diagnostic):
        fields = {
            f: _scrub(getattr(version, f), names) for f in ("problem", "solution", "snapshot")
        }
        if any(fields[f] != getattr(version, f) for f in fields):
            TimetableVersion.objects.filter(pk=version.pk).update(**fields)
            counts["published versions scrubbed"] += 1
    return counts


def _live(diagnostic_id: int) -> bool:
    """Whether a published version still holds something to scrub (checked in Python: JSON
    lookups differ between SQLite and PostgreSQL). A reason in an old version can outlive the
    session's own, so the tables alone cannot tell."""
    names = {
        a.code: a.name
        for a in Attendee.objects.filter(diagnostic_id=diagnostic_id).only("code", "name")
    }
    return any(
        _scrub(getattr(v, f), names) != getattr(v, f)
        for v in TimetableVersion.objects.filter(diagnostic_id=diagnostic_id)
        for f in ("problem", "solution", "snapshot")
    )


def destroy_due_delivery_week(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step for the delivery week."""
    named = (
        Q(email__gt="")
        | Q(job_title__gt="")
        | Q(availability_given=True)
        | ~Q(name__regex=_REMOVED_NAME.pattern)
    )
    ids = set(Attendee.objects.filter(named).values_list("diagnostic_id", flat=True))
    ids |= set(Availability.objects.values_list("diagnostic_id", flat=True))
    ids |= set(SentInvitation.objects.values_list("session__diagnostic_id", flat=True))
    ids |= set(
        CalendarFeed.objects.filter(attendee__isnull=False).values_list(
            "attendee__diagnostic_id", flat=True
        )
    )
    ids |= set(
        Session.objects.exclude(
            notes="", supporting_adult="", unscheduled_reason="", attendance_note=""
        ).values_list("diagnostic_id", flat=True)
    )
    ids |= set(
        Job.objects.filter(kind=JobKind.TIMETABLE, diagnostic__isnull=False)
        .exclude(log="", best="", message="")
        .values_list("diagnostic_id", flat=True)
    )
    # Published versions: only due diagnostics this step has not yet changed (it scrubs the
    # versions in the same transaction as everything else), so old ones are not re-read daily.
    unchecked = (
        due_queryset(today)
        .filter(timetable_versions__isnull=False)
        .exclude(audit__action=ACTION)
        .exclude(pk__in=ids)
        .values_list("pk", flat=True)
        .distinct()
    )
    ids |= {pk for pk in unchecked if _live(pk)}
    return sweep(
        ids,
        today=today,
        by=by,
        what="personal data of the delivery week",
        action=ACTION,
        destroy=destroy_delivery_week,
    )
