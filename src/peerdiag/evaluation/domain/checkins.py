"""Optional impact check-ins, 3 and 6 calendar months after the written feedback was issued."""

from __future__ import annotations

import calendar
from datetime import date

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, created_by, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic

from ..models import CheckIn

CHECK_IN_MONTHS = (3, 6)
MAX_NOTES = 5000


def add_calendar_months(day: date, months: int) -> date:
    """`months` calendar months later: the same day number, or that month's last day where
    there is none (31 January + 3 = 30 April).

    Counted from the original day, not a month at a time, which would drift (31 January →
    28 February → 28 March); for one month it agrees with `add_calendar_month`.
    """
    extra_years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + extra_years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_check_ins(diagnostic: Diagnostic, *, by: User) -> list[CheckIn]:
    """Plan the 3- and 6-month check-ins (those not planned yet).

    Refused before the written feedback is issued and when both are planned already. Side
    effects: the CheckIn rows; an audit entry.
    """
    issued = diagnostic.written_feedback_issued_on
    if issued is None:
        raise DomainError("Check-ins can be planned once the written feedback has been issued")
    have = set(CheckIn.objects.filter(diagnostic=diagnostic).values_list("months", flat=True))
    missing = [m for m in CHECK_IN_MONTHS if m not in have]
    if not missing:
        raise DomainError("The 3- and 6-month check-ins are already planned")
    with transaction.atomic():
        made = [
            CheckIn.objects.create(
                diagnostic=diagnostic,
                months=m,
                due_on=add_calendar_months(issued, m),
                **created_by(by),
            )
            for m in missing
        ]
        audit.record(
            diagnostic,
            by=by,
            action="evaluation",
            summary="Impact check-ins planned: "
            + ", ".join(f"{c.months} months ({c.due_on.isoformat()})" for c in made),
        )
    return made


def record_check_in(
    check_in: CheckIn, *, by: User, held_on: date | None, notes: str, version: int | None
) -> CheckIn:
    """Record that a check-in was held, and what was learned (or correct what was recorded).

    Refused without a date, with a future date or one before the written feedback, and
    without notes; refused with StaleEdit (nothing saved) when somebody saved the check-in
    after `version`. Side effects: held_on, notes and recorded_by; an audit entry.
    """
    if held_on is None:
        raise DomainError("Enter the date the check-in was held", field="held_on")
    if held_on > timezone.localdate():
        raise DomainError("The date cannot be in the future", field="held_on")
    issued = check_in.diagnostic.written_feedback_issued_on
    if issued is not None and held_on < issued:
        raise DomainError(
            "The date cannot be before the written feedback was issued", field="held_on"
        )
    text = notes.strip()
    if not text:
        raise DomainError("Write what the check-in found", field="notes")
    if len(text) > MAX_NOTES:
        raise DomainError(f"Write up to {MAX_NOTES:,} characters", field="notes")
    with transaction.atomic():
        claim(check_in, version=version, by=by, noun=f"the {check_in.months}-month check-in")
        check_in.held_on = held_on
        check_in.notes = text
        check_in.recorded_by = by
        check_in.save(
            update_fields=with_version_fields(["held_on", "notes", "recorded_by", "updated_at"])
        )
        audit.record(
            check_in.diagnostic,
            by=by,
            action="evaluation",
            summary=f"{check_in.months}-month check-in recorded as held on {held_on.isoformat()}",
        )
    return check_in
