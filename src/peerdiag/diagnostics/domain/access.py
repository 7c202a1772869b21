"""Who on the team may open sensitive documents and children's data (R37, R38, decision 8).

A peer is cleared when they have acknowledged the latest briefing and, where the council asks
for one, signed the current confidentiality agreement, while the diagnostic is open. Every
change of clearance is written down as a grant or a revocation by `sync_data_access`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from peerdiag.directory.enums import OrganisationKind
from peerdiag.directory.models import Person

from ..enums import ENDED, AccessEvent, TeamRole
from ..models import (
    BriefingAcknowledgement,
    DataAccessEvent,
    Diagnostic,
    Signature,
    TeamMember,
)

# Roles that read case records (children's data) as well as sensitive documents.
CHILD_DATA_ROLES = frozenset(
    {TeamRole.PEER_CHALLENGE_MANAGER, TeamRole.LEAD_PEER, TeamRole.CASE_AUDITOR}
)


@dataclass
class Clearance:
    cleared: bool
    missing: list[str] = field(default_factory=list)


def current_briefing_id(diagnostic: Diagnostic) -> int | None:
    return diagnostic.briefings.order_by("-version").values_list("pk", flat=True).first()


def current_agreement(diagnostic: Diagnostic):  # type: ignore[no-untyped-def]
    return diagnostic.agreements.order_by("-version").first()


def signature_counts(signature: Signature) -> bool:
    """A signature counts only on the current version and for the exact text signed."""
    agreement = signature.agreement
    latest = current_agreement(agreement.diagnostic)
    return (
        latest is not None
        and latest.pk == agreement.pk
        and signature.text_sha256 == agreement.text_sha256
    )


def clearances(diagnostic: Diagnostic) -> dict[int, Clearance]:
    """Person id → clearance, for every member of the team, in a fixed number of queries."""
    members = list(diagnostic.team.values_list("person_id", flat=True))
    briefing = current_briefing_id(diagnostic)
    acknowledged = set(
        BriefingAcknowledgement.objects.filter(briefing_id=briefing).values_list(
            "person_id", flat=True
        )
        if briefing
        else []
    )
    agreement = current_agreement(diagnostic)
    signed = set(
        Signature.objects.filter(
            agreement=agreement, text_sha256=agreement.text_sha256
        ).values_list("person_id", flat=True)
        if agreement
        else []
    )
    out = {}
    for person_id in members:
        missing = []
        if diagnostic.stage in ENDED:
            missing.append("The diagnostic has ended")
        if briefing is None:
            missing.append("The peer challenge manager has not issued the briefing")
        elif person_id not in acknowledged:
            missing.append("Acknowledge the latest briefing")
        if diagnostic.confidentiality_required is None:
            missing.append("The council has not said whether an agreement must be signed")
        elif diagnostic.confidentiality_required:
            if agreement is None:
                missing.append("The council has not supplied the agreement text")
            elif person_id not in signed:
                missing.append("Sign the current confidentiality agreement")
        out[person_id] = Clearance(cleared=not missing, missing=missing)
    return out


def clearance_for(diagnostic: Diagnostic, person: Person) -> Clearance:
    return clearances(diagnostic).get(
        person.pk, Clearance(cleared=False, missing=["Not on the team"])
    )


def latest_events(diagnostic: Diagnostic) -> dict[int, str]:
    """Person id → their latest grant or revocation, in one query."""
    latest: dict[int, str] = {}
    for person_id, event in (
        DataAccessEvent.objects.filter(diagnostic=diagnostic)
        .order_by("-at", "-id")
        .values_list("person_id", "event")
    ):
        latest.setdefault(person_id, event)  # newest first: the first seen is the latest
    return latest


def access_holders(diagnostic: Diagnostic) -> set[int]:
    """The people whose latest event is a grant."""
    return {p for p, event in latest_events(diagnostic).items() if event == AccessEvent.GRANTED}


def holds_access(diagnostic: Diagnostic, person_id: int) -> bool:
    return person_id in access_holders(diagnostic)


def sync_data_access(diagnostic: Diagnostic, *, reason: str) -> list[DataAccessEvent]:
    """Write a grant or revocation for every person whose clearance changed; returns them.

    People who left the team lose access too.
    """
    with transaction.atomic():
        now = clearances(diagnostic)
        last = latest_events(diagnostic)
        made = []
        for person_id in sorted(set(now) | set(last)):
            holds = last.get(person_id) == AccessEvent.GRANTED
            should = person_id in now and now[person_id].cleared
            if holds != should:
                made.append(
                    DataAccessEvent.objects.create(
                        diagnostic=diagnostic,
                        person_id=person_id,
                        event=AccessEvent.GRANTED if should else AccessEvent.REVOKED,
                        reason=reason[:300],
                    )
                )
    return made


def needs_two_factor(user: Any) -> bool:
    """Who signs in with a second factor (LGA administrators are covered by the accounts app):

    - LGA staff, and anyone who is a peer challenge manager of any diagnostic: they see more
      than one council;
    - whoever can see children's data: the PCM, lead peer and case auditors of any diagnostic
      that is still open.
    """
    person = getattr(user, "person", None)
    if person is None:
        return False
    if person.organisation.kind == OrganisationKind.LGA:
        return True
    return (
        TeamMember.objects.filter(person=person)
        .filter(
            Q(role=TeamRole.PEER_CHALLENGE_MANAGER)
            | (Q(role__in=CHILD_DATA_ROLES) & ~Q(diagnostic__stage__in=ENDED))
        )
        .exists()
    )
