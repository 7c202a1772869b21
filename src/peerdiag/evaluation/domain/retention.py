"""Destroying the evaluation's free text and survey links, a year on (decision 12).

Schedule: 12 months after written feedback is issued, or 12 months after the diagnostic ended
without it. Why then, not on the destroy-by date: the survey goes out 10 working days after
issue and the impact check-ins fall at 3 and 6 months, so the comments are still being written
and read long after the destroy-by date; the LGA reviews the programme once a year, with the
comments to hand; after that the ratings, the further-support answer and the LGA's outcome are
all it needs.

What goes: the respondents' comments and what further support they asked for, the notes of
each impact check-in (replaced by a line saying they were removed), and each survey's link: its
token is replaced, so the old link no longer opens the survey. What stays: the ratings and the
yes/no answers (the programme's charts are built from them), who was asked in which role (the
person's own details are theirs to erase through `peerdiag erase_person`), and the outcome.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.db.models import Q

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain.retention import (
    REMOVED,
    evaluation_due,
    evaluation_reason,
    sweep,
)
from peerdiag.diagnostics.models import Diagnostic

from ..models import CheckIn, Survey

STEP = "evaluation.free_text"
CLOSED_LINK_PREFIX = "removed-"


def _text_left(name: str) -> Q:
    return ~Q(**{name: ""}) & ~Q(**{name: REMOVED})


_SURVEY_LIVE = (
    ~Q(token__startswith=CLOSED_LINK_PREFIX)
    | _text_left("comments")
    | _text_left("further_support_what")
)


def destroy_evaluation_text(diagnostic: Diagnostic) -> dict[str, int]:
    """Replace the free text and the links. Call inside a transaction (sweep does)."""
    counts = {"survey comments removed": 0, "survey links closed": 0, "check-in notes removed": 0}
    for survey in Survey.objects.filter(diagnostic=diagnostic).filter(_SURVEY_LIVE):
        fields = []
        for name in ("comments", "further_support_what"):
            if getattr(survey, name) not in ("", REMOVED):
                setattr(survey, name, REMOVED)
                fields.append(name)
        counts["survey comments removed"] += bool(fields)
        if not survey.token.startswith(CLOSED_LINK_PREFIX):
            survey.token = CLOSED_LINK_PREFIX + secrets.token_urlsafe(32)
            fields.append("token")
            counts["survey links closed"] += 1
        survey.save(update_fields=[*fields, "updated_at"])
    counts["check-in notes removed"] = (
        CheckIn.objects.filter(diagnostic=diagnostic)
        .filter(_text_left("notes"))
        .update(notes=REMOVED)
    )
    return counts


def destroy_due_evaluation_text(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step for the evaluation."""
    ids = set(Survey.objects.filter(_SURVEY_LIVE).values_list("diagnostic_id", flat=True))
    ids |= set(CheckIn.objects.filter(_text_left("notes")).values_list("diagnostic_id", flat=True))
    return sweep(
        ids,
        today=today,
        by=by,
        what="evaluation free text",
        action="evaluation_text_destroyed",
        destroy=destroy_evaluation_text,
        is_due=evaluation_due,
        reason=evaluation_reason,
    )
