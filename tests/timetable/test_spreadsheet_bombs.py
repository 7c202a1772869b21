"""Issue 15, finding 5: an attendees spreadsheet that would unpack to hundreds of megabytes, or
run to a million rows, is refused before it is read, cheaply, with nothing imported."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.timetable.domain.spreadsheet import MAX_SHEET_ROWS, import_attendees
from peerdiag.timetable.models import Attendee
from tests.common.zips import MB, many_entries, with_entry, workbook, xlsx_bomb

pytestmark = pytest.mark.django_db

HEAD = ["Name", "Job title", "Email", "Stakeholder group", "Child or young person"]
HEAD += [f"Day {n}" for n in range(1, 6)]
PEOPLE = [HEAD, ["Ann Lee", "Sergeant", "ann@police.example", "Police", "no"]]
SHEET = "xl/worksheets/sheet1.xml"


def _refused(world, content: bytes, name: str = "people.xlsx") -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        import_attendees(world.own, by=world.organiser, name=name, content=content)
    assert e.value.field == "file"
    assert not Attendee.objects.filter(diagnostic=world.own).exists()
    return e.value.message


def _rewrite_sheet(xlsx: bytes, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as real, zipfile.ZipFile(out, "w") as z:
        for info in real.infolist():
            data = real.read(info)
            z.writestr(info.filename, change(data) if info.filename == SHEET else data)
    return out.getvalue()


def test_a_300_mb_workbook_is_refused_with_little_memory_and_nothing_imported(world):  # type: ignore[no-untyped-def]
    bomb = xlsx_bomb(workbook(PEOPLE), 300)
    assert len(bomb) < 1 * MB
    tracemalloc.start()
    try:
        message = _refused(world, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message.startswith("The file must be smaller than 10 MB once uncompressed")
    assert peak < 20 * MB


def test_the_import_page_shows_the_refusal_and_imports_nothing(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.organiser)
    upload = SimpleUploadedFile("people.xlsx", xlsx_bomb(workbook(PEOPLE), 300))
    r = c.post(reverse("web:availability_import", args=[world.own.reference]), {"file": upload})
    assert r.status_code == 200
    assert "There is a problem" in r.text
    assert 'href="#id_file">The file must be smaller than 10 MB once uncompressed' in r.text
    assert not Attendee.objects.filter(diagnostic=world.own).exists()


def test_a_workbook_of_twenty_thousand_parts_is_refused(world):  # type: ignore[no-untyped-def]
    assert "no more than 10,000 parts" in _refused(world, many_entries(20_000))


def test_a_workbook_with_a_part_that_climbs_out_is_refused(world):  # type: ignore[no-untyped-def]
    evil = with_entry("../../../tmp/evil.xml", base=workbook(PEOPLE))
    assert "a part whose name points outside it" in _refused(world, evil)


def test_a_broken_zip_named_xlsx_is_refused(world):  # type: ignore[no-untyped-def]
    broken = workbook(PEOPLE)[:-30]
    assert "could not be opened as an Excel workbook" in _refused(world, broken)


def test_a_sheet_declaring_a_million_rows_is_refused_before_its_rows_are_read(world):  # type: ignore[no-untyped-def]
    huge = _rewrite_sheet(
        workbook(PEOPLE),
        lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:J1048576"', xml),
    )
    tracemalloc.start()
    try:
        message = _refused(world, huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == (
        "The file may list at most 2,000 people, but its sheet has 1,048,576 rows. "
        "Delete any rows below the list, then upload it again"
    )
    # Reading a million padded rows would take hundreds of megabytes.
    assert peak < 20 * MB


def test_a_sheet_without_a_dimension_is_read_only_as_far_as_the_limit(world):  # type: ignore[no-untyped-def]
    # One cell far down and no <dimension>: openpyxl would yield a million empty rows.
    far = _rewrite_sheet(
        workbook(PEOPLE),
        lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml).replace(
            b"</sheetData>",
            b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>",
        ),
    )
    message = _refused(world, far)
    assert message == (
        f"The file may list at most 2,000 people, but its sheet has more than "
        f"{MAX_SHEET_ROWS:,} rows. Delete any rows below the list, then upload it again"
    )


def test_a_csv_of_endless_blank_lines_is_refused_at_the_limit(world):  # type: ignore[no-untyped-def]
    content = (",".join(HEAD) + "\n" + "\n" * 1_000_000).encode()
    assert f"more than {MAX_SHEET_ROWS:,} rows" in _refused(world, content, "people.csv")


def test_an_ordinary_workbook_with_blank_rows_under_the_limit_still_imports(world):  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [*PEOPLE, *([[]] * 50), ["Bo Day", "", "", "Schools", "no"]]
    result = import_attendees(
        world.own, by=world.organiser, name="people.xlsx", content=workbook(rows)
    )
    assert (result.added, result.updated) == (2, 0)
    assert set(Attendee.objects.filter(diagnostic=world.own).values_list("name", flat=True)) == {
        "Ann Lee",
        "Bo Day",
    }
