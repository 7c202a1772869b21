"""Choices of evidence, findings and recommendations."""

from __future__ import annotations

from django.db import models


class SourceType(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    FOCUS_GROUP = "focus_group", "Focus group"
    CASE_REVIEW = "case_review", "Case record review"
    DOCUMENT = "document", "Document"
    DATA = "data", "Data"
    OBSERVATION = "observation", "Observation"


class Polarity(models.TextChoices):
    STRENGTH = "strength", "Strength"
    CONCERN = "concern", "Concern"
    NEUTRAL = "neutral", "Neutral"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    AREA = "area", "Area for consideration"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"


# A quote from a group smaller than this could point to one person: kept out of outputs.
SMALL_GROUP = 3
# A finding needs at least this many distinct source types and sessions to stand up.
CORROBORATED_SOURCES = 2
