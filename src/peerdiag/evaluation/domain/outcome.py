"""The evaluation's outcome: when the LGA contacted the council and what further support it
decided on. Recorded, the diagnostic may close (with its data destroyed)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..models import EvaluationOutcome

MAX_TEXT = 5000


def outcome_of(diagnostic: Diagnostic) -> EvaluationOutcome | None:
    return EvaluationOutcome.objects.filter(diagnostic=diagnostic).first()


def record_outcome(
    diagnostic: Diagnostic, *, by: User, contacted_on: date | None, further_support: str
) -> datetime:
    """Record (or correct) the evaluation contact and the further support decided.

    Refused before the written feedback is issued, once the diagnostic has ended, without a
    contact date, with a date in the future or before the issue, and without a decision on
    further support (which may be 'none'). Returns decided_at. Side effects: the outcome row;
    an audit entry.
    """
    issued = diagnostic.written_feedback_issued_on
    if issued is None:
        raise DomainError("The outcome can be recorded once the written feedback has been issued")
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended")
    if contacted_on is None:
        raise DomainError("Enter the date the council was contacted", field="contacted_on")
    if contacted_on > timezone.localdate():
        raise DomainError("The contact date cannot be in the future", field="contacted_on")
    if contacted_on < issued:
        raise DomainError(
            f"The contact date cannot be before the written feedback was issued "
            f"({issued.day} {issued:%B %Y})",
            field="contacted_on",
        )
    text = further_support.strip()
    if not text:
        raise DomainError(
            "Say what further support was agreed, or that none is needed", field="further_support"
        )
    if len(text) > MAX_TEXT:
        raise DomainError(f"Write up to {MAX_TEXT:,} characters", field="further_support")
    now = timezone.now()
    with transaction.atomic():
        outcome, created = EvaluationOutcome.objects.select_for_update().get_or_create(
            diagnostic=diagnostic
        )
        outcome.contacted_on = contacted_on
        outcome.further_support = text
        outcome.decided_at = now
        outcome.decided_by = by
        outcome.save()
        audit.record(
            diagnostic,
            by=by,
            action="evaluation",
            summary="Evaluation outcome recorded" if created else "Evaluation outcome changed",
        )
    return now
