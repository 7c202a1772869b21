"""Choices of the case record review: cohorts, grades and the domains of a case audit."""

from __future__ import annotations

from django.db import models

from peerdiag.diagnostics.enums import DiagnosticType


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


class SendAuditDomain(models.TextChoices):
    """The graded headings of a SEND case audit (domain.md (f)): what an EHCP is read for."""

    ADVICE = "send_advice", "Quality of advice"
    VOICE = "send_voice", "The child's voice, and their parents'"
    OUTCOMES = "send_outcomes", "Outcomes: specific and measurable"
    PROVISION = "send_provision", "Provision: specified and quantified"
    TIMELINESS = "send_timeliness", "Timeliness: the 20-week standard"
    ANNUAL_REVIEWS = "send_annual_reviews", "Annual reviews"


def audit_domains(diagnostic_type: str) -> list[tuple[str, str]]:
    """The (value, label) of each graded heading of a case audit for a diagnostic of this
    type, in order: SEND headings for a SEND diagnostic, social-care domains otherwise."""
    chosen = SendAuditDomain if diagnostic_type == DiagnosticType.SEND else AuditDomain
    return [(d.value, str(d.label)) for d in chosen]


def domain_label(value: str) -> str:
    """The label of any heading, social-care or SEND (grades outlive a change of type)."""
    for enum in (AuditDomain, SendAuditDomain):
        if value in enum.values:
            return str(enum(value).label)
    return value


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


class SharingMethod(models.TextChoices):
    """How a council may share its case records with the case auditors (domain.md (f))."""

    ACCOUNTS = "accounts", "Named, time-limited read-only accounts in the case management system"
    PORTAL = "portal", "A secure portal or encrypted e-mail"
    SCREEN_SHARE = "screen_share", "Walk-throughs on a shared screen with the practitioner"
    OTHER = "other", "Another way"


class SharingState(models.TextChoices):
    NOT_PROPOSED = "", "Not proposed yet"
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    ASKED_AGAIN = "asked_again", "Asked again"
