"""What the findings app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import Policy, destroyed, not_personal

from .retention import DIGESTS_STEP, NOTES_STEP

_CHOICE = not_personal("a fixed choice")
_OUTPUT = not_personal("the diagnostic's output, about the service; quotes only by group")

FIELDS: dict[str, dict[str, Policy]] = {
    "EvidenceNote": {
        "source_type": _CHOICE,
        "title": destroyed(NOTES_STEP, how="replaced by 'Destroyed note'"),
        "heard_from": destroyed(NOTES_STEP, how="blanked"),
        "body": destroyed(NOTES_STEP, how="blanked"),
        "polarity": _CHOICE,
    },
    "Quote": {
        "text": destroyed(NOTES_STEP, how="the quote is deleted with its note's content"),
        "group": destroyed(NOTES_STEP, how="deleted with the quote"),
        "override_reason": destroyed(NOTES_STEP, how="deleted with the quote"),
    },
    "Finding": {"kind": _CHOICE, "statement": _OUTPUT},
    "FindingEvidence": {"stance": _CHOICE},
    "Recommendation": {"text": _OUTPUT},
    "KitDigest": {
        "sponsor_response": destroyed(DIGESTS_STEP, how="replaced by a line saying so"),
    },
    "DigestItem": {"text": destroyed(DIGESTS_STEP, how="replaced by a line saying so")},
}
