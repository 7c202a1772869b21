"""Feedback files built in the background: progress, storage, download, failure."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from pptx import Presentation

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain import exports
from peerdiag.reports.domain.exports import run_export, start_export
from peerdiag.reports.enums import ExportKind, JobState
from peerdiag.reports.models import ExportJob
from peerdiag.reports.render.model import Feedback

from .helpers import drafted


def _built(world, capture, kind: str, *, draft: bool = False) -> ExportJob:  # type: ignore[no-untyped-def]
    x = drafted(world)
    with capture(execute=True):
        job = start_export(x.d, by=world.pcm, kind=kind, draft=draft)
        assert ExportJob.objects.get(pk=job.pk).state == JobState.QUEUED
    return ExportJob.objects.get(pk=job.pk)


def _download(world, job: ExportJob):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.peer)
    return client.get(
        reverse("web:report_export_download", args=[job.diagnostic.reference, job.code])
    )


def test_the_presentation_builds_to_done_and_downloads(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    job = _built(world, django_capture_on_commit_callbacks, ExportKind.PRESENTATION)
    assert (job.state, job.progress, job.message) == (JobState.DONE, 100, "Ready to download")
    assert job.filename == "RPD-2027-001-feedback.pptx" and job.finished_at is not None
    response = _download(world, job)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )
    assert response["Content-Disposition"] == 'attachment; filename="RPD-2027-001-feedback.pptx"'
    deck = Presentation(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(
        s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame
    )
    assert "Leaders are visible." in text and "Agree a plan template." in text
    assert "I am alone in this." not in text


def test_the_report_builds_in_word_and_pdf(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    job = _built(world, django_capture_on_commit_callbacks, ExportKind.REPORT_DOCX, draft=True)
    assert job.filename == "RPD-2027-001-written-feedback-draft.docx"
    response = _download(world, job)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Plans lack detail." in text and "Publish an escalation route." in text
    pdf_job = start_export(job.diagnostic, by=world.pcm, kind=ExportKind.REPORT_PDF)
    assert run_export(pdf_job.pk) == JobState.DONE
    pdf_job.refresh_from_db()
    response = _download(world, pdf_job)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


def test_progress_is_written_as_the_build_goes(world, monkeypatch):  # type: ignore[no-untyped-def]
    x = drafted(world)
    job = start_export(x.d, by=world.pcm, kind=ExportKind.PRESENTATION)  # not committed: no task
    seen = []

    def build(fb: Feedback) -> bytes:
        row = ExportJob.objects.get(pk=job.pk)
        seen.append((row.state, row.progress, row.message, fb.reference))
        return b"slides"

    monkeypatch.setitem(exports.BUILDERS, ExportKind.PRESENTATION, ("feedback", "pptx", build))
    assert run_export(job.pk) == JobState.DONE
    assert seen == [(JobState.RUNNING, 50, "Building the file", "RPD-2027-001")]
    job.refresh_from_db()
    with job.file.open("rb") as f:
        assert f.read() == b"slides"
    # A finished job is not built again.
    assert run_export(job.pk) == JobState.DONE
    assert len(seen) == 1


def test_a_failing_build_shows_failed_with_its_message(world, monkeypatch):  # type: ignore[no-untyped-def]
    x = drafted(world)
    job = start_export(x.d, by=world.pcm, kind=ExportKind.REPORT_DOCX)

    def broken(fb: Feedback) -> bytes:
        raise ValueError("the template has no body")

    monkeypatch.setitem(exports.BUILDERS, ExportKind.REPORT_DOCX, ("report", "docx", broken))
    assert run_export(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.progress == 50
    assert job.message == "The file could not be built: ValueError: the template has no body"
    assert not job.file
    assert _download(world, job).status_code == 404


def test_exports_are_refused_for_other_kinds_and_ended_diagnostics(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    with pytest.raises(DomainError, match="Choose the presentation or the report"):
        start_export(x.d, by=world.pcm, kind=ExportKind.PORTFOLIO_CSV)
    Diagnostic.objects.filter(pk=x.d.pk).update(stage=Stage.CLOSED)
    x.d.refresh_from_db()
    with pytest.raises(DomainError, match="has ended"):
        start_export(x.d, by=world.pcm, kind=ExportKind.PRESENTATION)
    assert not ExportJob.objects.exists()
