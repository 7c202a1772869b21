"""Who may do what with the delivery-week timetable, built from the diagnostics predicates.

The organiser (any user at the host council) and the PCM agree and plan the week together, so
both may plan and publish. Peers read it. Sessions marked internal (peer team meetings, drafting)
are only shown to those holding `timetable.view_internal`.
"""

import rules

from peerdiag.diagnostics.rules import (
    is_host_council_user,
    is_lga_admin,
    is_manager,
    is_on_team,
)

rules.add_perm("timetable.view", is_lga_admin | is_on_team | is_host_council_user)
rules.add_perm("timetable.view_internal", is_lga_admin | is_on_team)
rules.add_perm("timetable.plan", is_lga_admin | is_manager | is_host_council_user)
rules.add_perm("timetable.publish", is_lga_admin | is_manager | is_host_council_user)
# Marking KIT and peer team meetings as held during delivery.
rules.add_perm("timetable.record_held", is_lga_admin | is_manager)
