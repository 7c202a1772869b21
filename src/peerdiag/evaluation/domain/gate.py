"""The evaluation's gate conditions, registered as the 'evaluation' capability.

Written feedback issued → evaluation: the survey has gone to the sponsor and the organiser.
Evaluation → closed: the outcome is recorded, with the further support decided.
"""

from __future__ import annotations

from peerdiag.diagnostics.domain.capabilities import Blocker, register_capability
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

from ..models import EvaluationOutcome, Survey
from .surveys import respondents, surveys_due_on

FIX = "evaluation"


def _surveys_sent(d: Diagnostic) -> list[Blocker]:
    who = respondents(d)
    if not who:
        return [
            Blocker(
                "evaluation.no_respondent",
                "There is no sponsor or organiser to send the evaluation survey to",
                "roles",
            )
        ]
    sent = set(
        Survey.objects.filter(diagnostic=d, sent_at__isnull=False).values_list(
            "respondent_id", flat=True
        )
    )
    due = surveys_due_on(d)
    when = f" (due on {due.day} {due:%B %Y}, or send it now)" if due else ""
    out = []
    for r in who:
        if r.person.pk in sent:
            continue
        if not r.person.email:
            out.append(
                Blocker(
                    "evaluation.no_email",
                    f"The {r.role_label.lower()} has no e-mail address for the survey",
                    "roles",
                )
            )
        else:
            out.append(
                Blocker(
                    "evaluation.survey_not_sent",
                    f"The evaluation survey has not been sent to the {r.role_label.lower()}{when}",
                    FIX,
                )
            )
    return out


def _outcome_recorded(d: Diagnostic) -> list[Blocker]:
    outcome = EvaluationOutcome.objects.filter(diagnostic=d).first()
    if outcome is None or outcome.decided_at is None:
        return [
            Blocker(
                "evaluation.no_outcome",
                "The evaluation contact and the further support decided are not recorded",
                FIX,
            )
        ]
    if not outcome.further_support.strip():
        return [
            Blocker(
                "evaluation.support_undecided",
                "The further support decided is not recorded",
                FIX,
            )
        ]
    return []


def evaluation_blockers(diagnostic: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage == Stage.EVALUATION:
        return _surveys_sent(diagnostic)
    if to_stage == Stage.CLOSED:
        return _outcome_recorded(diagnostic)
    return []


def register() -> None:
    register_capability("evaluation", evaluation_blockers)
