"""The evaluation over HTTP: the surveys sent, their answers and the LGA's outcome.

The same permissions (evaluation/rules.py) and domain functions as web/views/evaluation.py. The
results are the LGA's and the team's: the council never sees them (its own people wrote the
answers, and the LGA's notes on further support are internal), so it gets 403. A survey's
token, the only key to its public page, never leaves through the API.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Person
from peerdiag.evaluation.domain.outcome import NO_OUTCOME_YET, outcome_of, record_outcome
from peerdiag.evaluation.domain.surveys import (
    RATING_QUESTIONS,
    RATINGS,
    ROLE_LABELS,
    respondents,
    surveys_due_on,
)
from peerdiag.evaluation.models import Survey

from .common import EDIT_ERRORS, GUARDED_READ_ERRORS, Ref, caller, diagnostic_for
from .schemas.evaluation import OutcomeIn, OutcomeOut, ResultsOut, SurveysOut

router = Router(tags=["evaluation"])

VIEW = "evaluation.view_results"
MANAGE = "evaluation.manage"
E = "/diagnostics/{ref}/evaluation"


def _person(p: Person) -> dict[str, str]:
    return {"code": p.code, "full_name": p.full_name}


def _surveys(d: Diagnostic) -> list[Survey]:
    return list(Survey.objects.filter(diagnostic=d).select_related("respondent"))


@router.get(
    E + "/surveys",
    response={200: SurveysOut, **GUARDED_READ_ERRORS},
    url_name="survey_list",
    operation_id="listSurveys",
    summary="The evaluation surveys: who was asked, in which role, when sent and when answered",
)
def survey_list(request: HttpRequest, ref: Ref) -> Any:
    """Who has a survey (never its token) and who is still waiting for one."""
    d = diagnostic_for(request, ref, VIEW)
    surveys = _surveys(d)
    sent_to = {s.respondent_id for s in surveys}
    return {
        "due_on": surveys_due_on(d),
        "surveys": [
            {
                "code": s.code,
                "role": s.role,
                "role_label": ROLE_LABELS.get(s.role, s.role),
                "respondent": _person(s.respondent),
                "sent_at": s.sent_at,
                "completed_at": s.completed_at,
            }
            for s in surveys
        ],
        "waiting": [
            {"role": r.role, "role_label": r.role_label, "person": _person(r.person)}
            for r in respondents(d)
            if r.person.pk not in sent_to
        ],
    }


@router.get(
    E + "/results",
    response={200: ResultsOut, **GUARDED_READ_ERRORS},
    url_name="evaluation_results",
    operation_id="getEvaluationResults",
    summary="The answers: each respondent's ratings and comments, and the average of each rating",
)
def evaluation_results(request: HttpRequest, ref: Ref) -> Any:
    """Each answered survey's ratings and comments, and the average of each rating."""
    d = diagnostic_for(request, ref, VIEW)
    answered = [s for s in _surveys(d) if s.completed_at is not None]
    averages = []
    for name in RATINGS:
        values = [getattr(s, name) for s in answered if getattr(s, name) is not None]
        averages.append(
            {
                "rating": name,
                "question": RATING_QUESTIONS[name],
                "average": sum(values) / len(values) if values else None,
                "count": len(values),
            }
        )
    return {
        "answered": len(answered),
        "averages": averages,
        "support_requested": sum(1 for s in answered if s.further_support),
        "answers": [
            {
                "code": s.code,
                "role": s.role,
                "role_label": ROLE_LABELS.get(s.role, s.role),
                "respondent": _person(s.respondent),
                "completed_at": s.completed_at,
                "ratings": {name: getattr(s, name) for name in RATINGS},
                "comments": s.comments,
                "further_support": s.further_support,
                "further_support_what": s.further_support_what,
            }
            for s in answered
        ],
    }


def _outcome(d: Diagnostic) -> dict[str, Any]:
    outcome = outcome_of(d)
    if outcome is None:
        return {
            "recorded": False,
            "version": NO_OUTCOME_YET,
            "contacted_on": None,
            "further_support": "",
            "decided_at": None,
            "decided_by": None,
        }
    return {
        "recorded": True,
        "version": outcome.version,
        "contacted_on": outcome.contacted_on,
        "further_support": outcome.further_support,
        "decided_at": outcome.decided_at,
        "decided_by": outcome.decided_by.get_full_name() if outcome.decided_by else None,
    }


@router.get(
    E + "/outcome",
    response={200: OutcomeOut, **GUARDED_READ_ERRORS},
    url_name="evaluation_outcome_detail",
    operation_id="getEvaluationOutcome",
    summary="The evaluation's outcome: when the council was contacted and the further support "
    "decided",
)
def evaluation_outcome_detail(request: HttpRequest, ref: Ref) -> Any:
    """The outcome, or `recorded: false` with version 0 while there is none."""
    return _outcome(diagnostic_for(request, ref, VIEW))


@router.put(
    E + "/outcome",
    response={200: OutcomeOut, **EDIT_ERRORS},
    url_name="evaluation_outcome_set",
    operation_id="setEvaluationOutcome",
    summary="Record the outcome, or change it, with the version read (0 when there was none)",
    description="Refused (400) before the written feedback is issued, once the diagnostic has "
    "ended, for a contact date in the future or before the issue, and without the further "
    "support decided; 409 when someone saved an outcome after the version you sent.",
)
def evaluation_outcome_set(request: HttpRequest, ref: Ref, payload: OutcomeIn) -> Any:
    """Record or correct the outcome from the version read (0 when none was recorded)."""
    d = diagnostic_for(request, ref, MANAGE)
    record_outcome(
        d,
        by=caller(request),
        contacted_on=payload.contacted_on,
        further_support=payload.further_support,
        version=payload.version,
    )
    return _outcome(d)
