"""Destroying peer notes on the diagnostic's destroy-by date (decision 9).

What goes: every note's body, who it was heard from, its title (session titles can name people)
and its quotes. What stays: that the note existed, its source type, KLOEs and polarity (so the
findings' corroboration can still be read), the findings and recommendations themselves (they
are the diagnostic's outputs) and the audit trail, which records the destruction.

KIT digests go on the same date: each item's text and the sponsor's response are replaced by a
line saying they were removed (items are drafted from notes and may quote or name people).
What stays: the digests, their items' order and shared flags, and links to findings.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.domain.keydates import DESTROY_AFTER_ISSUE_DAYS
from peerdiag.diagnostics.domain.retention import REMOVED, sweep
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..models import DigestItem, EvidenceNote, KitDigest, Quote

DESTROYED_TITLE = "Destroyed note"
NOTES_STEP = "findings.peer_notes"
DIGESTS_STEP = "findings.kit_digests"


def notes_destroy_by(diagnostic: Diagnostic) -> date | None:
    issued = diagnostic.written_feedback_issued_on
    return issued + timedelta(days=DESTROY_AFTER_ISSUE_DAYS) if issued else None


def notes_due(diagnostic: Diagnostic, today: date) -> bool:
    when = notes_destroy_by(diagnostic)
    return (when is not None and when <= today) or diagnostic.stage in ENDED


def destroy_notes(diagnostic: Diagnostic, *, by: User | None, reason: str) -> int:
    """Destroy the diagnostic's peer notes now and record it; returns how many went.

    Doing it twice changes nothing. Side effects: notes blanked, quotes deleted; audit entry.
    """
    with transaction.atomic():
        live = EvidenceNote.objects.filter(diagnostic=diagnostic, destroyed_at__isnull=True)
        Quote.objects.filter(note__in=live).delete()
        count = live.update(
            body="", heard_from="", title=DESTROYED_TITLE, destroyed_at=timezone.now()
        )
        if count:
            audit.record(
                diagnostic,
                by=by,
                action="notes_destroyed",
                summary=f"{count} peer notes destroyed ({reason})"[:300],
            )
    return count


def destroy_due_notes(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step: every diagnostic whose notes are due."""
    out = []
    ids = (
        EvidenceNote.objects.filter(destroyed_at__isnull=True)
        .values_list("diagnostic_id", flat=True)
        .distinct()
    )
    for d in Diagnostic.objects.filter(pk__in=list(ids)).order_by("reference"):
        if notes_due(d, today):
            reason = (
                "the diagnostic ended"
                if d.stage in ENDED
                else f"destroy-by date {notes_destroy_by(d)}"
            )
            if destroy_notes(d, by=by, reason=reason):
                out.append(("peer notes", d.reference))
    return out


def notes_left(diagnostic: Diagnostic) -> int:
    return EvidenceNote.objects.filter(diagnostic=diagnostic, destroyed_at__isnull=True).count()


def destroy_digests(diagnostic: Diagnostic) -> dict[str, int]:
    """Replace the KIT digests' item text and sponsor responses. Call inside a transaction.

    The text is encrypted at rest, so which items still hold words is told here, after
    reading, not by the database (two reads and at most two updates, whatever the count)."""
    items = [
        pk
        for pk, text in DigestItem.objects.filter(digest__diagnostic=diagnostic).values_list(
            "pk", "text"
        )
        if text != REMOVED
    ]
    responses = [
        pk
        for pk, response in KitDigest.objects.filter(diagnostic=diagnostic)
        .exclude(sponsor_response="")
        .values_list("pk", "sponsor_response")
        if response != REMOVED
    ]
    return {
        "digest items": DigestItem.objects.filter(pk__in=items).update(text=REMOVED)
        if items
        else 0,
        "sponsor responses": KitDigest.objects.filter(pk__in=responses).update(
            sponsor_response=REMOVED
        )
        if responses
        else 0,
    }


def destroy_due_digests(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step for KIT digests, on the destroy-by date."""
    ids = {
        diagnostic_id
        for diagnostic_id, text in DigestItem.objects.values_list("digest__diagnostic_id", "text")
        if text != REMOVED
    }
    ids |= {
        diagnostic_id
        for diagnostic_id, response in KitDigest.objects.exclude(sponsor_response="").values_list(
            "diagnostic_id", "sponsor_response"
        )
        if response != REMOVED
    }
    return sweep(
        ids,
        today=today,
        by=by,
        what="KIT digest text",
        action="kit_digests_destroyed",
        destroy=destroy_digests,
    )
