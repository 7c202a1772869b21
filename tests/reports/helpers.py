"""A diagnostic at drafting with an approved board: 2 strengths, 2 areas, 2 recommendations."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.findings import add_finding, add_recommendation
from peerdiag.findings.domain.notes import add_note, add_quote
from peerdiag.findings.models import Finding, Recommendation
from tests.findings.helpers import Delivery, delivery


@dataclass
class Drafted:
    x: Delivery
    d: Diagnostic
    findings: list[Finding]
    recommendations: list[Recommendation]


def drafted(world, *, approve: bool = True) -> Drafted:  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(x.d, by=x.lead, source_type="data", title="Scorecard", kloes=[x.kloes[0]])
    add_quote(note, by=x.lead, text="We are heard.", group="Social workers", group_size=8)
    add_quote(note, by=x.lead, text="I am alone in this.", group="IRO", group_size=1)
    made = [
        add_finding(x.d, by=x.lead, kind=kind, statement=text, kloe=x.kloes[i % 2], evidence=[note])
        for i, (kind, text) in enumerate(
            [
                ("strength", "Leaders are visible."),
                ("strength", "Supervision is regular."),
                ("area", "Plans lack detail."),
                ("area", "Partners are unsure how to escalate."),
            ]
        )
    ]
    recs = [
        add_recommendation(x.d, by=x.lead, text="Agree a plan template.", findings=[made[2]]),
        add_recommendation(x.d, by=x.lead, text="Publish an escalation route.", findings=[made[3]]),
    ]
    if approve:
        now = timezone.now()
        Finding.objects.filter(diagnostic=x.d).update(approved_at=now)
        Recommendation.objects.filter(diagnostic=x.d).update(approved_at=now)
    Diagnostic.objects.filter(pk=x.d.pk).update(stage=Stage.DRAFTING)
    d = Diagnostic.objects.get(pk=x.d.pk)
    return Drafted(x, d, made, recs)
