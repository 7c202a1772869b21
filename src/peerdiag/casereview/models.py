"""The case record review of a diagnostic. Writes go through casereview/domain/.

Case content (evidence, commentary, notes, concern summaries) is held only as Fernet tokens in
the `*_enc` fields (see common/crypto.py); the domain decrypts it and logs every read. Nothing here
holds a child's name: cases are known by the council's pseudonymous reference.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac

from peerdiag.common.fields import EncryptedTextField
from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned
from peerdiag.diagnostics.models import AgreedCaseList, Diagnostic, TeamMember
from peerdiag.directory.models import Person

from .enums import (
    AgeBand,
    AuditDomain,
    AuditStatus,
    Cohort,
    Grade,
    SelectionMethod,
    SendAuditDomain,
    SharingMethod,
    SharingState,
)

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
    # The council's case reference format, a regular expression every reference on an uploaded
    # list must match in full (casereview/domain/lists.py). Empty: the standard check.
    reference_pattern = models.CharField("reference format", max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Case review of {self.diagnostic.reference}"


class CaseSharing(TimeStampedModel, Versioned):
    """How the council proposes to share its cases, and the PCM's answer (R26, decision 19).

    The organiser proposes a way and a named contact; the PCM accepts it or asks again with a
    reason. Only an accepted proposal counts: accepting it also records it on the review
    (`CaseReview.sharing_recorded_at`), which the gate and the release of cases read. It has a
    version of its own, so the council's proposal never meets the team's other changes to the
    review."""

    review = models.OneToOneField(CaseReview, on_delete=models.CASCADE, related_name="sharing")
    state = models.CharField(
        max_length=12, choices=SharingState.choices, blank=True, default=SharingState.NOT_PROPOSED
    )
    method = models.CharField(max_length=12, choices=SharingMethod.choices, blank=True)
    details = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why the PCM asked again (shown to the council; never e-mailed).
    reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Case sharing for {self.review_id}"


def normalise_reference(ref: str) -> str:
    """A case reference as compared for sameness: MOS-1 and ' mos-1' are one case."""
    return unicodedata.normalize("NFKC", ref).strip().upper()


def reference_digest(ref: str) -> str:
    """A keyed digest (HMAC-SHA256) of a normalised case reference, for the database to keep
    each reference once per list although the reference itself is encrypted.

    The key is derived from SECRET_KEY, not from the case content keys, so rotating those
    (PEERDIAG_CASE_KEYS) leaves every digest as it was. Rotating SECRET_KEY changes the digests
    of rows saved afterwards only; nothing looks rows up by digest (an import matches references
    after decrypting them), so old and new digests can sit side by side. Without the key, a
    digest cannot be checked against a guessed reference."""
    return salted_hmac(
        "peerdiag.casereview.CaseListEntry.ref_digest",
        normalise_reference(ref),
        algorithm="sha256",
    ).hexdigest()


class CaseListEntry(CodedModel):
    """One case on a list agreed at scoping.

    The reference, team and legal status are encrypted at rest (common/fields.py), so the
    database can neither search nor sort them: sort in Python after reading (by
    `pseudonymous_ref`), and let `ref_digest` keep each reference once per list."""

    case_list = models.ForeignKey(AgreedCaseList, on_delete=models.CASCADE, related_name="entries")
    pseudonymous_ref = EncryptedTextField("case reference")
    ref_digest = models.CharField(max_length=64, editable=False)
    cohort = models.CharField(max_length=20, choices=Cohort.choices)
    team = EncryptedTextField(blank=True)
    legal_status = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_list", "ref_digest"], name="case_entry_unique_ref"
            )
        ]

    def __str__(self) -> str:
        return self.pseudonymous_ref

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The digest always follows the reference, whoever saves it (import, retention).
        self.ref_digest = reference_digest(self.pseudonymous_ref)
        fields = kwargs.get("update_fields")
        if fields is not None and "pseudonymous_ref" in fields and "ref_digest" not in fields:
            kwargs["update_fields"] = [*fields, "ref_digest"]
        super().save(*args, **kwargs)


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
        # References are encrypted: pages sort by them in Python.
        ordering = ["entry__cohort", "pk"]
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
    # Social-care domains, or SEND headings on a SEND diagnostic (enums.audit_domains).
    domain = models.CharField(
        max_length=20, choices=[*AuditDomain.choices, *SendAuditDomain.choices]
    )
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
