"""Re-encrypting all case content under the newest key (after a key is added in front)."""

from __future__ import annotations

from django.db import transaction

from ..crypto import rotate
from ..models import CaseAudit, DomainGrade, Moderation, PractitionerContact, SafeguardingConcern

ENCRYPTED = (
    (CaseAudit, ("difference_enc",)),
    (DomainGrade, ("evidence_enc", "commentary_enc")),
    (PractitionerContact, ("note_enc",)),
    (Moderation, ("note_enc",)),
    (SafeguardingConcern, ("summary_enc",)),
)


def rotate_all() -> int:
    """Re-encrypt every stored token with the newest key; returns how many rows changed."""
    changed = 0
    with transaction.atomic():
        for model, fields in ENCRYPTED:
            for row in model.objects.select_for_update().only("pk", *fields).iterator():  # type: ignore[attr-defined]
                new = {f: rotate(getattr(row, f)) for f in fields}
                if any(new[f] != getattr(row, f) for f in fields):
                    model.objects.filter(pk=row.pk).update(**new)  # type: ignore[attr-defined]
                    changed += 1
    return changed
