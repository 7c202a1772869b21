"""Base model pieces shared by every app."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

# No 0/O or 1/I/L: codes are read aloud and typed from e-mails.
_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_code(length: int = 10) -> str:
    """A short random public code for URLs and the API (never an integer id)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CodedModel(TimeStampedModel):
    """A model reached from outside by a short random code."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Something several people can edit. Every save claims the next `version`; a save based on
    an older one is refused (see peerdiag.common.versioning), so nobody's words are overwritten
    without them seeing what changed."""

    version = models.PositiveIntegerField(default=1, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Revision(models.Model):
    """One saved state of a versioned object's text, kept so a past wording can be read and put
    back. Written by peerdiag.common.versioning.record_revision; never edited."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField()
    data = models.JSONField(help_text="The object's editable fields as they were saved")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField()
    restored_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version this revision put back, if any"
    )

    class Meta:
        ordering = ["-version", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-version"])]

    def __str__(self) -> str:
        return f"Version {self.version}"


class JobState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class JobKind(models.TextChoices):
    # The values of the reports app's ExportKind, so an export's kind is its job's kind.
    TIMETABLE = "timetable", "Timetable generate"
    PRESENTATION = "presentation", "Feedback presentation (PowerPoint)"
    REPORT_DOCX = "report_docx", "Written report (Word)"
    REPORT_PDF = "report_pdf", "Written report (PDF)"
    PORTFOLIO_CSV = "portfolio_csv", "Portfolio of diagnostics (CSV)"


class Job(CodedModel):
    """One piece of long work done by a background worker (a timetable generate run, a file
    export), with what its page shows while it goes. See peerdiag.common.jobs.

    It lives here, in the lowest app, so the sweep that notices dead workers and the worker
    command (also here) can reach every job without importing the apps above. The link to a
    diagnostic is by string reference ("diagnostics.Diagnostic"), which import-linter does not
    count as an import: it gives a real foreign key, so a diagnostic's jobs and files go with it,
    and it is empty for work that belongs to no diagnostic (the portfolio file).
    """

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done")
    message = models.CharField(max_length=300, blank=True)
    best = models.CharField(max_length=200, blank=True, help_text="The best result so far")
    log = models.TextField(blank=True, help_text="The latest progress lines")
    file = models.FileField(upload_to="exports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time_limit = models.PositiveIntegerField(
        default=300, help_text="Seconds one attempt may take before its page stops waiting"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    worker_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["diagnostic", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class Worker(models.Model):
    """A background worker process (`peerdiag db_worker`) and when it last said it was alive.

    Its heartbeat thread writes `last_seen` every few seconds; a worker silent for longer than
    peerdiag.common.jobs.WORKER_SILENT is taken to have died, and its tasks are retried or failed.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Worker {self.worker_id}"


class MailKind(models.TextChoices):
    """What an e-mail the service sent was about (peerdiag.common.outbox)."""

    INVITATION = "invitation", "Meeting invitation"
    SCOPING_INVITE = "scoping_invite", "Scoping meeting invitation"
    SURVEY_LINK = "survey_link", "Evaluation survey link"
    DOCUMENT_REMINDER = "document_reminder", "Key documents reminder"
    FEEDBACK_REMINDER = "feedback_reminder", "Written feedback reminder"
    FACTUAL_CHECK = "factual_check", "Factual accuracy check"
    MESSAGE_NOTICE = "message_notice", "New message notice"
    CONCERN = "concern", "Safeguarding concern"
    REQUEST = "request", "Council request"
    SCOPE_CHANGES = "scope_changes", "Scope changes asked for"
    CASE_REPORT = "case_report", "Case review report issued"
    CASE_SHARING = "case_sharing", "Case sharing"


class MailStatus(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxMessage(CodedModel):
    """The stored copy of one e-mail the service sent (or tried to send), for a diagnostic's
    outbox page. Written only by peerdiag.common.outbox, never edited.

    The subject, body and calendar attachments are kept as scrubbed by the outbox (no first
    names other than those of the people working on the diagnostic, no date of birth); for a
    safeguarding concern no body is kept at all (`body_withheld`). The link to a diagnostic is a
    string reference, like Job's, so this lowest app imports nothing above it.
    """

    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    kind = models.CharField(max_length=24, choices=MailKind.choices)
    recipients = models.JSONField(default=list, help_text="The To addresses")
    from_email = models.CharField(max_length=254, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    body_withheld = models.BooleanField(
        default=False, help_text="True when the body is deliberately not kept"
    )
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text="[{name, mimetype, content}]: content kept only for calendar files",
    )
    sent_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MailStatus.choices)
    error = models.TextField(blank=True, help_text="The mail server's answer when sending failed")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["diagnostic", "-sent_at"]),
            models.Index(fields=["diagnostic", "kind", "-sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"
