"""Base model pieces shared by every app."""

from __future__ import annotations

import secrets

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
