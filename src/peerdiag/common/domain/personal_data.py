"""What the common app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import Policy, not_personal

FIELDS: dict[str, dict[str, Policy]] = {
    "Revision": {
        "data": not_personal(
            "earlier wordings of a diagnostic's outputs (findings, recommendations, written "
            "feedback sections): about the service, never naming a child; kept as long as the "
            "object they belong to and deleted with it"
        ),
    },
}
