"""The case review's advice reaches the gate's warnings, beside its blockers."""

from __future__ import annotations

import pytest

from peerdiag.diagnostics.domain.gates import gate_warnings
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db


def test_no_auditor_carrying_on_is_a_warning_at_the_case_review_gate(world):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(
        stage=Stage.CASE_REVIEW, case_review_in_scope=True
    )
    d = Diagnostic.objects.get(pk=world.own.pk)
    auditor = TeamMemberFactory(diagnostic=d, role=TeamRole.CASE_AUDITOR)
    warning = "No case auditor carries on into delivery: at least one usually should"
    assert warning in gate_warnings(d, Stage.READY)
    auditor.continues_to_delivery = True
    auditor.save()
    assert warning not in gate_warnings(d, Stage.READY)
