"""The peer bench: profiles of the people who can serve as peers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, claim, created_by

from ..enums import LEAD_SENIORITY, Expertise, OrganisationKind, PeerRoleOffer, Seniority
from ..models import Organisation, PeerExpertise, PeerProfile, PeerRecentWork, Person


def save_peer_profile(
    person: Person,
    *,
    seniority: str,
    roles: list[str],
    expertise: list[str],
    summary: str = "",
    trained_on: date | None = None,
    availability_notes: str = "",
    active: bool = True,
    version: int | None,
    by: User | None = None,
) -> PeerProfile:
    """Create or update `person`'s bench profile.

    A peer works for a council; only a DCS or assistant director may offer to lead.
    `version` is the profile's version the person saw, 0 when they saw no profile; if someone
    saved it since, StaleEdit refuses the change (nothing saved).
    """
    if person.organisation.kind != OrganisationKind.COUNCIL:
        raise DomainError("Peers on the bench work for a council", field="person")
    if seniority not in Seniority.values:
        raise DomainError("Choose a seniority", field="seniority")
    unknown = set(roles) - set(PeerRoleOffer.values)
    if unknown or not roles:
        raise DomainError("Choose at least one role the peer can fill", field="roles")
    if PeerRoleOffer.LEAD_PEER in roles and seniority not in LEAD_SENIORITY:
        raise DomainError("Only a director or assistant director can be a lead peer", field="roles")
    if set(expertise) - set(Expertise.values):
        raise DomainError("Choose areas of expertise from the list", field="expertise")
    noun = f"the bench profile of {person}"
    with transaction.atomic():
        existing = PeerProfile.objects.filter(person=person).first()
        if existing is not None and version == 0:
            raise StaleEdit(existing, noun=noun)
        if existing is not None:
            claim(existing, version=version, by=by, noun=noun)
        profile = existing or PeerProfile(person=person, **created_by(by))
        profile.seniority, profile.roles = seniority, sorted(set(roles))
        profile.summary, profile.trained_on = summary.strip(), trained_on
        profile.availability_notes, profile.active = availability_notes.strip(), active
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            # Someone else put the person on the bench at the same moment.
            raise StaleEdit(PeerProfile.objects.get(person=person), noun=noun) from None
        profile.expertise.exclude(area__in=expertise).delete()
        for area in sorted(set(expertise)):
            PeerExpertise.objects.get_or_create(profile=profile, area=area)
    return profile


def declare_recent_work(
    profile: PeerProfile, *, council: Organisation, ended_on: date | None, description: str = ""
) -> PeerRecentWork:
    """Record work the peer did for a council; it blocks them from that council for 3 years."""
    if council.kind != OrganisationKind.COUNCIL:
        raise DomainError("Choose a council", field="council")
    return PeerRecentWork.objects.create(
        profile=profile, council=council, ended_on=ended_on, description=description.strip()
    )


def search_bench(
    *,
    text: str = "",
    role: str = "",
    expertise: str = "",
    region: str = "",
    include_inactive: bool = False,
) -> QuerySet[PeerProfile]:
    """Bench profiles matching every filter given, with what a list page shows prefetched."""
    qs = PeerProfile.objects.select_related("person__organisation").prefetch_related("expertise")
    if not include_inactive:
        qs = qs.filter(active=True)
    if text.strip():
        words = text.split()
        for word in words:
            qs = qs.filter(
                Q(person__full_name__icontains=word)
                | Q(person__job_title__icontains=word)
                | Q(person__organisation__name__icontains=word)
                | Q(summary__icontains=word)
            )
    if role:
        # Role offers are a short JSON list; a text match keeps this working on SQLite too.
        qs = qs.filter(roles__icontains=f'"{role}"')
    if expertise:
        qs = qs.filter(expertise__area=expertise)
    if region:
        qs = qs.filter(person__organisation__region=region)
    return qs.annotate(places=Count("person__team_places", distinct=True)).order_by(
        "person__full_name"
    )


def profile_roles_label(roles: list[str]) -> list[str]:
    return [str(PeerRoleOffer(r).label) for r in roles if r in PeerRoleOffer.values]


def add_to_bench(
    council: Organisation,
    *,
    by: User | None,
    full_name: str,
    job_title: str = "",
    email: str = "",
    **profile: Any,
) -> Person:
    """A new person at `council` with their bench profile (`profile`: save_peer_profile's
    fields), both or neither: a refused profile leaves no person behind."""
    from .people import add_person

    with transaction.atomic():
        person = add_person(council, full_name=full_name, job_title=job_title, email=email)
        save_peer_profile(person, by=by, version=0, **profile)  # a new person has no profile
    return person
