"""The demo after delivery: boards, issued written feedback, answered surveys, an outcome."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.management import call_command

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.domain.library import library_entries
from peerdiag.evaluation.models import EvaluationOutcome, Survey
from peerdiag.findings.models import EvidenceNote, Finding
from peerdiag.reports.models import WrittenFeedback

pytestmark = pytest.mark.django_db


def test_the_demo_has_something_to_show_after_delivery() -> None:
    call_command("demo", stdout=io.StringIO())
    drafting = Diagnostic.objects.get(stage=Stage.DRAFTING)
    assert Finding.objects.filter(diagnostic=drafting, approved_at__isnull=True).count() == 4
    issued = Diagnostic.objects.get(stage=Stage.WRITTEN_FEEDBACK_ISSUED)
    written = WrittenFeedback.objects.get(diagnostic=issued)
    assert written.state == "issued" and issued.written_feedback_issued_on is not None
    with written.issued_file.open("rb") as f:
        text = "\n".join(p.text for p in docx.Document(f).paragraphs)
    assert "Leaders know their services well" in text
    assert Survey.objects.filter(
        diagnostic__stage=Stage.EVALUATION, completed_at__isnull=False
    ).exists()
    closed = Diagnostic.objects.get(stage=Stage.CLOSED)
    assert EvaluationOutcome.objects.filter(diagnostic=closed).exists()
    assert not EvidenceNote.objects.filter(diagnostic=closed, destroyed_at__isnull=True).exists()
    assert len(library_entries()) >= 12  # 4 approved findings from each issued diagnostic
    before = Finding.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert Finding.objects.count() == before
