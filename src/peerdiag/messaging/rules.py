"""Who may read and write a diagnostic's messages thread.

Two sides: the council (its sponsor and organiser) and the LGA team (LGA administrators and
everyone on the peer team, the PCM included). Only the PCM (or an LGA administrator) hides a
message. Other council users see the diagnostic but not the thread.
"""

from __future__ import annotations

from typing import Any

import rules

from peerdiag.diagnostics.enums import CouncilRoleKind
from peerdiag.diagnostics.rules import (
    is_host_council_user,
    is_lga_admin,
    is_manager,
    is_on_team,
)

THREAD_ROLES = frozenset({CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER})


def _council_roles(user: Any, diagnostic: Any) -> frozenset[str]:
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    if person is None:
        return frozenset()
    cache = diagnostic.__dict__.setdefault("_pd_thread_roles", {})
    if user.pk not in cache:
        cache[user.pk] = frozenset(
            diagnostic.council_roles.filter(person_id=person.pk).values_list("role", flat=True)
        )
    return cache[user.pk]  # type: ignore[no-any-return]


@rules.predicate
def is_council_contact(user: Any, diagnostic: Any) -> bool:
    """The host council's sponsor or organiser of this diagnostic."""
    return bool(
        is_host_council_user(user, diagnostic) and _council_roles(user, diagnostic) & THREAD_ROLES
    )


is_lga_side = is_lga_admin | is_on_team

rules.add_perm("messaging.use_thread", is_lga_side | is_council_contact)
rules.add_perm("messaging.hide_message", is_lga_admin | is_manager)
