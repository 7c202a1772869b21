"""The Peer Team Briefing: issued by the PCM in versions, acknowledged by each peer."""

from __future__ import annotations

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.archives import UPLOAD_LIMITS, NotAnArchive, check_archive
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, created_by
from peerdiag.directory.models import Person

from ..enums import ENDED
from ..models import Briefing, BriefingAcknowledgement, Diagnostic
from . import audit
from .access import sync_data_access

MAX_BRIEFING_BYTES = 25 * 1024 * 1024
ALLOWED_SUFFIXES = (".pdf", ".docx", ".odt")
# Suffixes of files that are ZIP archives, with what the file should be.
ARCHIVES = {".docx": "a Word document", ".odt": "an OpenDocument file"}


def _check_archive(file: File, name: str) -> None:
    """A Word or OpenDocument briefing is a ZIP archive: refuse a damaged one or a bomb."""
    kind = next((k for suffix, k in ARCHIVES.items() if name.lower().endswith(suffix)), None)
    if kind is None:
        return
    try:
        check_archive(file, limits=UPLOAD_LIMITS)  # type: ignore[arg-type]
    except NotAnArchive as e:
        raise DomainError(
            f"The file is called ‘{name[-80:]}’ but its content is not {kind}: check you "
            "chose the right file",
            field="file",
        ) from e


def issue_briefing(
    diagnostic: Diagnostic, *, by: User | None, file: File, name: str, version: int | None
) -> Briefing:
    """Issue a new version of the briefing; every peer must acknowledge it again.

    `version` is the latest version the person saw (0 when none had been issued): if someone
    issued another since, StaleEdit refuses this one (nothing saved), so nobody replaces a
    briefing they have not seen. Side effects: audit entry; data access re-checked (peers who
    read only the old version lose access until they acknowledge this one).
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise DomainError("The briefing must be a PDF, Word or OpenDocument file", field="file")
    if file.size is not None and file.size > MAX_BRIEFING_BYTES:
        raise DomainError("The briefing must be smaller than 25 MB", field="file")
    if not file.size:
        raise DomainError("The file is empty", field="file")
    if len(name) > 200:
        raise DomainError("Give the file a name under 200 characters", field="file")
    _check_archive(file, name)
    with transaction.atomic():
        # Lock the diagnostic so two briefings issued at once are numbered one after the other.
        Diagnostic.objects.select_for_update().filter(pk=diagnostic.pk).first()
        latest = diagnostic.briefings.select_related("changed_by").order_by("-version").first()
        current = latest.version if latest else 0
        if version is not None and current != version:
            if latest is None:
                raise DomainError("The briefing you saw has been withdrawn", field="file")
            raise StaleEdit(latest, noun="the briefing")
        version = current + 1  # the latest, locked above, is the highest number
        briefing = Briefing(
            diagnostic=diagnostic,
            version=version,
            original_name=name,
            issued_by=by,
            **created_by(by),
        )
        briefing.file.save(
            f"{diagnostic.reference}-briefing-v{version}-{name[-60:]}", file, save=False
        )
        briefing.save()
        audit.record(
            diagnostic, by=by, action="briefing", summary=f"Issued the briefing, version {version}"
        )
        sync_data_access(diagnostic, reason=f"Briefing version {version} issued")
    return briefing


def acknowledge_briefing(
    briefing: Briefing, *, by: User | None, person: Person
) -> BriefingAcknowledgement:
    """Record that `person` has read this version of the briefing.

    Only the latest version can be acknowledged, and only by a member of the team.
    Side effects: audit entry; data access re-checked.
    """
    diagnostic = briefing.diagnostic
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    latest = diagnostic.briefings.order_by("-version").first()
    if latest is None or latest.pk != briefing.pk:
        raise DomainError(
            "A newer version of the briefing has been issued: read that one", field="briefing"
        )
    if not diagnostic.team.filter(person=person).exists():
        raise DomainError("Only a member of the team acknowledges the briefing", field="person")
    with transaction.atomic():
        ack, created = BriefingAcknowledgement.objects.get_or_create(
            briefing=briefing, person=person, defaults={"acknowledged_at": timezone.now()}
        )
        if created:
            audit.record(
                diagnostic,
                by=by,
                action="briefing",
                summary=f"{person} acknowledged the briefing, version {briefing.version}",
            )
            sync_data_access(diagnostic, reason=f"{person} acknowledged the briefing")
    return ack
