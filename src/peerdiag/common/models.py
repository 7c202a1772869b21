"""Base model pieces shared by every app."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

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
