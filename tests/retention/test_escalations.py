"""The addresses a safeguarding concern was e-mailed to go with the case content."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.concerns import raise_concern
from peerdiag.casereview.domain.retention import run_retention
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview, Destruction, SafeguardingConcern
from peerdiag.diagnostics.models import Diagnostic
from tests.casereview.helpers import add_auditor, released_case

from .helpers import DUE, ISSUED

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    audit = save_audit(
        case,
        by=auditor,
        header={},
        grades={d: GradeIn("good", "Seen", "") for d in AuditDomain.values},
        overall_grade="good",
        difference="Safer",
        finish=True,
        version=0,
    )
    made = raise_concern(audit, by=auditor, summary="Bruise seen")
    Diagnostic.objects.filter(pk=world.own.pk).update(written_feedback_issued_on=ISSUED)
    return made


def test_escalation_addresses_go_on_the_destroy_by_date(concern):  # type: ignore[no-untyped-def]
    assert "pcm@example.org" in SafeguardingConcern.objects.get().escalated_to
    run_retention(today=DUE - timedelta(days=1))
    assert SafeguardingConcern.objects.get().escalated_to != ""
    run_retention(today=DUE)
    kept = SafeguardingConcern.objects.get()
    assert (kept.escalated_to, kept.summary_enc) == ("", "")
    assert kept.escalated_at is not None  # that it was escalated, and when, stays
    assert Destruction.objects.get().counts["escalation_addresses"] == 1


def test_addresses_left_from_an_earlier_destruction_are_swept_once(world, concern):  # type: ignore[no-untyped-def]
    # A review destroyed before the addresses counted as case content.
    CaseReview.objects.filter(diagnostic=world.own).update(content_destroyed_at=concern.raised_at)
    run = run_retention(today=DUE)
    assert ("safeguarding escalation addresses", world.own.reference) in run.others
    assert SafeguardingConcern.objects.get().escalated_to == ""
    assert world.own.audit.filter(action="escalation_addresses_destroyed").count() == 1
    run = run_retention(today=DUE)
    assert ("safeguarding escalation addresses", world.own.reference) not in run.others
    assert world.own.audit.filter(action="escalation_addresses_destroyed").count() == 1
