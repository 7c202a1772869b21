"""What the messaging app's fields hold (see peerdiag.common.personal_data).

Messages are the diagnostic's correspondence between the council and the LGA team, like the
factual-accuracy comments and the KIT digests: their text (and any reason for hiding one) is
destroyed on the diagnostic's destroy-by date by the `messaging.messages` step.
"""

from peerdiag.common.personal_data import Policy, destroyed, not_personal

from .retention import STEP

_REMOVED = "replaced by a line saying it was removed"

FIELDS: dict[str, dict[str, Policy]] = {
    "Message": {
        "side": not_personal("a fixed choice"),
        "text": destroyed(STEP, how=_REMOVED),
        "hidden_reason": destroyed(STEP, how=_REMOVED),
    },
}
