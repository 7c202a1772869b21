"""Destroying key-document files that contain personal data, on the destroy-by date (decision 9).

Schedule: the diagnostic's destroy-by date (30 days after written feedback is issued, or at once
when it is cancelled or closed), with case content and peer notes: the peers have used the
documents by then, and a file the council classed as containing personal data has no further
use to the LGA (the council keeps its own copy; it remains the controller of it).

What goes: the stored file of every version classed "contains personal data" (deleted through
the storage API; a file already missing is counted and passed over) and the name the council
gave the file, which can name people. What stays: the request, the version row (number, size,
type, classification, checksum, who uploaded it and when), so the documents list still shows
that something was supplied and reviewed. Public, official and official-sensitive files stay:
they describe the service, not people.
"""

from __future__ import annotations

import logging
from datetime import date

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain.retention import sweep
from peerdiag.diagnostics.models import Diagnostic

from ..enums import Classification
from ..models import DocumentVersion

log = logging.getLogger("peerdiag.documents")

STEP = "documents.personal_data_files"


def destroyed_name(version: DocumentVersion) -> str:
    return f"Version {version.version} (file destroyed)"


def destroy_document_files(diagnostic: Diagnostic) -> dict[str, int]:
    """Delete the files and blank the rows' names. Call inside a transaction (sweep does).

    The file goes before the row is changed: should the transaction then roll back, the row
    still names a file that is gone, and the next run passes over it as missing.
    """
    counts = {"files deleted": 0, "files already missing": 0}
    versions = DocumentVersion.objects.filter(
        request__diagnostic=diagnostic, classification=Classification.PERSONAL_DATA
    ).exclude(file="")
    for version in versions.select_for_update():
        storage, name = version.file.storage, version.file.name
        try:
            if storage.exists(name):
                storage.delete(name)
                counts["files deleted"] += 1
            else:
                counts["files already missing"] += 1
        except FileNotFoundError:
            counts["files already missing"] += 1
        log.info(
            "Destroyed the file of document version %s (%s)", version.code, diagnostic.reference
        )
        DocumentVersion.objects.filter(pk=version.pk).update(
            file="", original_name=destroyed_name(version)
        )
    return counts


def destroy_due_document_files(today: date, by: User | None) -> list[tuple[str, str]]:
    """The daily retention step for personal-data document files."""
    live = DocumentVersion.objects.filter(classification=Classification.PERSONAL_DATA).exclude(
        file=""
    )
    return sweep(
        live.values_list("request__diagnostic_id", flat=True),
        today=today,
        by=by,
        what="personal-data document files",
        action="document_files_destroyed",
        destroy=destroy_document_files,
    )
