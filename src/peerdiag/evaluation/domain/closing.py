"""Destroying a diagnostic's working data early, from the pages, so that it can close (issue 18).

The daily retention run (`peerdiag retention run`) destroys the working data 30 days after
written feedback is issued. A PCM who has recorded the evaluation outcome before then would
otherwise wait, or ask someone with the server: here the PCM (or an LGA administrator) runs the
same destruction for one diagnostic now.

What goes is what the daily run destroys on the destroy-by date, nothing more: the case
review's content, the peer notes, the KIT digests' text, the messages, the factual-accuracy
comments, the delivery week's attendees, availability, invitations and session notes,
personal-data document files, the stored copies of e-mails, internal notes, conflict details and
the council's reasons about peers. The evaluation's comments are kept (they have their own,
later, date).

What stays: the findings, recommendations and the issued written feedback (the diagnostic's
outputs), grades and counts, sessions and who took part by role, and the audit trail, which
records each kind destroyed, who asked and when. It cannot be undone.

Refused until written feedback is issued: the notes and case content are what it is written
from. Safe against a double submission: the diagnostic's row is locked and a second request
finds `destroyed_early_at` set and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.casereview.domain.retention import CASE_CONTENT_STEP, destroy_case_content
from peerdiag.casereview.models import CaseReview
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.domain import outbox as stored_emails
from peerdiag.diagnostics.domain import retention as schedule
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.documents.domain import retention as documents
from peerdiag.findings.domain import retention as findings
from peerdiag.messaging.domain import retention as messaging
from peerdiag.reports.domain import retention as reports
from peerdiag.timetable.domain import retention as timetable

from . import retention as evaluation

ACTION = "destroyed_early"
REASON = "destroyed early so that the diagnostic can close"


@dataclass(frozen=True)
class SweptStep:
    """A registered daily step that works through `sweep`, run here for one diagnostic."""

    name: str  # the name it is registered under
    what: str
    action: str
    destroy: Callable[[Diagnostic], dict[str, int]]


# The same words and audit actions as the daily steps, so the audit trail reads alike.
SWEPT_STEPS: tuple[SweptStep, ...] = (
    SweptStep(
        findings.DIGESTS_STEP, "KIT digest text", "kit_digests_destroyed", findings.destroy_digests
    ),
    SweptStep(messaging.STEP, "messages", "messages_destroyed", messaging.destroy_messages),
    SweptStep(
        reports.STEP,
        "factual-accuracy comments",
        "factual_comments_destroyed",
        reports.destroy_factual_comments,
    ),
    SweptStep(
        timetable.STEP,
        "personal data of the delivery week",
        timetable.ACTION,
        timetable.destroy_delivery_week,
    ),
    SweptStep(
        schedule.INTERNAL_STEP,
        "internal notes and declarations",
        "internal_notes_destroyed",
        schedule.destroy_internal_notes,
    ),
    SweptStep(
        stored_emails.RETENTION_STEP,
        "stored copies of e-mails",
        "outbox_destroyed",
        stored_emails.destroy_stored_copies,
    ),
    # Last: files leave the storage at once, whatever becomes of the transaction.
    SweptStep(
        documents.STEP,
        "personal-data document files",
        "document_files_destroyed",
        documents.destroy_document_files,
    ),
)
# Run here in their own way (they keep their own records of the destruction).
OWN_STEPS = (CASE_CONTENT_STEP, findings.NOTES_STEP)
# Not run early: the evaluation's comments are kept for a year after issue, closed or not.
NOT_EARLY = {evaluation.STEP: "kept 12 months after issue for the LGA's annual review"}


def covered_steps() -> set[str]:
    """Every retention step this destruction runs or leaves out on purpose (a test compares it
    with the registry, so a new step cannot be forgotten here)."""
    return {s.name for s in SWEPT_STEPS} | set(OWN_STEPS) | set(NOT_EARLY)


def refusal(diagnostic: Diagnostic) -> str | None:
    """Why the working data cannot be destroyed early now, or None when it can."""
    if diagnostic.destroyed_early_at is not None:
        return None  # done already: asking again changes nothing
    if diagnostic.stage in ENDED:
        return (
            "This diagnostic has ended: the daily retention run destroys what is left of its "
            "working data"
        )
    if diagnostic.written_feedback_issued_on is None:
        return (
            "Written feedback has not been issued yet. The case content and peer notes are what "
            "it is written and checked from, so they can be destroyed only after it is issued"
        )
    return None


@dataclass(frozen=True)
class EarlyDestruction:
    at: datetime
    repeated: bool  # True when it had already been done (nothing changed this time)
    destroyed: tuple[str, ...] = ()  # the kinds of data that went this time


def destroy_working_data_now(
    diagnostic: Diagnostic, *, by: User, confirmation: str, today: date | None = None
) -> EarlyDestruction:
    """Destroy the diagnostic's working data now, as the daily run would on the destroy-by date.

    `confirmation` must be the diagnostic's reference, typed. All in one transaction with the
    diagnostic's row locked; a repeat changes nothing. Side effects: the destruction itself (see
    the module), one audit entry per kind destroyed and one for the whole, naming who.
    """
    if confirmation.strip().upper() != diagnostic.reference.upper():
        raise DomainError(
            f"Type the reference {diagnostic.reference} to confirm", field="confirmation"
        )
    today = today or timezone.localdate()
    with transaction.atomic():
        d = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        if d.destroyed_early_at is not None:
            return EarlyDestruction(at=d.destroyed_early_at, repeated=True)
        why = refusal(d)
        if why:
            raise DomainError(why, field="confirmation")
        done: list[str] = []
        review = CaseReview.objects.filter(diagnostic=d, content_destroyed_at__isnull=True).first()
        if review is not None:
            destroy_case_content(review, by=by, reason=REASON)
            done.append("case content")
        if findings.destroy_notes(d, by=by, reason=REASON):
            done.append("peer notes")
        for step in SWEPT_STEPS:
            if schedule.sweep(
                [d.pk],
                today=today,
                by=by,
                what=step.what,
                action=step.action,
                destroy=step.destroy,
                is_due=lambda _d, _today: True,
                reason=lambda _d: REASON,
            ):
                done.append(step.what)
        at = timezone.now()
        Diagnostic.objects.filter(pk=d.pk).update(destroyed_early_at=at, updated_at=at)
        audit.record(
            d,
            by=by,
            action=ACTION,
            summary="Working data destroyed early, before the destroy-by date, so the diagnostic "
            f"can close: {', '.join(done) or 'nothing was left to destroy'}",
        )
    diagnostic.destroyed_early_at = at
    return EarlyDestruction(at=at, repeated=False, destroyed=tuple(done))
