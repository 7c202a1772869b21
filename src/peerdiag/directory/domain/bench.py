"""The peer bench: profiles of the people who can serve as peers."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from peerdiag.common.errors import DomainError

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
) -> PeerProfile:
    """Create or update `person`'s bench profile.

    A peer works for a council; only a DCS or assistant director may offer to lead.
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
    with transaction.atomic():
        profile, _ = PeerProfile.objects.update_or_create(
            person=person,
            defaults={
                "seniority": seniority,
                "roles": sorted(set(roles)),
                "summary": summary.strip(),
                "trained_on": trained_on,
                "availability_notes": availability_notes.strip(),
                "active": active,
            },
        )
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
