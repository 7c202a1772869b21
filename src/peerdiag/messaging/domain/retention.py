"""Destroying the messages thread on the destroy-by date (decision 9).

Schedule: the diagnostic's destroy-by date (30 days after written feedback is issued, or at once
when it is cancelled or closed), with the diagnostic's other correspondence (factual-accuracy
comments, KIT digests). The thread was for arranging the work; once the report is issued it has
served its purpose, and messages may name the people the two sides wrote about.

What goes: each message's text and any reason for hiding it (replaced by a line saying so).
What stays: the rows (who wrote, when, which side), so the thread shows that messages were sent.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, Q, Value, When

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain.retention import REMOVED, sweep
from peerdiag.diagnostics.models import Diagnostic

from ..models import Message

STEP = "messaging.messages"

_LIVE = ~Q(text=REMOVED) | (~Q(hidden_reason="") & ~Q(hidden_reason=REMOVED))


def destroy_messages(diagnostic: Diagnostic) -> dict[str, int]:
    """Replace the messages' text and hiding reasons. Call inside a transaction (sweep does)."""
    return {
        "messages removed": Message.objects.filter(diagnostic=diagnostic)
        .filter(_LIVE)
        .update(
            text=REMOVED,
            hidden_reason=Case(When(hidden_reason="", then=Value("")), default=Value(REMOVED)),
        )
    }


def destroy_due_messages(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step for the messages thread."""
    return sweep(
        Message.objects.filter(_LIVE).values_list("diagnostic_id", flat=True),
        today=today,
        by=by,
        what="messages",
        action="messages_destroyed",
        destroy=destroy_messages,
    )
