"""Entries for the evaluation in the API: the surveys sent, their answers and the outcome.

As on the pages (tests/matrix/evaluation.py): the LGA and the team read them, the council gets
403; recording the outcome is for LGA administrators and the PCM.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peerdiag.evaluation.models import EvaluationOutcome

from . import A_INTERNAL, Case, R, a_change
from .evaluation import _issued


def _outcome(d: Any) -> dict[str, Any]:
    # Every role saves the same diagnostic's outcome, so each sends the version there is now.
    outcome = EvaluationOutcome.objects.filter(diagnostic=d).first()
    return {
        "version": outcome.version if outcome else 0,
        "contacted_on": timezone.localdate().isoformat(),
        "further_support": "None needed for now",
    }


ENTRIES: dict[str, Case] = {
    "api:survey_list": Case(A_INTERNAL, kwargs=R, api=True),
    "api:evaluation_results": Case(A_INTERNAL, kwargs=R, api=True),
    "api:evaluation_outcome_detail": Case(A_INTERNAL, kwargs=R, api=True),
    "api:evaluation_outcome_set": Case(
        a_change(200), method="PUT", data=_outcome, kwargs=R, make=_issued, api=True
    ),
}
