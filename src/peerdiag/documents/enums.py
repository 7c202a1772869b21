"""Choices of the documents app."""

from django.db import models

from peerdiag.diagnostics.enums import DiagnosticType


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SUPPLIED = "supplied", "Supplied"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"


# Still waiting on the council: nothing supplied yet, or sent back for another version.
OUTSTANDING = frozenset({RequestStatus.REQUESTED, RequestStatus.RETURNED})


class Category(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "Self-assessment"
    INSPECTION = "inspection", "Inspection and regulation"
    PLANS = "plans", "Plans and strategies"
    PERFORMANCE = "performance", "Performance data"
    QUALITY = "quality", "Quality assurance"
    STRUCTURE = "structure", "Structure and governance"
    WORKFORCE = "workforce", "Workforce"
    PARTNERSHIPS = "partnerships", "Partnerships"
    OTHER = "other", "Other"


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    OFFICIAL = "official", "Official"
    OFFICIAL_SENSITIVE = "official_sensitive", "Official-sensitive"
    PERSONAL_DATA = "personal_data", "Contains personal data"


# Versions with these classifications open only to cleared members of the team.
SENSITIVE = frozenset({Classification.OFFICIAL_SENSITIVE, Classification.PERSONAL_DATA})


# Whom a standard document belongs to: every diagnostic, or one type of diagnostic.
EVERY_TYPE = "all"
TEMPLATE_TYPES: list[tuple[str, str]] = [
    (EVERY_TYPE, "Every type of diagnostic"),
    *((str(value), str(label)) for value, label in DiagnosticType.choices),
]
