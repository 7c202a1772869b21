"""Stage changes. Nothing else writes `Diagnostic.stage`."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError

from ..enums import ENDED, Stage
from ..models import Diagnostic
from . import audit
from .access import sync_data_access
from .capabilities import Blocker
from .gates import gate_blockers


class GateBlocked(DomainError):
    def __init__(self, to_stage: str, blockers: list[Blocker]) -> None:
        target = Stage(to_stage).label.lower() if to_stage in Stage.values else to_stage
        super().__init__(
            f"Cannot move to {target}: " + "; ".join(b.message for b in blockers),
            field="to_stage",
        )
        self.to_stage = to_stage
        self.blockers = blockers


def _locked(diagnostic: Diagnostic) -> Diagnostic:
    return (
        Diagnostic.objects.select_for_update().select_related("host_council").get(pk=diagnostic.pk)
    )


def _set_stage(
    d: Diagnostic, to: str, *, by: User | None, summary: str, extra: list[dict[str, str]]
) -> None:
    old = d.stage
    d.stage = to
    d.stage_changed_at = timezone.now()
    d.save(update_fields=["stage", "stage_changed_at", "stage_before_pause", "day1", "updated_at"])
    audit.record(
        d,
        by=by,
        action="stage",
        summary=summary,
        changes=[
            {
                "field": "stage",
                "label": "Stage",
                "old": str(Stage(old).label),
                "new": str(Stage(to).label),
            },
            *extra,
        ],
    )
    if to in ENDED:
        # Access to sensitive and children's data ends by itself with the diagnostic.
        sync_data_access(d, reason=f"The diagnostic is {Stage(to).label.lower()}")


def advance(
    diagnostic: Diagnostic, to_stage: str, *, by: User | None, today: date | None = None
) -> Diagnostic:
    """Move `diagnostic` forward to `to_stage` through its gate.

    Raises GateBlocked (carrying the blockers) and changes nothing while anything is missing.
    Side effects: the stage change is written to the audit trail.
    """
    with transaction.atomic():
        d = _locked(diagnostic)
        blockers = gate_blockers(d, to_stage, today=today)
        if blockers:
            raise GateBlocked(to_stage, blockers)
        _set_stage(
            d, to_stage, by=by, summary=f"Moved to {Stage(to_stage).label.lower()}", extra=[]
        )
    diagnostic.refresh_from_db()
    return diagnostic


def postpone(diagnostic: Diagnostic, *, by: User | None, reason: str) -> Diagnostic:
    """Pause an open diagnostic: it keeps its data, its dates are cleared (decision 2).

    Side effects: day 1 is cleared; the audit trail records the reason.
    """
    if not reason.strip():
        raise DomainError("Give a reason for postponing", field="reason")
    with transaction.atomic():
        d = _locked(diagnostic)
        if d.stage in ENDED or d.stage == Stage.POSTPONED:
            raise DomainError(
                f"A diagnostic that is {d.stage_label.lower()} cannot be postponed", field="stage"
            )
        extra = []
        if d.day1:
            extra.append(
                {"field": "day1", "label": "Delivery day 1", "old": d.day1.isoformat(), "new": ""}
            )
        d.stage_before_pause = d.stage
        d.day1 = None
        _set_stage(d, Stage.POSTPONED, by=by, summary=f"Postponed: {reason.strip()}", extra=extra)
    diagnostic.refresh_from_db()
    return diagnostic


def resume(diagnostic: Diagnostic, *, by: User | None) -> Diagnostic:
    """Take a postponed diagnostic back to the stage it was paused at.

    Side effects: the audit trail records the resumption.
    """
    with transaction.atomic():
        d = _locked(diagnostic)
        if d.stage != Stage.POSTPONED:
            raise DomainError("Only a postponed diagnostic can be resumed", field="stage")
        back = d.stage_before_pause or Stage.ENQUIRY
        d.stage_before_pause = ""
        _set_stage(d, back, by=by, summary=f"Resumed at {Stage(back).label.lower()}", extra=[])
    diagnostic.refresh_from_db()
    return diagnostic


def cancel(diagnostic: Diagnostic, *, by: User | None, reason: str) -> Diagnostic:
    """End an open diagnostic for good. Side effects: the audit trail records the reason."""
    if not reason.strip():
        raise DomainError("Give a reason for cancelling", field="reason")
    with transaction.atomic():
        d = _locked(diagnostic)
        if d.stage in ENDED:
            raise DomainError(
                f"A diagnostic that is {d.stage_label.lower()} cannot be cancelled", field="stage"
            )
        _set_stage(d, Stage.CANCELLED, by=by, summary=f"Cancelled: {reason.strip()}", extra=[])
    diagnostic.refresh_from_db()
    return diagnostic
