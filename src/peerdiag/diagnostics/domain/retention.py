"""The retention schedule and the registry of retention steps (decision 9).

`peerdiag retention run` (casereview) runs every registered step each day. A step lives in the
app that owns the data, registers itself from that app's `ready()`, takes the day and the
acting user and returns (what, diagnostic reference) for each diagnostic it changed. Every step
is safe to repeat, works on one diagnostic at a time in its own transaction, and records an
audit entry with counts.

The registry sits here, below every app that holds personal data, so timetable and documents
can register without importing casereview.

Schedules:
- the destroy-by date: 30 days after written feedback is issued, or at once when the diagnostic
  is cancelled or closed. Working data goes then: case content, peer notes, the delivery week's
  attendees and invitations, KIT digests, factual-accuracy comments, escalation addresses,
  conflict details, internal notes, personal-data document files.
- 12 months after written feedback is issued (or 12 months after the diagnostic ended without
  it): the evaluation's free text and survey links. The survey goes out 10 working days after
  issue and the impact check-ins fall at 3 and 6 months; a year gives the LGA its annual review
  of the programme with the comments to hand, and nothing after that needs them.

This module also holds the diagnostics app's own step: internal notes, peers' conflict
declaration details and the council's reasons for accepting or refusing a peer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet

from peerdiag.accounts.models import User

from ..enums import ENDED
from ..models import ConflictDeclaration, Diagnostic, TeamMember
from . import audit
from .keydates import DESTROY_AFTER_ISSUE_DAYS

EVALUATION_KEPT_DAYS = 365
# What replaces free text that other things still point at, so pages say what happened.
REMOVED = "Removed under the retention rules."

RetentionStep = Callable[[date, User | None], list[tuple[str, str]]]
_steps: dict[str, RetentionStep] = {}


def register_retention_step(step: RetentionStep, *, name: str | None = None) -> None:
    """Add a step to the daily run (once: registering the same name again replaces nothing)."""
    _steps.setdefault(name or f"{step.__module__}.{step.__name__}", step)


def registered_steps() -> dict[str, RetentionStep]:
    return dict(_steps)


def run_retention_steps(today: date, by: User | None) -> list[tuple[str, str]]:
    return [item for step in _steps.values() for item in step(today, by)]


# Schedules -------------------------------------------------------------------------------


def destroy_by(diagnostic: Diagnostic) -> date | None:
    """30 days after written feedback is issued; None until then."""
    issued = diagnostic.written_feedback_issued_on
    return issued + timedelta(days=DESTROY_AFTER_ISSUE_DAYS) if issued else None


def due(diagnostic: Diagnostic, today: date) -> bool:
    when = destroy_by(diagnostic)
    return (when is not None and when <= today) or diagnostic.stage in ENDED


def due_queryset(today: date) -> QuerySet[Diagnostic]:
    """The diagnostics `due` is true of, as a query."""
    issued_by = today - timedelta(days=DESTROY_AFTER_ISSUE_DAYS)
    return Diagnostic.objects.filter(
        Q(written_feedback_issued_on__lte=issued_by) | Q(stage__in=ENDED)
    )


def due_reason(diagnostic: Diagnostic) -> str:
    if diagnostic.stage in ENDED:
        return "the diagnostic ended"
    return f"destroy-by date {destroy_by(diagnostic)}"


def evaluation_destroy_by(diagnostic: Diagnostic) -> date | None:
    """12 months after written feedback is issued; for a diagnostic that ended without it, 12
    months after it ended. None while neither has happened."""
    if diagnostic.written_feedback_issued_on:
        start = diagnostic.written_feedback_issued_on
    elif diagnostic.stage in ENDED:
        start = (diagnostic.stage_changed_at or diagnostic.updated_at).date()
    else:
        return None
    return start + timedelta(days=EVALUATION_KEPT_DAYS)


def evaluation_due(diagnostic: Diagnostic, today: date) -> bool:
    when = evaluation_destroy_by(diagnostic)
    return when is not None and when <= today


def evaluation_reason(diagnostic: Diagnostic) -> str:
    return f"kept until {evaluation_destroy_by(diagnostic)}"


# Running a step over diagnostics ---------------------------------------------------------


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing"


def sweep(
    diagnostic_ids: Iterable[int],
    *,
    today: date,
    by: User | None,
    what: str,
    action: str,
    destroy: Callable[[Diagnostic], dict[str, int]],
    is_due: Callable[[Diagnostic, date], bool] = due,
    reason: Callable[[Diagnostic], str] = due_reason,
) -> list[tuple[str, str]]:
    """Call `destroy` for each due diagnostic in its own transaction, with the diagnostic's row
    locked so two runs at once cannot both record. Audit entry only when something changed."""
    out = []
    for d in Diagnostic.objects.filter(pk__in=set(diagnostic_ids)).order_by("reference"):
        if not is_due(d, today):
            continue
        with transaction.atomic():
            Diagnostic.objects.select_for_update().filter(pk=d.pk).first()
            counts = destroy(d)
            if not any(counts.values()):
                continue
            audit.record(
                d,
                by=by,
                action=action,
                summary=f"{what.capitalize()} destroyed ({reason(d)}): {counts_text(counts)}",
            )
        out.append((what, d.reference))
    return out


# The diagnostics app's own step ----------------------------------------------------------

INTERNAL_STEP = "diagnostics.internal_notes"


def destroy_internal_notes(diagnostic: Diagnostic) -> dict[str, int]:
    """Blank the internal notes, the peers' conflict declaration details and the council's
    reasons about peers. Kept: whether each peer worked for the host council, and the
    council's decision itself. Call inside a transaction (sweep does)."""
    notes = Diagnostic.objects.filter(pk=diagnostic.pk).exclude(internal_notes="")
    return {
        "internal notes": notes.update(internal_notes=""),
        "conflict declaration details": ConflictDeclaration.objects.filter(diagnostic=diagnostic)
        .exclude(details="")
        .update(details=""),
        "council reasons about peers": TeamMember.objects.filter(diagnostic=diagnostic)
        .exclude(council_reason="")
        .update(council_reason=""),
    }


def destroy_due_internal_notes(today: date, by: User | None) -> list[tuple[str, str]]:
    ids = set(Diagnostic.objects.exclude(internal_notes="").values_list("pk", flat=True))
    ids |= set(
        ConflictDeclaration.objects.exclude(details="").values_list("diagnostic_id", flat=True)
    )
    ids |= set(
        TeamMember.objects.exclude(council_reason="").values_list("diagnostic_id", flat=True)
    )
    return sweep(
        ids,
        today=today,
        by=by,
        what="internal notes and declarations",
        action="internal_notes_destroyed",
        destroy=destroy_internal_notes,
    )


def register() -> None:
    register_retention_step(destroy_due_internal_notes, name=INTERNAL_STEP)
