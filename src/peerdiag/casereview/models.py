"""The case record review of a diagnostic. Writes go through casereview/domain/.

Case content (evidence, commentary, notes, concern summaries) is held only as Fernet tokens in
the `*_enc` fields (see crypto.py); the domain decrypts it and logs every read. Nothing here
holds a child's name: cases are known by the council's pseudonymous reference.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned
from peerdiag.diagnostics.models import AgreedCaseList, Diagnostic, TeamMember
from peerdiag.directory.models import Person

from .enums import AgeBand, AuditDomain, AuditStatus, Cohort, Grade, SelectionMethod

USER = settings.AUTH_USER_MODEL
DEFAULT_SAMPLE_SIZE = 10  # decision 6


class CaseReview(TimeStampedModel, Versioned):
    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="case_review"
    )
    sharing_mechanism = models.TextField(blank=True)
    sharing_recorded_at = models.DateTimeField(null=True, blank=True)
    sharing_recorded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sample_size = models.PositiveIntegerField(default=DEFAULT_SAMPLE_SIZE)
    seed = models.CharField(max_length=32, blank=True)
    named_contact = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The report: aggregate themes written by the case auditors (never a child's identity).
    report_strengths = models.TextField(blank=True)
    report_improvements = models.TextField(blank=True)
    report_approved_at = models.DateTimeField(null=True, blank=True)
    report_approved_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report_issued_at = models.DateTimeField(null=True, blank=True)
    content_destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Case review of {self.diagnostic.reference}"


class CaseListEntry(CodedModel):
    """One case on a list agreed at scoping."""

    case_list = models.ForeignKey(AgreedCaseList, on_delete=models.CASCADE, related_name="entries")
    pseudonymous_ref = models.CharField("case reference", max_length=60)
    cohort = models.CharField(max_length=20, choices=Cohort.choices)
    team = models.CharField(max_length=100, blank=True)
    legal_status = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pseudonymous_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_list", "pseudonymous_ref"], name="case_entry_unique_ref"
            )
        ]

    def __str__(self) -> str:
        return self.pseudonymous_ref


class SampledCase(CodedModel, Versioned):
    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="cases")
    entry = models.ForeignKey(CaseListEntry, on_delete=models.PROTECT, related_name="samples")
    method = models.CharField(max_length=10, choices=SelectionMethod.choices)
    reason = models.TextField(blank=True)
    selected_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    auditor = models.ForeignKey(
        TeamMember, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry__cohort", "entry__pseudonymous_ref"]
        constraints = [
            models.UniqueConstraint(fields=["review", "entry"], name="case_sampled_once")
        ]

    def __str__(self) -> str:
        return f"Case {self.code}"


class CaseAudit(CodedModel, Versioned):
    """One auditor's reading of one sampled case (header fields, grades, the overall view)."""

    case = models.OneToOneField(SampledCase, on_delete=models.CASCADE, related_name="audit")
    auditor = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="audits")
    status = models.CharField(max_length=10, choices=AuditStatus.choices, default=AuditStatus.DRAFT)
    period_months = models.PositiveSmallIntegerField("months reviewed", default=12)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    placement_moves = models.PositiveSmallIntegerField(null=True, blank=True)
    referrals_last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    overall_grade = models.CharField(max_length=25, choices=Grade.choices, blank=True)
    difference_enc = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Audit {self.code}"


class DomainGrade(models.Model):
    audit = models.ForeignKey(CaseAudit, on_delete=models.CASCADE, related_name="grades")
    domain = models.CharField(max_length=20, choices=AuditDomain.choices)
    grade = models.CharField(max_length=25, choices=Grade.choices)
    evidence_enc = models.TextField(blank=True)
    commentary_enc = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "domain"], name="one_grade_per_domain")
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.grade}"


class PractitionerContact(models.Model):
    audit = models.ForeignKey(CaseAudit, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField()
    role_contacted = models.CharField(max_length=100)
    note_enc = models.TextField(blank=True)
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["contacted_on", "id"]

    def __str__(self) -> str:
        return f"Contact on {self.contacted_on}"


class Moderation(Versioned):
    """A second reading of an audit, agreeing or not with its grades."""

    audit = models.ForeignKey(CaseAudit, on_delete=models.CASCADE, related_name="moderations")
    moderator = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    agrees = models.BooleanField()
    note_enc = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "Agrees" if self.agrees else "Disagrees"


class SafeguardingConcern(CodedModel, Versioned):
    audit = models.ForeignKey(CaseAudit, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    raised_at = models.DateTimeField()
    summary_enc = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.TextField(blank=True, help_text="The addresses e-mailed")
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.code}"


class CaseReadLog(models.Model):
    """Who read case content, when, and which case (decision 9). Written once."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="read_log")
    case = models.ForeignKey(
        SampledCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    what = models.CharField(max_length=100)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} read {self.what}"


class Destruction(models.Model):
    """The record that a review's case content was destroyed, and how much of it."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="destructions")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=200)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Destroyed {self.at:%Y-%m-%d}"
