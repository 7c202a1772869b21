"""Who may do what with the delivery-week timetable, built from the diagnostics predicates.

The organiser (the council's single point of contact) and the PCM plan the week together, so
both may plan and publish; LGA administrators may too. The sponsor and other council users read
it, and the organiser or the sponsor agrees a published version for the council (decision 19).
Peers read it. Sessions marked internal (peer team meetings, drafting) are only shown to those
holding `timetable.view_internal`.
"""

import rules

from peerdiag.diagnostics.rules import (
    is_host_council_user,
    is_lga_admin,
    is_manager,
    is_on_team,
    is_organiser,
    is_sponsor,
)

rules.add_perm("timetable.view", is_lga_admin | is_on_team | is_host_council_user)
rules.add_perm("timetable.view_internal", is_lga_admin | is_on_team)
rules.add_perm("timetable.plan", is_lga_admin | is_manager | is_organiser)
rules.add_perm("timetable.publish", is_lga_admin | is_manager | is_organiser)
# The council's agreement of a published version.
rules.add_perm("timetable.agree", is_organiser | is_sponsor)
# Marking KIT and peer team meetings as held during delivery.
rules.add_perm("timetable.record_held", is_lga_admin | is_manager)
# Recording attendance at interviews and focus groups (held, moved, did not attend, counts).
rules.add_perm("timetable.record_attendance", is_lga_admin | is_manager | is_organiser)
# Dismissing (and bringing back) a "who must be heard" warning of the coverage page (issue 17).
rules.add_perm("timetable.dismiss_must_hear", is_lga_admin | is_manager)
