"""What the directory's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import ERASED, Policy, not_personal

FIELDS: dict[str, dict[str, Policy]] = {
    "Organisation": {
        "name": not_personal("a council's or other body's name"),
        "kind": not_personal(),
        "region": not_personal(),
    },
    "Person": {"full_name": ERASED, "job_title": ERASED, "email": ERASED, "phone": ERASED},
    "PeerProfile": {
        "seniority": ERASED,
        "roles": ERASED,
        "summary": ERASED,
        "availability_notes": ERASED,
    },
    "PeerExpertise": {"area": ERASED},
    "PeerRecentWork": {"description": ERASED},
}
