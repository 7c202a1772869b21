"""Choices of the case record review: cohorts, grades and the domains of a case audit."""

from __future__ import annotations

from django.db import models


class Cohort(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    CHILD_IN_CARE = "child_in_care", "Child in care"
    CARE_LEAVER = "care_leaver", "Care leaver"
    SEND_EHCP = "send_ehcp", "SEND or EHCP"
    FRONT_DOOR = "front_door", "Front door contact"


class SelectionMethod(models.TextChoices):
    RANDOM = "random", "Stratified random sample"
    BY_HAND = "by_hand", "Chosen by hand"


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"
    NA = "na", "Not applicable"


class AuditDomain(models.TextChoices):
    """The graded domains of domain.md (f); the overall grade is kept on the audit itself."""

    CASE_SUMMARY = "case_summary", "Case summary and history"
    FRONT_DOOR = "front_door", "Front door and response to referral"
    ASSESSMENT = "assessment", "Assessment and analysis of need and risk"
    VOICE = "voice", "Voice and lived experience of the child"
    PLANNING = "planning", "Planning"
    INTERVENTION = "intervention", "Intervention and direct work"
    MULTI_AGENCY = "multi_agency", "Multi-agency working and information sharing"
    MANAGEMENT = "management", "Management oversight and supervision"
    PERMANENCE = "permanence", "Permanence, placement stability and pathway planning"
    RECORDING = "recording", "Recording quality"
    IMPACT = "impact", "Impact and outcomes"


class AuditStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    DONE = "done", "Finished"


class AgeBand(models.TextChoices):
    UNDER_1 = "under_1", "Under 1"
    AGE_1_4 = "1_4", "1 to 4"
    AGE_5_10 = "5_10", "5 to 10"
    AGE_11_15 = "11_15", "11 to 15"
    AGE_16_17 = "16_17", "16 or 17"
    AGE_18_25 = "18_25", "18 to 25"
