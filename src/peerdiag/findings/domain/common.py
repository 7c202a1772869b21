"""Small helpers shared by the findings domain functions."""

from __future__ import annotations

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember


def refuse_if_ended(diagnostic: Diagnostic) -> None:
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its evidence can no longer change")


def member_for(diagnostic: Diagnostic, user: User | None) -> TeamMember:
    """The acting user's place on the team (the author of what they write)."""
    person = getattr(user, "person", None) if user is not None else None
    member = (
        TeamMember.objects.filter(diagnostic=diagnostic, person=person).order_by("pk").first()
        if person is not None
        else None
    )
    if member is None:
        raise DomainError("Only members of the peer team can write evidence and findings")
    return member


def kloes_of(diagnostic: Diagnostic, kloes: list[Kloe] | None) -> list[Kloe]:
    chosen = list(kloes or [])
    if any(k.diagnostic_id != diagnostic.pk for k in chosen):
        raise DomainError("Choose lines of enquiry of this diagnostic", field="kloes")
    return chosen
