"""A diagnostic and its parts. Writes go through diagnostics/domain/, never straight to fields."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned
from peerdiag.directory.models import Organisation, Person

from .enums import (
    SINGLE_COUNCIL_ROLES,
    AccessEvent,
    CouncilDecision,
    CouncilRoleKind,
    DiagnosticType,
    EndorsementStatus,
    EndorserRole,
    FeedbackFormat,
    Platform,
    Stage,
    Suitability,
    TeamRole,
)


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year (RPD-2027-014 is the 14th of 2027)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Diagnostic(TimeStampedModel, Versioned):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    type = models.CharField(max_length=30, choices=DiagnosticType.choices)
    type_other = models.CharField("other type", max_length=200, blank=True)
    host_council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="hosted_diagnostics"
    )
    title = models.CharField(max_length=200)
    focus_statement = models.TextField(blank=True)
    covid_theme = models.BooleanField("COVID-19 theme", null=True, blank=True)
    online_platform = models.CharField(max_length=10, choices=Platform.choices, blank=True)
    online_platform_other = models.CharField(max_length=100, blank=True)
    case_review_in_scope = models.BooleanField(null=True, blank=True)
    written_feedback_format = models.CharField(
        max_length=10, choices=FeedbackFormat.choices, blank=True
    )
    suitability = models.CharField(max_length=20, choices=Suitability.choices, blank=True)
    suitability_rationale = models.TextField(blank=True)
    day1 = models.DateField("delivery day 1", null=True, blank=True)
    written_feedback_issued_on = models.DateField(null=True, blank=True)
    confidentiality_required = models.BooleanField(
        "confidentiality agreement required", null=True, blank=True
    )
    internal_notes = models.TextField(blank=True)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.ENQUIRY)
    stage_before_pause = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    # When the PCM or an LGA admin destroyed the working data before the destroy-by date, so the
    # diagnostic could close (evaluation/domain/closing.py); the audit trail records who.
    destroyed_early_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["type"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def type_label(self) -> str:
        if self.type == DiagnosticType.OTHER and self.type_other:
            return self.type_other
        return str(DiagnosticType(self.type).label)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def platform_label(self) -> str:
        if self.online_platform == Platform.OTHER and self.online_platform_other:
            return self.online_platform_other
        return str(Platform(self.online_platform).label) if self.online_platform else ""


class Kloe(CodedModel, Versioned):
    """A key line of enquiry. `order` is 1-based and dense within a diagnostic."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="kloes")
    text = models.TextField()
    theme = models.CharField(max_length=100, blank=True)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["order"]
        verbose_name = "KLOE"

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class CouncilRole(CodedModel, Versioned):
    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="council_roles"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="council_roles")
    role = models.CharField(max_length=20, choices=CouncilRoleKind.choices)

    class Meta:
        ordering = ["role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "role"],
                condition=models.Q(role__in=sorted(str(r) for r in SINGLE_COUNCIL_ROLES)),
                name="council_role_single_holder",
            ),
            models.UniqueConstraint(
                fields=["diagnostic", "role", "person"], name="council_role_unique_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{CouncilRoleKind(self.role).label}: {self.person}"


class Endorsement(CodedModel, Versioned):
    """The lead member's or chief executive's endorsement, possibly still pending."""

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="endorsements"
    )
    role = models.CharField(max_length=20, choices=EndorserRole.choices)
    status = models.CharField(max_length=10, choices=EndorsementStatus.choices)
    given_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    file = models.FileField(upload_to="endorsements/", blank=True)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "role"], name="endorsement_one_per_role")
        ]

    def __str__(self) -> str:
        return f"{EndorserRole(self.role).label}: {EndorsementStatus(self.status).label}"


class ScopingMeeting(TimeStampedModel, Versioned):
    diagnostic = models.OneToOneField(Diagnostic, on_delete=models.CASCADE, related_name="scoping")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    attendees = models.ManyToManyField(Person, blank=True, related_name="scoping_meetings")
    team_requirements = models.TextField(blank=True)
    background_information = models.TextField(blank=True)
    # The online meeting (issue 17): its link and the calendar invitations sent for it.
    meeting_link = models.CharField(max_length=500, blank=True)
    duration_minutes = models.PositiveIntegerField(default=60)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    invitation_sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Scoping for {self.diagnostic.reference}"


class AgreedCaseList(CodedModel, Versioned):
    """A list of cases agreed at scoping, from which case review samples may be drawn."""

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="agreed_case_lists"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "name"], name="case_list_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(CodedModel, Versioned):
    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="team_places")
    role = models.CharField(max_length=30, choices=TeamRole.choices)
    council_decision = models.CharField(
        max_length=10, choices=CouncilDecision.choices, default=CouncilDecision.PENDING
    )
    council_reason = models.TextField(blank=True)
    council_decided_at = models.DateTimeField(null=True, blank=True)
    continues_to_delivery = models.BooleanField(
        default=False, help_text="For a case auditor: stays on the team into delivery"
    )

    class Meta:
        ordering = ["role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "person"], name="team_member_once")
        ]

    def __str__(self) -> str:
        return f"{TeamRole(self.role).label}: {self.person}"


class ConflictDeclaration(TimeStampedModel):
    """A peer's declaration of interests for one diagnostic."""

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    worked_for_host = models.BooleanField(
        help_text="Worked for the host council in the last three years"
    )
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "person"], name="one_declaration")
        ]

    def __str__(self) -> str:
        return f"Declaration of {self.person}"


class Briefing(CodedModel, Versioned):
    """A version of the Peer Team Briefing issued by the PCM."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="briefings")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to="briefings/")
    original_name = models.CharField(max_length=200)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "version"], name="briefing_version")
        ]

    def __str__(self) -> str:
        return f"Briefing v{self.version}"


class BriefingAcknowledgement(models.Model):
    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["briefing", "person"], name="acknowledged_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} read {self.briefing}"


class ConfidentialityAgreement(CodedModel, Versioned):
    """A version of the agreement text the council asks peers to sign."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "version"], name="agreement_version")
        ]

    def __str__(self) -> str:
        return f"Confidentiality agreement v{self.version}"


class Signature(models.Model):
    """A peer's signature: typed name, time, and the hash of the exact text signed."""

    agreement = models.ForeignKey(
        ConfidentialityAgreement, on_delete=models.CASCADE, related_name="signatures"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agreement", "person"], name="signed_once")]

    def __str__(self) -> str:
        return f"{self.typed_name} signed {self.agreement}"


class DataAccessEvent(models.Model):
    """A grant or revocation of a peer's access to sensitive and child-level data."""

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.PROTECT, related_name="data_access_events"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=10, choices=AccessEvent.choices)
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} for {self.person}"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail cannot be deleted")


class AuditEntry(models.Model):
    """One change to a diagnostic or one of its parts. Written once, never changed."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.PROTECT, related_name="audit")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: deleting a user must not rewrite who did what (the trail has no update path).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=list, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return self.summary

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit trail cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail cannot be deleted")


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the LGA"
    DECLINED = "declined", "Declined by the LGA"


class CouncilRequest(CodedModel, Versioned):
    """What a council said when it asked for a diagnostic (issue 17).

    The request opens a diagnostic at the enquiry stage straight away, so the LGA finds it on the
    dashboard like any other enquiry; this row keeps who asked and what they told us. The proposed
    sponsor and organiser are kept as text: the LGA confirms them (as council roles) at scoping.
    """

    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="council_request"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    concerns = models.TextField("what worries the council")
    preferred_weeks = models.JSONField(
        default=list, help_text="One to three week-commencing dates (Mondays), ISO format"
    )
    sponsor_name = models.CharField(max_length=200)
    sponsor_email = models.EmailField()
    sponsor_job_title = models.CharField(max_length=200)
    organiser_name = models.CharField(max_length=200)
    organiser_email = models.EmailField()
    organiser_job_title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default="open")
    decline_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Request for {self.diagnostic.reference}"


# --- The sponsor's confirmation of the scope (issue 17) -----------------------------------------


class ScopeDecision(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed the scope"
    CHANGES_REQUESTED = "changes_requested", "Asked for changes"


class ScopeConfirmation(CodedModel):
    """The sponsor's answer on the scope: the focus, the key lines of enquiry in order and
    whether a case record review is in scope, exactly as they saw them (`fingerprint`, and the
    texts themselves so a later change can be shown). Written once, never changed."""

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="scope_confirmations"
    )
    decision = models.CharField(max_length=20, choices=ScopeDecision.choices)
    comment = models.TextField(blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)
    focus = models.TextField(blank=True)
    kloes = models.JSONField(default=list, blank=True)
    case_review_in_scope = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{ScopeDecision(self.decision).label} ({self.diagnostic_id})"
