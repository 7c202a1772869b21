"""What the documents app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import Policy, destroyed, not_personal

from .retention import STEP

_CHOICE = not_personal("a fixed choice")

FIELDS: dict[str, dict[str, Policy]] = {
    "DocumentTemplateItem": {
        "type": _CHOICE,
        "title": not_personal("names a kind of document on the LGA's standard list"),
        "category": _CHOICE,
    },
    "DocumentRequest": {
        "title": not_personal("names a kind of document"),
        "category": _CHOICE,
        "notes": not_personal("what the PCM asks for"),
        "status": _CHOICE,
        "return_comment": not_personal("why a document was sent back"),
    },
    "DocumentVersion": {
        "file": destroyed(
            STEP,
            how="deleted from storage when classed 'contains personal data'; other "
            "classifications describe the service and stay",
        ),
        "original_name": destroyed(
            STEP, how="replaced with 'Version n (file destroyed)' along with the file"
        ),
        "content_type": not_personal(),
        "classification": _CHOICE,
        "sha256": not_personal("a checksum"),
    },
}
