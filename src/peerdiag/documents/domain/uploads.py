"""Checking and storing an uploaded file as a new version of a requested document.

A file is judged by its content as well as its name: a PDF must start like one, a Word file
must be a ZIP holding a Word document, and so on. A Word, Excel or PowerPoint file is also held
to common/archives.py's limits (size unpacked, parts, compression), read from its index without
unpacking it. Nothing is stored until every check passes.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max

from peerdiag.accounts.models import User
from peerdiag.common.archives import (
    UPLOAD_LIMITS,
    ArchiveLimits,
    NotAnArchive,
    check_archive,
)
from peerdiag.common.childdata import has_forename, looks_like_date, words
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, claim, created_by, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED

from ..enums import Category, Classification, RequestStatus
from ..models import DocumentRequest, DocumentVersion
from .requests import TITLE_MAX

logger = logging.getLogger(__name__)
FIELD = "file"
# Extension → the content type we record once the content matches it.
ALLOWED = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
ALLOWED_WORDS = "PDF, Word, Excel, PowerPoint, CSV, text, PNG or JPEG"
_OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
_KIND = {
    ".pdf": "a PDF",
    ".docx": "a Word document",
    ".xlsx": "an Excel workbook",
    ".pptx": "a PowerPoint presentation",
    ".csv": "a CSV file in UTF-8",
    ".txt": "a plain text file in UTF-8",
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "PEERDIAG_UPLOAD_MAX_MB", 25)) * 1024 * 1024


def archive_limits() -> ArchiveLimits:
    """What a Word, Excel or PowerPoint upload may hold: at least twice the upload limit."""
    floor = UPLOAD_LIMITS.max_bytes
    return ArchiveLimits(
        max_bytes=max(floor, 2 * max_upload_bytes()),
        max_entries=UPLOAD_LIMITS.max_entries,
        max_ratio=UPLOAD_LIMITS.max_ratio,
    )


def _content_matches(ext: str, stream: IO[bytes]) -> bool:
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext == ".png":
        return head == b"\x89PNG\r\n\x1a\n"
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in _OOXML_PART:
        return _is_ooxml(stream, _OOXML_PART[ext])
    # CSV and text: UTF-8 (a BOM allowed), no NUL bytes. Read whole: the size is capped.
    data = stream.read()
    stream.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _is_ooxml(stream: IO[bytes], part: str) -> bool:
    """Whether the stream is an Office file of that kind; ArchiveRefused for a bomb."""
    try:
        names = [i.filename for i in check_archive(stream, limits=archive_limits())]
    except NotAnArchive:
        return False
    return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)


def check_upload(file: File, name: str) -> str:
    """The detected content type of an acceptable file; DomainError (field 'file') otherwise."""
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise DomainError(f"The file must be a {ALLOWED_WORDS} file", field=FIELD)
    size = file.size or 0
    if size == 0:
        raise DomainError("The selected file is empty", field=FIELD)
    limit_mb = max_upload_bytes() // (1024 * 1024)
    if size > max_upload_bytes():
        raise DomainError(f"The file must be smaller than {limit_mb} MB", field=FIELD)
    if not _content_matches(ext, file):  # type: ignore[arg-type]
        raise DomainError(
            f"The file is called ‘{os.path.basename(name)[:80]}’ but its content is not "
            f"{_KIND[ext]}: check you chose the right file",
            field=FIELD,
        )
    return ALLOWED[ext]


def _sha256(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def supply_document(
    ask: DocumentRequest,
    *,
    by: User | None,
    file: File,
    name: str,
    classification: str = Classification.OFFICIAL,
) -> DocumentVersion:
    """Store `file` as the next version of `ask`, which becomes supplied.

    Side effects: the file is written through the default storage; audit entry. A file that
    fails a check is refused with nothing stored.
    """
    diagnostic = ask.diagnostic
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    if ask.status == RequestStatus.ACCEPTED:
        raise DomainError("This document is already accepted", field=FIELD)
    if classification not in Classification.values:
        raise DomainError("Choose how the document is classified", field="classification")
    content_type = check_upload(file, name)
    digest = _sha256(file)
    given = ask
    with transaction.atomic():
        # Locked, so two uploads at once cannot take the same version number.
        ask = DocumentRequest.objects.select_for_update().get(pk=ask.pk)
        number = (ask.versions.aggregate(v=Max("version"))["v"] or 0) + 1
        version = DocumentVersion(
            request=ask,
            version=number,
            original_name=os.path.basename(name)[:200],
            size=file.size or 0,
            content_type=content_type,
            classification=classification,
            sha256=digest,
            uploaded_by=by,
        )
        # The path holds a fresh random folder, so a write that fails part-way can be tidied up
        # by name without touching anyone else's file.
        storage = version.file.storage
        path = version.file.field.generate_filename(version, name)
        try:
            version.file.name = storage.save(path, file, max_length=version.file.field.max_length)
        except Exception as exc:  # a full disk, a lost connection to S3...: nothing is kept
            logger.exception("Storing %s failed", path)
            try:
                if storage.exists(path):
                    storage.delete(path)
            except Exception:
                logger.exception("Could not tidy up %s", path)
            raise DomainError(
                "The file could not be stored, so nothing was saved. Try again, and tell the "
                "LGA if it keeps happening",
                field=FIELD,
            ) from exc
        try:
            version.save()
            # A new file is an addition, not an edit, so it is never refused as stale; but the
            # request moves to its next version, so a PCM who opened the request before this
            # upload cannot accept or return a file they have not seen.
            claim(ask, version=UNCHECKED, by=by, noun="this document request")
            ask.status = RequestStatus.SUPPLIED
            ask.save(update_fields=with_version_fields(["status", "updated_at"]))
            audit.record(
                diagnostic,
                by=by,
                action="document",
                summary=f"Supplied version {number} of ‘{ask.title}’ "
                f"({Classification(classification).label.lower()})",
            )
        except Exception:
            version.file.delete(save=False)  # the database row is rolled back; so is the file
            raise
    given.status = ask.status
    given.version, given.changed_by, given.changed_at = ask.version, ask.changed_by, ask.changed_at
    return version


def reclassify_version(
    version: DocumentVersion, *, by: User | None, classification: str
) -> DocumentVersion:
    """Change how a version is classified (and so who may open it). Side effects: audit entry."""
    if classification not in Classification.values:
        raise DomainError("Choose how the document is classified", field="classification")
    if version.classification == classification:
        return version
    before = version.get_classification_display()  # type: ignore[attr-defined]
    with transaction.atomic():
        version.classification = classification
        version.save(update_fields=["classification", "updated_at"])
        audit.record(
            version.request.diagnostic,
            by=by,
            action="document",
            summary=f"Reclassified version {version.version} of ‘{version.request.title}’",
            changes=[
                {
                    "field": "classification",
                    "label": "Classification",
                    "old": str(before),
                    "new": version.classification_label,
                }
            ],
        )
    return version


# Several files in one go ------------------------------------------------------------------------

OTHER_NOTE = "Sent by the council without a request"


@dataclass(frozen=True)
class FileToSupply:
    """One file of a multiple upload: for the request `ask`, or (`ask` None) a document
    nobody asked for, which becomes a request of its own called `title`. `slot` names the
    form field the file came from, so a refusal can point at it."""

    slot: str
    file: File
    name: str
    classification: str
    ask: DocumentRequest | None = None
    title: str = ""


class FileRefused(DomainError):
    """One file of a multiple upload was refused, so none was stored. `field` is its slot."""

    def __init__(self, item: FileToSupply, reason: str) -> None:
        self.file_name = os.path.basename(item.name)[:80]
        self.reason = reason
        super().__init__(f"‘{self.file_name}’ was not uploaded: {reason}", field=item.slot)


def _other_title(diagnostic: Any, title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise DomainError("Say what the document is")
    if len(title) > TITLE_MAX:
        raise DomainError(f"The document's title must be {TITLE_MAX} characters or fewer")
    # Words of the host council's name are no child's ("Bradford", "Lincoln").
    allowed = frozenset(words(diagnostic.host_council.name))
    if looks_like_date(title, compact=False) or has_forename(title, allowed=allowed):
        raise DomainError(
            "Its title holds a first name or a date: describe the kind of document and never "
            "name a child"
        )
    return title


def _check_one(diagnostic: Any, item: FileToSupply, titles: set[str]) -> None:
    """Everything `supply_document` checks, before anything is stored."""
    ask = item.ask
    if ask is not None:
        if ask.diagnostic_id != diagnostic.pk:
            raise DomainError("That request belongs to another diagnostic")
        if ask.status == RequestStatus.ACCEPTED:
            raise DomainError(f"‘{ask.title}’ is already accepted")
    else:
        title = _other_title(diagnostic, item.title)
        if title.lower() in titles:
            raise DomainError(
                f"‘{title}’ has been requested already: upload the file against that request"
            )
        titles.add(title.lower())
    if item.classification not in Classification.values:
        raise DomainError("choose how it is classified")
    check_upload(item.file, item.name)


def supply_documents(
    diagnostic: Any, items: list[FileToSupply], *, by: User | None
) -> list[DocumentVersion]:
    """Store several files at once, each as the next version of its request (or as a new
    request for a document sent without one): all or nothing.

    Every file goes through `check_upload` first; if one is refused, FileRefused names it and
    nothing is stored. A failure while storing undoes the rows and deletes the files already
    written. Two files for the same request are refused. Side effects: audit entries, as for
    `supply_document`, one per file.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    if not items:
        raise DomainError("Choose at least one file to upload", field=FIELD)
    seen: set[int] = set()
    titles = {
        t.lower()
        for t in DocumentRequest.objects.filter(diagnostic=diagnostic).values_list(
            "title", flat=True
        )
    }
    for item in items:
        if item.ask is not None:
            if item.ask.pk in seen:
                raise FileRefused(item, f"another file was chosen for ‘{item.ask.title}’ too")
            seen.add(item.ask.pk)
        try:
            _check_one(diagnostic, item, titles)
        except DomainError as e:  # ArchiveRefused too: a bomb, or no real Office file
            raise FileRefused(item, _lower_first(e.message)) from e
    stored: list[DocumentVersion] = []
    try:
        with transaction.atomic():
            for item in items:
                ask = item.ask
                if ask is None:
                    ask = DocumentRequest.objects.create(
                        diagnostic=diagnostic,
                        title=_other_title(diagnostic, item.title),
                        category=Category.OTHER,
                        notes=OTHER_NOTE,
                        requested_by=None,
                        **created_by(by),
                    )
                ask.diagnostic = diagnostic
                try:
                    version = supply_document(
                        ask,
                        by=by,
                        file=item.file,
                        name=item.name,
                        classification=item.classification,
                    )
                except DomainError as e:
                    raise FileRefused(item, _lower_first(e.message)) from e
                stored.append(version)
    except BaseException:
        for version in stored:  # their rows are rolled back; so are their files
            try:
                version.file.delete(save=False)
            except Exception:
                logger.exception("Could not tidy up %s", version.file.name)
        raise
    return stored


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
