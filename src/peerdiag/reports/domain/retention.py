"""Destroying the council's factual-accuracy comments on the destroy-by date (decision 9).

Schedule: the diagnostic's destroy-by date (30 days after written feedback is issued, or at once
when it is cancelled or closed). The comments were for the check before issue; once the report
is issued they have served their purpose, and they often name the people whose work or
remarks they correct.

What goes: each comment's text (replaced by a line saying it was removed) and the PCM's
response. What stays: the comment row (which paragraph, who wrote and resolved it, when), so
the written feedback page still shows a comment was made and resolved, and the issued report,
which is the diagnostic's output.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, Q, Value, When

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain.retention import REMOVED, sweep
from peerdiag.diagnostics.models import Diagnostic

from ..models import FactualComment

STEP = "reports.factual_comments"

_LIVE = ~Q(text=REMOVED) | (~Q(response="") & ~Q(response=REMOVED))


def destroy_factual_comments(diagnostic: Diagnostic) -> dict[str, int]:
    """Replace the comments' text and responses. Call inside a transaction (sweep does)."""
    comments = FactualComment.objects.filter(written__diagnostic=diagnostic).filter(_LIVE)
    responses = comments.exclude(response="").count()
    return {
        "comments removed": comments.update(
            text=REMOVED,
            response=Case(When(response="", then=Value("")), default=Value(REMOVED)),
        ),
        "responses removed": responses,
    }


def destroy_due_factual_comments(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step for factual-accuracy comments."""
    return sweep(
        FactualComment.objects.filter(_LIVE).values_list("written__diagnostic_id", flat=True),
        today=today,
        by=by,
        what="factual-accuracy comments",
        action="factual_comments_destroyed",
        destroy=destroy_factual_comments,
    )
