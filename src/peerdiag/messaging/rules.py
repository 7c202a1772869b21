"""Who may read and write a diagnostic's messages thread.

Two sides: the council (its sponsor and organiser) and the LGA team (LGA administrators and
everyone on the peer team, the PCM included). Only the PCM (or an LGA administrator) hides a
message. Other council users see the diagnostic but not the thread.
"""

from __future__ import annotations

import rules

from peerdiag.diagnostics.rules import (
    is_lga_admin,
    is_manager,
    is_on_team,
    is_sponsor_or_organiser,
)

# The council's side of the thread: its sponsor and organiser.
is_council_contact = is_sponsor_or_organiser

is_lga_side = is_lga_admin | is_on_team

rules.add_perm("messaging.use_thread", is_lga_side | is_council_contact)
rules.add_perm("messaging.hide_message", is_lga_admin | is_manager)
