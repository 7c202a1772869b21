"""Re-encrypting all encrypted content under the newest key (after a key is added in front).

The case review keeps its content as Fernet tokens in plain text fields (ENCRYPTED); every
EncryptedTextField of any app (evidence notes, quotes, KIT digests, case lists) is found by
`peerdiag.common.fields.rotate_keys` itself.
"""

from __future__ import annotations

from peerdiag.common.fields import rotate_keys

from ..models import CaseAudit, DomainGrade, Moderation, PractitionerContact, SafeguardingConcern

ENCRYPTED = (
    (CaseAudit, ("difference_enc",)),
    (DomainGrade, ("evidence_enc", "commentary_enc")),
    (PractitionerContact, ("note_enc",)),
    (Moderation, ("note_enc",)),
    (SafeguardingConcern, ("summary_enc",)),
)


def rotate_by_model() -> dict[str, int]:
    """Re-encrypt every stored token not yet under the newest key; rows changed per model."""
    return rotate_keys(extra=ENCRYPTED)


def rotate_all() -> int:
    """Re-encrypt every stored token not yet under the newest key; returns how many rows
    changed (0 when run again)."""
    return sum(rotate_by_model().values())
