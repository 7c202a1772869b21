"""Who may do what with key documents. Built from the diagnostics app's predicates.

Sensitive versions (official-sensitive, containing personal data) are opened through the
`diagnostics.open_sensitive_documents` rule (cleared members of the team only); the web
`sensitive("documents")` decorator and the API both check it.
"""

import rules

from peerdiag.diagnostics.rules import (
    is_host_council_user,
    is_lga_admin,
    is_manager,
    is_on_team,
)

rules.add_perm("documents.view_requests", is_lga_admin | is_on_team | is_host_council_user)
rules.add_perm("documents.manage_requests", is_lga_admin | is_manager)
# The council supplies; the PCM may upload on its behalf (a file sent by e-mail, say).
rules.add_perm("documents.supply_document", is_lga_admin | is_manager | is_host_council_user)
# Public and official versions.
rules.add_perm("documents.download_document", is_lga_admin | is_on_team | is_host_council_user)
