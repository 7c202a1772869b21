"""The archive check: bombs, swarms of parts, names that climb out and broken ZIPs are refused
from the central directory alone; real Office files pass."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from peerdiag.common.archives import (
    MB,
    SPREADSHEET_LIMITS,
    UPLOAD_LIMITS,
    ArchiveLimits,
    ArchiveRefused,
    NotAnArchive,
    check_archive,
)

from .zips import many_entries, presentation, with_entry, word_document, workbook, zeros_zip


def _refusal(content: bytes, limits: ArchiveLimits = UPLOAD_LIMITS) -> ArchiveRefused:
    with pytest.raises(ArchiveRefused) as e:
        check_archive(content, limits=limits)
    assert e.value.field == "file"
    return e.value


def test_a_300_mb_bomb_is_refused_naming_the_limit_using_little_memory() -> None:
    bomb = zeros_zip("word/document.xml", 300, base=word_document())
    assert len(bomb) < 1 * MB
    tracemalloc.start()
    try:
        error = _refusal(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.message.startswith("The file must be smaller than 50 MB once uncompressed")
    assert "Check you chose the right file" in error.message
    assert peak < 5 * MB


def test_twenty_thousand_parts_are_refused_naming_the_limit() -> None:
    error = _refusal(many_entries(20_000))
    assert "no more than 10,000 parts" in error.message


def test_parts_are_counted_even_when_the_end_record_lies_about_how_many() -> None:
    liar = many_entries(20_000, declare=3)
    tracemalloc.start()
    try:
        error = _refusal(liar)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "no more than 10,000 parts" in error.message
    # Refused while walking the index, before zipfile builds 20,000 objects.
    assert peak < 2 * MB


def test_a_part_compressed_too_hard_is_refused_though_under_the_size_limit() -> None:
    error = _refusal(zeros_zip("word/media/blank.bin", 10, base=word_document()))
    assert "must not be compressed more than 100 to 1" in error.message


def test_many_small_parts_compressed_too_hard_are_refused_as_a_whole() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(40):  # each part under the 1 MB floor, 36 MB in all
            z.writestr(f"word/p{i}.xml", b"\0" * (900 * 1024))
    error = _refusal(buf.getvalue())
    assert "must not be compressed more than 100 to 1" in error.message


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "C:\\evil.exe"]
)
def test_a_part_whose_name_climbs_out_or_is_absolute_is_refused(name: str) -> None:
    error = _refusal(with_entry(name, base=word_document()))
    assert "a part whose name points outside it" in error.message


@pytest.mark.parametrize(
    "content",
    [
        b"not a zip at all",
        b"PK\x03\x04 looks like one but is not",
        b"",
        word_document()[:-10],  # the end record cut off
    ],
)
def test_something_that_is_not_a_whole_zip_is_refused(content: bytes) -> None:
    with pytest.raises(NotAnArchive) as e:
        check_archive(content, limits=UPLOAD_LIMITS)
    assert "Check you chose the right file" in e.value.message


def test_a_damaged_index_is_refused() -> None:
    data = bytearray(word_document())
    at = data.find(b"PK\x01\x02")
    data[at : at + 4] = b"XXXX"
    with pytest.raises(NotAnArchive):
        check_archive(bytes(data), limits=UPLOAD_LIMITS)


def test_real_office_files_pass_and_a_stream_is_left_at_the_start() -> None:
    for content, part in (
        (word_document(), "word/document.xml"),
        (presentation(), "ppt/presentation.xml"),
        (workbook([["Name"], ["Ann"]]), "xl/workbook.xml"),
    ):
        stream = io.BytesIO(content)
        stream.seek(5)
        names = [i.filename for i in check_archive(stream, limits=SPREADSHEET_LIMITS)]
        assert part in names
        assert stream.tell() == 0


def test_a_name_with_two_dots_inside_it_is_not_a_climb() -> None:
    infos = check_archive(
        with_entry("word/notes..draft.xml", base=word_document()), limits=UPLOAD_LIMITS
    )
    assert "word/notes..draft.xml" in [i.filename for i in infos]


def test_a_large_part_that_compresses_ordinarily_passes() -> None:
    import random

    rng = random.Random(15)
    text = " ".join(str(rng.random()) for _ in range(200_000)).encode()  # about 4 MB
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", text)
    assert len(text) > 1 * MB
    assert check_archive(buf.getvalue(), limits=UPLOAD_LIMITS)[0].file_size == len(text)
