"""Entries for the evaluation: the public survey page, the results on the diagnostic, sending
the survey early, the outcome and the impact check-ins.

The survey is public to whoever holds its address (the token is the secret), so every role gets
it; an unknown token is tested in tests/web/test_evaluation_pages.py. The results are the LGA's and
the team's (the council gets 403); writing them is for LGA admins and the PCM.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.models import CheckIn, EvaluationOutcome, Survey
from tests.factories import DiagnosticFactory, PersonFactory

from . import CHANGE_POST, INTERNAL, PUBLIC, RC, Case, R


def _issued(d: Any) -> dict[str, str]:
    # The written feedback went out a month ago, so the evaluation's writes are allowed.
    issued = timezone.localdate() - timedelta(days=30)
    Diagnostic.objects.filter(pk=d.pk).update(written_feedback_issued_on=issued)
    d.written_feedback_issued_on = issued
    return {}


def _survey(d: Any) -> dict[str, str]:
    # A diagnostic of its own each time: a diagnostic holds one survey per role.
    other = DiagnosticFactory(host_council=d.host_council)
    person = PersonFactory(organisation=d.host_council)
    s = Survey.objects.create(
        diagnostic=other, respondent=person, role="sponsor", sent_at=timezone.now()
    )
    return {"token": s.token}


def _check_in(d: Any) -> dict[str, str]:
    _issued(d)
    c, _ = CheckIn.objects.get_or_create(
        diagnostic=d, months=3, defaults={"due_on": timezone.localdate()}
    )
    return {"code": c.code}


def _outcome_data(d: Any) -> dict[str, str]:
    today = timezone.localdate()
    outcome = EvaluationOutcome.objects.filter(diagnostic=d).first()
    return {
        "version": str(outcome.version if outcome else 0),
        "contacted_on_0": str(today.day),
        "contacted_on_1": str(today.month),
        "contacted_on_2": str(today.year),
        "further_support": "None needed for now",
    }


def _check_in_data(d: Any) -> dict[str, str]:
    c = CheckIn.objects.get(diagnostic=d, months=3)
    today = timezone.localdate()
    return {
        f"{c.code}-version": str(c.version),
        f"{c.code}-held_on_0": str(today.day),
        f"{c.code}-held_on_1": str(today.month),
        f"{c.code}-held_on_2": str(today.year),
        f"{c.code}-notes": "Plans are more detailed.",
    }


ENTRIES: dict[str, Case] = {
    "web:survey": Case(PUBLIC, kwargs=("token",), make=_survey, per_user=True),
    "web:evaluation": Case(INTERNAL, kwargs=R),
    # Sent (or refused as already sent) with a message, then back to the results.
    "web:evaluation_send": Case(CHANGE_POST, method="POST", kwargs=R, make=_issued),
    "web:evaluation_outcome": Case(
        CHANGE_POST, method="POST", kwargs=R, make=_issued, data=_outcome_data
    ),
    # Planned (or refused as planned already) with a message, then back to the results.
    "web:check_ins_plan": Case(CHANGE_POST, method="POST", kwargs=R, make=_issued),
    "web:check_in_record": Case(
        CHANGE_POST, method="POST", kwargs=RC, make=_check_in, data=_check_in_data
    ),
}
