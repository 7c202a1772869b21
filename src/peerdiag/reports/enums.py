"""Choices of the written feedback and the export jobs."""

from __future__ import annotations

from django.db import models


class WrittenState(models.TextChoices):
    DRAFT = "draft", "Being drafted"
    PCM_CHECK = "pcm_check", "With the peer challenge manager for checking"
    COUNCIL_CHECK = "council_check", "With the council for a factual-accuracy check"
    ISSUED = "issued", "Issued"


# The steps in order; each moves only to the next, or back to the draft.
WRITTEN_STEPS = (
    WrittenState.DRAFT,
    WrittenState.PCM_CHECK,
    WrittenState.COUNCIL_CHECK,
    WrittenState.ISSUED,
)


class ExportKind(models.TextChoices):
    PRESENTATION = "presentation", "Feedback presentation (PowerPoint)"
    REPORT_DOCX = "report_docx", "Written report (Word)"
    REPORT_PDF = "report_pdf", "Written report (PDF)"
    PORTFOLIO_CSV = "portfolio_csv", "Portfolio of diagnostics (CSV)"


class JobState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Building"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


# Reminders before the written feedback is due, in calendar days (R34).
REMINDER_DAYS = (14, 3)
