"""Key documents: what the PCM asks the council for, and each file the council supplies."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned, new_code
from peerdiag.diagnostics.models import Diagnostic, Kloe

from .enums import SENSITIVE, TEMPLATE_TYPES, Category, Classification, RequestStatus


class DocumentRequest(CodedModel, Versioned):
    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="document_requests"
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    notes = models.TextField(blank=True)
    due_on = models.DateField("due on", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    return_comment = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kloes = models.ManyToManyField(Kloe, blank=True, related_name="document_requests")

    class Meta:
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def status_label(self) -> str:
        return str(RequestStatus(self.status).label)


def version_path(instance: DocumentVersion, filename: str) -> str:
    """Stored as documents/<reference>/<random>/v<n><ext>: the name a person gave the file is
    kept in the database only, so it cannot steer where the file lands."""
    ext = os.path.splitext(filename)[1].lower()[:8]
    ref = instance.request.diagnostic.reference
    return f"documents/{ref}/{new_code(16)}/v{instance.version}{ext}"


class DocumentVersion(CodedModel):
    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL
    )
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request} v{self.version}"

    @property
    def sensitive(self) -> bool:
        return self.classification in SENSITIVE

    @property
    def classification_label(self) -> str:
        return str(Classification(self.classification).label)


class DocumentTemplateItem(TimeStampedModel):
    """One document of the standard list the PCM requests in one go: for every diagnostic, or
    for one type. LGA administrators keep the lists in the admin site; changing them changes
    what later diagnostics are asked for, never what was already requested."""

    type = models.CharField(
        "for",
        max_length=20,
        choices=TEMPLATE_TYPES,
        help_text="Every type of diagnostic, or one type only",
    )
    title = models.CharField(max_length=200, help_text="What the council is asked to send")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in the list of requests"
    )

    class Meta:
        ordering = ["order", "title"]
        verbose_name = "standard key document"
        verbose_name_plural = "standard key documents"
        constraints = [
            models.UniqueConstraint(fields=["type", "title"], name="document_template_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        if not self.title:
            raise ValidationError({"title": "Enter the document's title"})
        same = DocumentTemplateItem.objects.filter(type=self.type, title__iexact=self.title)
        if same.exclude(pk=self.pk).exists():
            raise ValidationError({"title": "This list already has a document with this title"})
