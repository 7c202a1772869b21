"""The evaluation's outcome: when the LGA contacted the council and what further support it
decided on. Recorded, the diagnostic may close (with its data destroyed)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, created_by
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..models import EvaluationOutcome

MAX_TEXT = 5000
NOUN = "the evaluation outcome"
# The version a page sends when it showed no outcome yet: recording one is refused as stale if
# somebody recorded theirs meanwhile.
NO_OUTCOME_YET = 0


def outcome_of(diagnostic: Diagnostic) -> EvaluationOutcome | None:
    return EvaluationOutcome.objects.filter(diagnostic=diagnostic).first()


def record_outcome(
    diagnostic: Diagnostic,
    *,
    by: User,
    contacted_on: date | None,
    further_support: str,
    version: int | None,
) -> datetime:
    """Record (or correct) the evaluation contact and the further support decided.

    `version` is the outcome's version the person saw, or NO_OUTCOME_YET when there was none;
    refused with StaleEdit (nothing saved) when somebody saved an outcome since.

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
        outcome = EvaluationOutcome.objects.filter(diagnostic=diagnostic).first()
        created = outcome is None
        if outcome is None:
            if version not in (None, NO_OUTCOME_YET):
                raise DomainError(
                    "The evaluation outcome was removed after you opened it: open the page "
                    "again and record it"
                )
            try:
                with transaction.atomic():
                    outcome = EvaluationOutcome.objects.create(
                        diagnostic=diagnostic, **created_by(by)
                    )
            except IntegrityError:
                # Somebody recorded one at the same moment: theirs stands (StaleEdit), unless
                # this is an internal write, which simply follows it.
                outcome = EvaluationOutcome.objects.get(diagnostic=diagnostic)
                claim(outcome, version=version, by=by, noun=NOUN)
        else:
            claim(outcome, version=version, by=by, noun=NOUN)
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
