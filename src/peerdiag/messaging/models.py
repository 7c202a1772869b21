"""The messages thread of a diagnostic: the council (sponsor, organiser) and the LGA team
(PCM, peers, LGA administrators) write to each other here instead of by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from peerdiag.common.models import CodedModel, Versioned


class Side(models.TextChoices):
    COUNCIL = "council", "The council"
    LGA = "lga", "The LGA team"


class Message(CodedModel, Versioned):
    """One message. Its author may change it for a short while (see domain/threads.py); nobody
    deletes it; the PCM may hide it, with a reason."""

    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic", on_delete=models.CASCADE, related_name="thread_messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    text = models.TextField()
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["diagnostic", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.code}"


class ThreadRead(models.Model):
    """How far one person has read a diagnostic's thread (for the unread count)."""

    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read = models.PositiveBigIntegerField(default=0, help_text="The last message id seen")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "user"], name="one_read_mark_per_user")
        ]

    def __str__(self) -> str:
        return f"Read up to {self.last_read}"
