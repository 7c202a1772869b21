"""The demo's diagnostic in delivery has evidence, findings and a shared KIT digest."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.findings import corroboration_of, findings_with_evidence
from peerdiag.findings.models import EvidenceNote, KitDigest, Quote

pytestmark = pytest.mark.django_db


def test_the_delivery_demo_has_evidence_and_findings() -> None:
    call_command("demo", stdout=io.StringIO())
    d = Diagnostic.objects.get(stage=Stage.DELIVERY)
    notes = EvidenceNote.objects.filter(diagnostic=d)
    assert notes.count() >= 10
    assert set(notes.values_list("source_type", flat=True)) >= {"data", "interview"}
    # Notes only of sessions already held (days 1 to 3) and never naming who spoke.
    assert all(n.session is None or n.session.day <= 3 for n in notes)
    names = set(d.attendees.values_list("name", flat=True))
    assert not any(name in n.heard_from for n in notes for name in names)
    assert Quote.objects.filter(note__diagnostic=d, group_size__lt=3).count() == 1
    findings = findings_with_evidence(d)
    assert {f.kind for f in findings} == {"strength", "area"}
    assert all(corroboration_of(f.links.all()).supporting for f in findings)
    digest = KitDigest.objects.get(diagnostic=d)
    assert digest.shared_at is not None
    assert digest.items.filter(shared=False).count() == 1
    before = EvidenceNote.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert EvidenceNote.objects.count() == before
