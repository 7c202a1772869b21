"""Who may do what with evidence and findings. The council never sees notes, findings, meeting
packs or digests; it sees only the digest items the lead peer marked as shared with the sponsor.
"""

from __future__ import annotations

from typing import Any

import rules

from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.rules import (
    is_host_council_user,
    is_lga_admin,
    is_manager,
    is_on_team,
    relation,
)


@rules.predicate
def is_lead_peer(user: Any, diagnostic: Any) -> bool:
    return TeamRole.LEAD_PEER in relation(user, diagnostic).team_roles


rules.add_perm("findings.view", is_lga_admin | is_on_team)
# Notes are written by the team's own members (each note has a peer as its author).
rules.add_perm("findings.write", is_on_team)


@rules.predicate
def is_note_author(user: Any, note: Any) -> bool:
    """The peer who wrote the note (an EvidenceNote); nobody else changes it."""
    author = getattr(note, "author", None)
    return author is not None and author.person.user_id == getattr(user, "pk", None)


# A note is changed only by its author (the pages and the API ask this of the note itself).
rules.add_perm("findings.change_note", is_note_author)
# The drafting board and the digest are the lead peer's; the PCM may stand in.
rules.add_perm("findings.lead", is_lead_peer | is_manager)
# Letting a quote from a small group into the outputs.
rules.add_perm("findings.override_quote", is_manager)
rules.add_perm("findings.view_shared_digest", is_lga_admin | is_on_team | is_host_council_user)
