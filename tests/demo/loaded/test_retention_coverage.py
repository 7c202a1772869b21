"""The daily retention run, over the demo's diagnostics at every stage (decision 9).

After every destroy-by date: case content and peer notes are gone wherever they were due, the
records that must stay (findings, recommendations, grades, the audit trail, the destruction
records) stay, and a diagnostic not yet due keeps its notes.
"""

from __future__ import annotations

from datetime import date

import pytest

from peerdiag.casereview.domain.retention import run_retention
from peerdiag.casereview.models import (
    CaseAudit,
    CaseListEntry,
    CaseReview,
    Destruction,
    DomainGrade,
    Moderation,
    PractitionerContact,
    SafeguardingConcern,
)
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.findings.domain.retention import DESTROYED_TITLE
from peerdiag.findings.models import EvidenceNote, Finding, Quote, Recommendation

pytestmark = pytest.mark.django_db

LATER = date(2100, 1, 1)


def _due(d: Diagnostic) -> bool:
    return d.written_feedback_issued_on is not None or d.stage in ENDED


def test_retention_destroys_case_content_and_peer_notes_and_keeps_the_rest(demo):  # type: ignore[no-untyped-def]
    due = [d for d in Diagnostic.objects.all() if _due(d)]
    not_due = [d for d in Diagnostic.objects.all() if not _due(d)]
    notes_due = EvidenceNote.objects.filter(diagnostic__in=due)
    assert notes_due.exclude(body="").exists(), "the demo needs peer notes that are due"
    # The demo has no quotes in a finished diagnostic: one is added, in words of our own.
    Quote.objects.create(
        note=notes_due.exclude(body="").first(),
        text="We always know who to call.",
        group="Social workers",
        group_size=6,
    )
    # (The demo's finished diagnostics hold no case audits any more; destroying audit content
    # itself is tested in tests/casereview/test_report_and_retention.py.)
    kept_notes = {n.pk: n.body for n in EvidenceNote.objects.filter(diagnostic__in=not_due)}
    kept_quotes = Quote.objects.filter(note__diagnostic__in=not_due).count()
    findings = Finding.objects.count()
    recommendations = Recommendation.objects.count()
    grades = list(DomainGrade.objects.order_by("pk").values_list("pk", "grade"))
    audit_before = AuditEntry.objects.count()

    run = run_retention(today=LATER)

    # Peer notes: body, who it was heard from, title and quotes gone where due.
    assert not notes_due.exclude(body="").exists()
    assert not notes_due.exclude(heard_from="").exists()
    assert set(notes_due.values_list("title", flat=True)) <= {DESTROYED_TITLE}
    assert not notes_due.filter(destroyed_at__isnull=True).exists()
    assert not Quote.objects.filter(note__diagnostic__in=due).exists()
    # Case content: every encrypted field blank, pseudonymous references replaced.
    audits = CaseAudit.objects.filter(case__review__diagnostic__in=due)
    assert not audits.exclude(difference_enc="").exists()
    assert not DomainGrade.objects.filter(audit__in=audits).exclude(evidence_enc="").exists()
    assert not DomainGrade.objects.filter(audit__in=audits).exclude(commentary_enc="").exists()
    assert not PractitionerContact.objects.filter(audit__in=audits).exclude(note_enc="").exists()
    assert not Moderation.objects.filter(audit__in=audits).exclude(note_enc="").exists()
    assert not SafeguardingConcern.objects.filter(audit__in=audits).exclude(summary_enc="").exists()
    entries = CaseListEntry.objects.filter(case_list__diagnostic__in=due)
    assert all(e.pseudonymous_ref.startswith("destroyed-") for e in entries)
    reviews = CaseReview.objects.filter(diagnostic__in=due)
    assert not reviews.filter(content_destroyed_at__isnull=True).exists()
    assert Destruction.objects.filter(review__in=reviews).count() == reviews.count()

    # Kept: outputs, grades, the audit trail (with the destruction recorded), undue notes.
    assert Finding.objects.count() == findings
    assert Recommendation.objects.count() == recommendations
    assert list(DomainGrade.objects.order_by("pk").values_list("pk", "grade")) == grades
    assert AuditEntry.objects.count() > audit_before
    assert AuditEntry.objects.filter(action="notes_destroyed").exists()
    assert {n.pk: n.body for n in EvidenceNote.objects.filter(diagnostic__in=not_due)} == (
        kept_notes
    )
    assert Quote.objects.filter(note__diagnostic__in=not_due).count() == kept_quotes
    assert ("peer notes", due[0].reference) in run.others or run.others

    # Running again the next day changes nothing.
    again = run_retention(today=LATER)
    assert again.destroyed == [] and again.others == []
