"""The evaluation survey, its outcome and the optional impact check-ins (decision 12)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Person


def _token() -> str:
    return secrets.token_urlsafe(32)


class Survey(CodedModel):
    """One person's survey (the sponsor's or the organiser's), answered by a link without an
    account: the token in the link is the key."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="surveys")
    respondent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)  # sponsor or organiser
    token = models.CharField(max_length=64, unique=True, default=_token)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    usefulness = models.PositiveSmallIntegerField(null=True, blank=True)
    accuracy = models.PositiveSmallIntegerField(null=True, blank=True)
    team_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    comments = models.TextField(blank=True)
    further_support = models.BooleanField(null=True, blank=True)
    further_support_what = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "role"], name="one_survey_per_role")
        ]

    def __str__(self) -> str:
        return f"Evaluation survey ({self.role})"


class EvaluationOutcome(TimeStampedModel, Versioned):
    """What the LGA concluded: who was contacted and what further support was decided."""

    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="evaluation_outcome"
    )
    contacted_on = models.DateField(null=True, blank=True)
    further_support = models.TextField(
        blank=True, help_text="What further support was offered or agreed, or why none"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Evaluation outcome of {self.diagnostic.reference}"


class CheckIn(CodedModel, Versioned):
    """An optional impact check-in 3 or 6 months after the written feedback."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="check_ins")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["months"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "months"], name="one_check_in_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.months}-month check-in"
