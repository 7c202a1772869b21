"""Who may do what with a diagnostic. The web pages and the API check these same names.

A user's relation to a diagnostic (LGA admin, its PCM, a peer on its team, a user at its host
council, or nobody) is worked out once per diagnostic object and kept on it for the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules

from .enums import CouncilRoleKind, TeamRole


@dataclass(frozen=True)
class Relation:
    admin: bool = False
    team_roles: frozenset[str] = frozenset()
    council: bool = False
    lga_staff: bool = False

    @property
    def pcm(self) -> bool:
        return TeamRole.PEER_CHALLENGE_MANAGER in self.team_roles

    @property
    def on_team(self) -> bool:
        return bool(self.team_roles)


def _person(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Exception:  # no Person for this login
        return None


def relation(user: Any, diagnostic: Any) -> Relation:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Relation()
    cache = diagnostic.__dict__.setdefault("_pd_relations", {})
    if user.pk in cache:
        return cache[user.pk]
    person = _person(user)
    roles: frozenset[str] = frozenset()
    council = lga = False
    if person is not None:
        roles = frozenset(
            diagnostic.team.filter(person_id=person.pk).values_list("role", flat=True)
        )
        council = person.organisation_id == diagnostic.host_council_id
        lga = person.organisation.kind == "lga"
    rel = Relation(admin=user.is_staff, team_roles=roles, council=council, lga_staff=lga)
    cache[user.pk] = rel
    return rel


@rules.predicate
def is_lga_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


@rules.predicate
def is_lga_staff(user: Any) -> bool:
    person = _person(user)
    return person is not None and user.is_active and person.organisation.kind == "lga"


@rules.predicate
def is_manager(user: Any, diagnostic: Any) -> bool:
    return relation(user, diagnostic).pcm


@rules.predicate
def is_on_team(user: Any, diagnostic: Any) -> bool:
    return relation(user, diagnostic).on_team


@rules.predicate
def is_host_council_user(user: Any, diagnostic: Any) -> bool:
    return relation(user, diagnostic).council


@rules.predicate
def may_see_child_data_by_role(user: Any, diagnostic: Any) -> bool:
    roles = relation(user, diagnostic).team_roles
    return bool(
        roles & {TeamRole.PEER_CHALLENGE_MANAGER, TeamRole.LEAD_PEER, TeamRole.CASE_AUDITOR}
    )


@rules.predicate
def has_data_access_clearance(user: Any, diagnostic: Any) -> bool:
    """Briefing acknowledged and, where required, agreement signed, while the diagnostic is open."""
    from .domain.access import clearance_for

    person = _person(user)
    if person is None or not relation(user, diagnostic).on_team:
        return False
    return clearance_for(diagnostic, person).cleared


def council_roles_of(user: Any, diagnostic: Any) -> frozenset[str]:
    """The council roles (sponsor, organiser...) the user holds on this diagnostic. A role is
    held on the diagnostic itself, so only the host council's people ever have one. Kept on the
    diagnostic object, so a page asking several predicates makes one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    person = _person(user)
    if person is None:
        return frozenset()
    cache = diagnostic.__dict__.setdefault("_pd_council_roles", {})
    if user.pk not in cache:
        cache[user.pk] = frozenset(
            diagnostic.council_roles.filter(person_id=person.pk).values_list("role", flat=True)
        )
    return cache[user.pk]  # type: ignore[no-any-return]


@rules.predicate
def is_sponsor(user: Any, diagnostic: Any) -> bool:
    """The diagnostic's sponsor (the council's sponsor role), and nobody on their behalf."""
    return CouncilRoleKind.SPONSOR in council_roles_of(user, diagnostic)


@rules.predicate
def is_organiser(user: Any, diagnostic: Any) -> bool:
    """The council's single point of contact for this diagnostic."""
    return CouncilRoleKind.ORGANISER in council_roles_of(user, diagnostic)


is_sponsor_or_organiser = is_sponsor | is_organiser


@rules.predicate
def owns_profile(user: Any, profile: Any) -> bool:
    person = _person(user)
    return person is not None and profile is not None and profile.person_id == person.pk


rules.add_perm("diagnostics.add_diagnostic", is_lga_admin | is_lga_staff)
rules.add_perm("diagnostics.list_all_diagnostics", is_lga_admin)
rules.add_perm("diagnostics.view_diagnostic", is_lga_admin | is_on_team | is_host_council_user)
rules.add_perm("diagnostics.view_internal", is_lga_admin | is_on_team)
rules.add_perm("diagnostics.view_audit", is_lga_admin | is_on_team)
rules.add_perm("diagnostics.change_diagnostic", is_lga_admin | is_manager)
rules.add_perm("diagnostics.advance_diagnostic", is_lga_admin | is_manager)
rules.add_perm(
    "diagnostics.view_child_data", may_see_child_data_by_role & has_data_access_clearance
)
rules.add_perm("diagnostics.open_sensitive_documents", is_on_team & has_data_access_clearance)
# The sponsor's confirmation of the scope (issue 17): only the sponsor answers.
rules.add_perm("diagnostics.confirm_scope", is_sponsor)
# The peer team.
rules.add_perm("diagnostics.manage_team", is_lga_admin | is_manager)
rules.add_perm("diagnostics.decide_on_peers", is_lga_admin | is_host_council_user)
rules.add_perm("diagnostics.set_confidentiality", is_lga_admin | is_manager | is_host_council_user)
rules.add_perm("diagnostics.act_as_peer", is_on_team)
# The outbox of a diagnostic's e-mails (issue 18): its PCM and the LGA administrators only.
may_use_outbox = is_lga_admin | is_manager
rules.add_perm("diagnostics.view_outbox", may_use_outbox)
rules.add_perm("diagnostics.resend_email", may_use_outbox)
# The peer bench (directory), kept here with the other predicates.
rules.add_perm("directory.view_bench", is_lga_admin | is_lga_staff)
rules.add_perm("directory.change_peer_profile", is_lga_admin | is_lga_staff | owns_profile)


# Council requests for a diagnostic (issue 17).
@rules.predicate
def is_council_user(user: Any) -> bool:
    """Anyone signed in whose person belongs to a council (its DCS, or someone they name)."""
    person = _person(user)
    return person is not None and user.is_active and person.organisation.kind == "council"


rules.add_perm("diagnostics.request_diagnostic", is_council_user)
# Reading a request: whoever may see its diagnostic (the LGA admins, its team, its council).
rules.add_perm("diagnostics.view_council_request", is_lga_admin | is_on_team | is_host_council_user)
rules.add_perm("diagnostics.decline_council_request", is_lga_admin | is_manager)
