"""Organisations and people. A person may or may not have a login."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned

from .enums import LEAD_SENIORITY, Expertise, OrganisationKind, Region, Seniority


class Organisation(CodedModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    region = models.CharField(max_length=30, choices=Region.choices, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_council(self) -> bool:
        return self.kind == OrganisationKind.COUNCIL

    @property
    def is_lga(self) -> bool:
        return self.kind == OrganisationKind.LGA


class Person(CodedModel, Versioned):
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    # Set by a person, not guessed from the job title ("Director of Finance" is not one):
    # a diagnostic's sponsor is expected to be the DCS or equivalent.
    is_dcs_or_equivalent = models.BooleanField(
        "Director of Children's Services (or equivalent)", default=False
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name


class PeerProfile(TimeStampedModel, Versioned):
    """A person on the peer bench: what they can do, what they know, when they trained."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="peer_profile")
    seniority = models.CharField(max_length=20, choices=Seniority.choices)
    roles = models.JSONField(
        default=list, help_text="Peer roles offered: lead_peer, operational_manager, case_auditor"
    )
    summary = models.TextField(blank=True, help_text="A short profile the council will see")
    trained_on = models.DateField(null=True, blank=True)
    availability_notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["person__full_name"]

    def __str__(self) -> str:
        return f"Peer profile of {self.person}"

    @property
    def may_lead(self) -> bool:
        return self.seniority in LEAD_SENIORITY


class PeerExpertise(models.Model):
    """One area a peer knows well (a row each, so the bench can be filtered on any database)."""

    profile = models.ForeignKey(PeerProfile, on_delete=models.CASCADE, related_name="expertise")
    area = models.CharField(max_length=30, choices=Expertise.choices)

    class Meta:
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "area"], name="peer_expertise_once")
        ]

    def __str__(self) -> str:
        return str(Expertise(self.area).label)


class PeerRecentWork(models.Model):
    """Work a peer declared for a council (employment, consultancy, interim): a conflict for
    three years after it ended."""

    profile = models.ForeignKey(PeerProfile, on_delete=models.CASCADE, related_name="recent_work")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True, help_text="Empty while it goes on")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-ended_on"]

    def __str__(self) -> str:
        return f"{self.profile.person} at {self.council}"
