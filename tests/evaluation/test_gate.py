"""The evaluation's gate conditions: surveys sent before evaluation, the outcome before closing."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from peerdiag.diagnostics.domain.gates import gate_blockers
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage
from peerdiag.diagnostics.models import CouncilRole
from peerdiag.evaluation.domain.outcome import record_outcome
from peerdiag.evaluation.domain.surveys import send_survey_now
from peerdiag.evaluation.models import EvaluationOutcome, Survey
from tests.evaluation.helpers import issued

pytestmark = pytest.mark.django_db


def _evaluation(blockers):  # type: ignore[no-untyped-def]
    return [(b.code, b.fix) for b in blockers if b.code.startswith("evaluation")]


def test_evaluation_waits_for_the_surveys_to_go_out(world):
    d = issued(world.own)
    blockers = [b for b in gate_blockers(d, Stage.EVALUATION) if b.code.startswith("evaluation")]
    assert [(b.code, b.fix) for b in blockers] == [
        ("evaluation.survey_not_sent", "evaluation"),
        ("evaluation.survey_not_sent", "evaluation"),
    ]
    assert blockers[0].message == (
        "The evaluation survey has not been sent to the sponsor (due on 6 April 2027, "
        "or send it now)"
    )
    assert not any(b.unavailable for b in gate_blockers(d, Stage.EVALUATION))
    send_survey_now(d, by=world.pcm)
    assert gate_blockers(d, Stage.EVALUATION) == []


def test_half_sent_still_blocks(world):
    d = issued(world.own)
    Survey.objects.create(
        diagnostic=d, respondent=world.sponsor.person, role="sponsor", sent_at=timezone.now()
    )
    blockers = gate_blockers(d, Stage.EVALUATION)
    assert [b.message for b in blockers] == [
        "The evaluation survey has not been sent to the organiser (due on 6 April 2027, "
        "or send it now)"
    ]


def test_nobody_to_ask_points_to_the_council_roles(world):
    d = issued(world.own)
    CouncilRole.objects.filter(diagnostic=d).delete()
    assert _evaluation(gate_blockers(d, Stage.EVALUATION)) == [
        ("evaluation.no_respondent", "roles")
    ]


def test_closing_waits_for_the_outcome(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2027, 5, 10))
    d = issued(world.own, stage=Stage.EVALUATION)
    assert _evaluation(gate_blockers(d, Stage.CLOSED)) == [("evaluation.no_outcome", "evaluation")]
    started = EvaluationOutcome.objects.create(diagnostic=d, contacted_on=date(2027, 5, 3))
    assert _evaluation(gate_blockers(d, Stage.CLOSED)) == [("evaluation.no_outcome", "evaluation")]
    record_outcome(
        d,
        by=world.pcm,
        contacted_on=date(2027, 5, 3),
        further_support="None needed.",
        version=started.version,
    )
    assert _evaluation(gate_blockers(d, Stage.CLOSED)) == []


def test_a_person_without_email_is_named(world):
    d = issued(world.own)
    organiser = CouncilRole.objects.get(diagnostic=d, role=CouncilRoleKind.ORGANISER).person
    organiser.email = ""
    organiser.save()
    send_survey_now(d, by=world.pcm)
    assert _evaluation(gate_blockers(d, Stage.EVALUATION)) == [("evaluation.no_email", "roles")]
