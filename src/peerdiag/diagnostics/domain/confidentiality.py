"""The confidentiality agreement: the council's choice and text; each peer's signature."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.models import Versioned
from peerdiag.common.versioning import StaleEdit, created_by
from peerdiag.directory.models import Person

from ..enums import ENDED
from ..models import ConfidentialityAgreement, Diagnostic, Signature
from . import audit
from .access import current_agreement, sync_data_access


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shown_version(diagnostic: Diagnostic) -> int:
    """The version a page or the API shows of the agreement peers sign now: 0 while none is
    asked for. An edit sends it back, so a decision made since (new text, or the requirement
    switched on or off) is not overwritten unseen."""
    agreement = current_agreement(diagnostic)
    return agreement.version if agreement is not None and diagnostic.confidentiality_required else 0


@dataclass
class DecisionSeen:
    """The council's decision as it stands, for StaleEdit: who made it and when."""

    version: int
    changed_by: Any
    changed_at: Any


def _stale(diagnostic: Diagnostic) -> StaleEdit:
    last = diagnostic.audit.filter(action="confidentiality").select_related("actor").first()
    seen = DecisionSeen(
        version=shown_version(diagnostic),
        changed_by=last.actor if last else None,
        changed_at=last.at if last else None,
    )
    return StaleEdit(cast(Versioned, seen), noun="the confidentiality decision")


def _normalise(text: str) -> str:
    # Line endings differ between browsers and systems; the words do not.
    return text.replace("\r\n", "\n").strip()


def set_confidentiality(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    required: bool,
    text: str = "",
    version: int | None,
) -> ConfidentialityAgreement | None:
    """The council's decision: whether peers must sign, and the text they sign.

    Changing the text makes a new version: signatures on the old one no longer count.
    `version` is the `shown_version` the person saw: if the decision or the text has changed
    since, StaleEdit refuses the change (nothing saved).
    Side effects: audit entry; data access re-checked.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    text = _normalise(text)
    if required and not text:
        raise DomainError("Enter the text of the agreement peers will sign", field="text")
    if len(text) > 50_000:
        raise DomainError("Keep the agreement under 50,000 characters", field="text")
    with transaction.atomic():
        # Lock the diagnostic: two decisions made at once are taken one after the other.
        Diagnostic.objects.select_for_update().filter(pk=diagnostic.pk).first()
        diagnostic.refresh_from_db(fields=["confidentiality_required"])
        if version is not None and shown_version(diagnostic) != version:
            raise _stale(diagnostic)
        changes = []
        if diagnostic.confidentiality_required != required:
            changes.append(
                {
                    "field": "confidentiality_required",
                    "label": "Confidentiality agreement required",
                    "old": {None: "", True: "Yes", False: "No"}[
                        diagnostic.confidentiality_required
                    ],
                    "new": "Yes" if required else "No",
                }
            )
            diagnostic.confidentiality_required = required
            diagnostic.save(update_fields=["confidentiality_required", "updated_at"])
        agreement = current_agreement(diagnostic)
        if required and (agreement is None or agreement.text_sha256 != text_hash(text)):
            version = (diagnostic.agreements.aggregate(v=Max("version"))["v"] or 0) + 1
            agreement = ConfidentialityAgreement.objects.create(
                diagnostic=diagnostic,
                version=version,
                text=text,
                text_sha256=text_hash(text),
                set_by=by,
                **created_by(by),
            )
            changes.append(
                {
                    "field": "agreement",
                    "label": "Agreement text",
                    "old": "",
                    "new": f"Version {version}",
                }
            )
        if changes:
            audit.record(
                diagnostic,
                by=by,
                action="confidentiality",
                summary="Confidentiality agreement updated",
                changes=changes,
            )
            sync_data_access(diagnostic, reason="Confidentiality requirement changed")
    return agreement if required else None


def _same_name(typed: str, full_name: str) -> bool:
    squash = lambda s: re.sub(r"\s+", " ", s).strip().casefold()  # noqa: E731
    return squash(typed) == squash(full_name)


def sign_agreement(
    agreement: ConfidentialityAgreement, *, by: User | None, person: Person, typed_name: str
) -> Signature:
    """`person` signs this version by typing their full name.

    Refused for an older version, for someone not on the team, and for a name that is not
    theirs. Side effects: audit entry; data access re-checked.
    """
    diagnostic = agreement.diagnostic
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    latest = current_agreement(diagnostic)
    if latest is None or latest.pk != agreement.pk:
        raise DomainError(
            "The council has changed the agreement: sign the new text", field="agreement"
        )
    if not diagnostic.confidentiality_required:
        raise DomainError("The council does not ask for an agreement", field="agreement")
    if not diagnostic.team.filter(person=person).exists():
        raise DomainError("Only a member of the team signs the agreement", field="person")
    if not _same_name(typed_name, person.full_name):
        raise DomainError(
            f"Type your full name as it appears here: {person.full_name}", field="typed_name"
        )
    with transaction.atomic():
        signature, created = Signature.objects.get_or_create(
            agreement=agreement,
            person=person,
            defaults={
                "typed_name": typed_name.strip(),
                "text_sha256": agreement.text_sha256,
                "signed_at": timezone.now(),
            },
        )
        if created:
            audit.record(
                diagnostic,
                by=by,
                action="confidentiality",
                summary=f"{person} signed the confidentiality agreement, "
                f"version {agreement.version}",
            )
            sync_data_access(diagnostic, reason=f"{person} signed the confidentiality agreement")
    return signature
