"""The written feedback and its checks, the council's factual-accuracy comments, and the files
built in the background (presentations, reports, portfolio exports)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models

from peerdiag.common.models import CodedModel, Job, JobKind, Revision, TimeStampedModel, Versioned
from peerdiag.diagnostics.models import Diagnostic

from .enums import WrittenState


class WrittenFeedback(TimeStampedModel, Versioned):
    """One per diagnostic: where the written feedback is on draft → PCM check → council check →
    issued, and what was issued."""

    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="written_feedback"
    )
    state = models.CharField(
        max_length=20, choices=WrittenState.choices, default=WrittenState.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    pcm_checked_at = models.DateTimeField(null=True, blank=True)
    pcm_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_to_council_at = models.DateTimeField(null=True, blank=True)
    council_returned_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_file = models.FileField(upload_to="written-feedback/", blank=True)
    issued_pdf = models.FileField(upload_to="written-feedback/", blank=True)
    # Reminders sent, as "14,3" (days before the due date), so none goes twice.
    reminders_sent = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"Written feedback of {self.diagnostic.reference}"


class ReportParagraph(Versioned):
    """A section of the report's own text (introduction, context, next steps...), editable by the
    PCM. Findings and recommendations come from the drafting board, not from here."""

    written = models.ForeignKey(
        WrittenFeedback, on_delete=models.CASCADE, related_name="paragraphs"
    )
    key = models.SlugField(max_length=60)
    heading = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    # Its kept wordings (peerdiag.common.versioning), deleted with it.
    revisions = GenericRelation(Revision)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["written", "key"], name="one_paragraph_per_key")
        ]

    def __str__(self) -> str:
        return self.heading


class FactualComment(CodedModel, Versioned):
    """The council's comment on one paragraph (or finding) during the factual-accuracy check."""

    written = models.ForeignKey(WrittenFeedback, on_delete=models.CASCADE, related_name="comments")
    paragraph_key = models.CharField(max_length=60)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.paragraph_key}"


class ExportJobManager(models.Manager["ExportJob"]):
    def get_queryset(self) -> models.QuerySet[ExportJob]:
        return super().get_queryset().exclude(kind=JobKind.TIMETABLE)


class ExportJob(Job):
    """A file built by a background task (the presentation, the report, the portfolio list),
    with its progress for the page that waits for it.

    A proxy of peerdiag.common.models.Job: exports and timetable runs are rows of one table, so
    one heartbeat and one sweep look after both (see peerdiag.common.jobs).
    """

    objects: ClassVar[ExportJobManager] = ExportJobManager()  # type: ignore[assignment]

    class Meta:
        proxy = True
        ordering = ["-created_at", "-pk"]
