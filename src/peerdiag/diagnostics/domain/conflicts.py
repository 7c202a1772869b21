"""Conflicts of interest between a peer and a host council (R7).

Blocked: the peer works for the host, or worked for it in the last three years (from their
bench profile or their declaration for this diagnostic). Warned: the peer's council is in the
host's region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.directory.models import PeerRecentWork, Person

from ..enums import ENDED
from ..models import ConflictDeclaration, Diagnostic
from . import audit

LOOK_BACK = timedelta(days=3 * 365)


@dataclass
class Conflicts:
    blocked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def conflicts_for(
    diagnostic: Diagnostic, person: Person, *, today: date | None = None
) -> Conflicts:
    return conflicts_for_many(diagnostic, [person], today=today)[person.pk]


def conflicts_for_many(
    diagnostic: Diagnostic, people: list[Person], *, today: date | None = None
) -> dict[int, Conflicts]:
    """Person id → conflicts, for many people in a fixed number of queries."""
    today = today or timezone.localdate()
    ids = [p.pk for p in people]
    recent: dict[int, PeerRecentWork] = {}
    for work in PeerRecentWork.objects.filter(
        profile__person_id__in=ids, council=diagnostic.host_council_id
    ).select_related("profile"):
        # Keep the work that ended last, work still going on above all (databases disagree
        # on where empty dates sort, so this is decided here, not by ORDER BY).
        kept = recent.get(work.profile.person_id)
        if kept is None or _ends_later(work, kept):
            recent[work.profile.person_id] = work
    declared = set(
        diagnostic.conflict_declarations.filter(
            person_id__in=ids, worked_for_host=True
        ).values_list("person_id", flat=True)
    )
    return {
        p.pk: _conflicts(diagnostic, p, recent.get(p.pk), p.pk in declared, today) for p in people
    }


def _ends_later(a: PeerRecentWork, b: PeerRecentWork) -> bool:
    if a.ended_on is None:
        return b.ended_on is not None
    return b.ended_on is not None and a.ended_on > b.ended_on


def _conflicts(
    diagnostic: Diagnostic,
    person: Person,
    recent: PeerRecentWork | None,
    declared: bool,
    today: date,
) -> Conflicts:
    host = diagnostic.host_council
    out = Conflicts()
    if person.organisation_id == host.pk:
        out.blocked.append(f"{person} works for {host}, the host council")
    if recent is not None and (recent.ended_on is None or recent.ended_on >= today - LOOK_BACK):
        when = "still" if recent.ended_on is None else f"until {recent.ended_on:%B %Y}"
        out.blocked.append(f"{person} worked for {host} {when}")
    if declared:
        out.blocked.append(f"{person} declared work for {host} in the last three years")
    if (
        host.region
        and person.organisation.region == host.region
        and person.organisation_id != host.pk
    ):
        out.warnings.append(
            f"{person} works in the same region as the host ({host.get_region_display()})"
        )
    return out


def declare_interests(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    person: Person,
    worked_for_host: bool,
    details: str = "",
) -> ConflictDeclaration:
    """Record a peer's declaration of interests for this diagnostic (replacing an earlier one).

    Side effects: audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    if not diagnostic.team.filter(person=person).exists():
        raise DomainError("Only a member of the team makes a declaration here", field="person")
    if worked_for_host and not details.strip():
        raise DomainError("Say what the work for the host council was", field="details")
    with transaction.atomic():
        declaration, _ = ConflictDeclaration.objects.update_or_create(
            diagnostic=diagnostic,
            person=person,
            defaults={
                "worked_for_host": worked_for_host,
                "details": details.strip(),
                "declared_at": timezone.now(),
            },
        )
        audit.record(
            diagnostic,
            by=by,
            action="conflicts",
            summary=f"{person} declared "
            + ("work for the host council" if worked_for_host else "no conflict of interest"),
        )
    return declaration
