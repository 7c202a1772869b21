"""Checking a ZIP archive (xlsx, docx, pptx, odt) before anything parses or stores it.

A small file can unpack to gigabytes (a "decompression bomb"), hold so many parts that merely
listing them fills the memory, or name a part outside itself (`../../etc/passwd`). This module
reads only the archive's central directory, the index at its end, and never unpacks anything:

1. the index is walked record by record, counting, so an archive with too many parts is refused
   before Python builds an object for each one;
2. `zipfile` then lists the parts (no extraction), and the declared sizes, compression ratios
   and names are checked. `zipfile` never unpacks more than a part's declared size, so a reader
   that opens an archive which passed is bounded by these limits.

Every refusal is a DomainError (field "file") whose message names the limit.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from .errors import DomainError

MB = 1024 * 1024
# Parts at or under this size are not held to the compression ratio: small, repetitive XML
# parts compress very well, and the total size limit bounds them anyway.
RATIO_FLOOR = 1 * MB

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record, 22 bytes
_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_ZIP64_EOCD_SIG = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # one central directory record, 46 bytes
_CENTRAL_SIG = b"PK\x01\x02"
_MAX_COMMENT = 65535
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may hold, unpacked."""

    max_bytes: int
    max_entries: int = 10_000
    max_ratio: int = 100


# Files people upload to be stored and handed on (key documents, the briefing).
UPLOAD_LIMITS = ArchiveLimits(max_bytes=50 * MB)
# Spreadsheets the service reads itself: they are small lists, so the limit is lower.
SPREADSHEET_LIMITS = ArchiveLimits(max_bytes=10 * MB)

_CHECK = "Check you chose the right file"


class ArchiveRefused(DomainError):
    """The archive breaks one of the limits; the message names it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class NotAnArchive(ArchiveRefused):
    """The file is not a readable ZIP archive at all."""


def _megabytes(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n / MB:,.1f} MB".replace(".0 MB", " MB")


def _too_many(limits: ArchiveLimits) -> ArchiveRefused:
    return ArchiveRefused(
        f"The file must have no more than {limits.max_entries:,} parts inside it. {_CHECK}"
    )


def _central_directory(fp: IO[bytes], size: int) -> tuple[int, int, int]:
    """Where the central directory starts, its length and the number of parts it declares.

    Found the way `zipfile` finds it, so the walk below reads the same bytes `zipfile` will.
    """
    tail_length = min(size, _EOCD.size + _MAX_COMMENT)
    fp.seek(size - tail_length)
    tail = fp.read(tail_length)
    at = tail.rfind(_EOCD_SIG)
    if at < 0 or len(tail) - at < _EOCD.size:
        raise NotAnArchive(f"The file is not a ZIP archive. {_CHECK}")
    _sig, disk, disk_cd, _here, entries, cd_size, _cd_offset, _comment = _EOCD.unpack_from(tail, at)
    eocd_at = size - tail_length + at
    start = eocd_at - cd_size
    if eocd_at >= _ZIP64_LOCATOR.size:
        fp.seek(eocd_at - _ZIP64_LOCATOR.size)
        locator = fp.read(_ZIP64_LOCATOR.size)
        if locator[:4] == _ZIP64_LOCATOR_SIG:
            record_at = eocd_at - _ZIP64_LOCATOR.size - _ZIP64_EOCD.size
            if record_at < 0:
                raise NotAnArchive(f"The file is a damaged ZIP archive. {_CHECK}")
            fp.seek(record_at)
            record = fp.read(_ZIP64_EOCD.size)
            if len(record) != _ZIP64_EOCD.size or record[:4] != _ZIP64_EOCD_SIG:
                raise NotAnArchive(f"The file is a damaged ZIP archive. {_CHECK}")
            fields = _ZIP64_EOCD.unpack(record)
            disk, disk_cd, entries, cd_size = fields[4], fields[5], fields[7], fields[8]
            start = record_at - cd_size
    if disk or disk_cd:
        raise NotAnArchive(f"The file is part of a split ZIP archive. {_CHECK}")
    if start < 0:
        raise NotAnArchive(f"The file is a damaged ZIP archive. {_CHECK}")
    return start, cd_size, entries


def _count_entries(fp: IO[bytes], start: int, length: int, limits: ArchiveLimits) -> int:
    """Walk the central directory's records without keeping them, stopping past the limit."""
    count = offset = 0
    while offset < length:
        fp.seek(start + offset)
        header = fp.read(_CENTRAL.size)
        if len(header) != _CENTRAL.size or header[:4] != _CENTRAL_SIG:
            raise NotAnArchive(f"The file is a damaged ZIP archive. {_CHECK}")
        fields = _CENTRAL.unpack(header)
        offset += _CENTRAL.size + fields[12] + fields[13] + fields[14]
        count += 1
        if count > limits.max_entries:
            raise _too_many(limits)
    return count


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return ".." in re.split(r"[/\\]", name)


def check_archive(source: bytes | IO[bytes], *, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The archive's parts, listed without unpacking any, or ArchiveRefused naming the limit.

    Refused: not a ZIP archive (NotAnArchive); more than `max_entries` parts; more than
    `max_bytes` in all once unpacked; a part over 1 MB, or the whole, compressed more than
    `max_ratio` to 1; a part named with an absolute path or one that climbs out with `..`.
    A stream is read from the start and left at the start.
    """
    fp: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        fp.seek(0, io.SEEK_END)
        size = fp.tell()
        start, length, declared = _central_directory(fp, size)
        if declared > limits.max_entries:
            raise _too_many(limits)
        _count_entries(fp, start, length, limits)
        fp.seek(0)
        try:
            with zipfile.ZipFile(fp) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
            raise NotAnArchive(f"The file is a damaged ZIP archive. {_CHECK}") from e
    finally:
        fp.seek(0)
    if len(infos) > limits.max_entries:  # the walk above already stopped this; kept as a guard
        raise _too_many(limits)
    if any(_unsafe_name(i.filename) for i in infos):
        raise ArchiveRefused(
            "The file has a part whose name points outside it (an absolute path or ‘..’), "
            f"which a real document never has. {_CHECK}"
        )
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if unpacked > limits.max_bytes:
        raise ArchiveRefused(
            f"The file must be smaller than {_megabytes(limits.max_bytes)} once uncompressed; "
            f"this one would be {_megabytes(unpacked)}. {_CHECK}"
        )
    ratios = [(i.file_size, i.compress_size) for i in infos]
    ratios.append((unpacked, packed))
    for full, small in ratios:
        if full > RATIO_FLOOR and full > limits.max_ratio * max(small, 1):
            raise ArchiveRefused(
                f"The file must not be compressed more than {limits.max_ratio} to 1; part of "
                f"this one would grow {full // max(small, 1):,} times. {_CHECK}"
            )
    return infos
