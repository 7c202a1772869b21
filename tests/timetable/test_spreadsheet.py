"""The attendees spreadsheet: the template, importing xlsx and CSV, and every problem reported."""

from __future__ import annotations

import csv
import io
from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.timetable.domain.attendees import Window, add_attendee, set_availability
from peerdiag.timetable.domain.spreadsheet import (
    RowError,
    SpreadsheetError,
    headings,
    import_attendees,
)
from peerdiag.timetable.models import Attendee, Availability
from tests.common.zips import workbook

from .helpers import DAY1

HEAD = [
    "Name",
    "Job title",
    "Email",
    "Stakeholder group",
    "Child or young person",
    "Day 1",
    "Day 2",
    "Day 3",
    "Day 4",
    "Day 5",
]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _windows(a: Attendee) -> list[tuple[int, str, str]]:
    return [
        (w.day, f"{w.start:%H:%M}", f"{w.end:%H:%M}")
        for w in Availability.objects.filter(attendee=a, available=True).order_by("day", "start")
    ]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _with_day1(d):  # type: ignore[no-untyped-def]
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    return d


# The template


def test_template_xlsx_has_the_day_columns_with_their_dates_and_guidance(world):
    d = _with_day1(world.own)
    a = add_attendee(d, by=None, name="Ann Lee", group="Police", email="ann@x.example")
    set_availability(a, by=None, windows=[Window(1, time(9), time(17, 30))], version=UNCHECKED)
    r = _client(world.peer).get(reverse("web:availability_template", args=[d.reference]))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="RPD-2027-001-attendees.xlsx"' in r["Content-Disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Attendees", "How to fill this in"]
    rows = [list(row) for row in book["Attendees"].iter_rows(values_only=True)]
    assert rows[0] == [
        *HEAD[:5],
        "Day 1 (Mon 1 Mar)",
        "Day 2 (Tue 2 Mar)",
        "Day 3 (Wed 3 Mar)",
        "Day 4 (Thu 4 Mar)",
        "Day 5 (Fri 5 Mar)",
    ]
    assert rows[1] == ["Ann Lee", None, "ann@x.example", "Police", "no", "all day", *[None] * 4]
    guidance = " ".join(str(c.value) for c in book["How to fill this in"]["A"] if c.value)
    assert "all day" in guidance and "09:00 to 17:30" in guidance


def test_template_csv_without_day_one_has_plain_day_headings(world):
    r = _client(world.organiser).get(
        reverse("web:availability_template", args=[world.own.reference]) + "?format=csv"
    )
    assert r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == HEAD
    assert headings(world.own) == HEAD


# Importing


def test_import_xlsx_adds_people_with_their_availability(world):
    d = world.own
    content = workbook(
        [
            HEAD,
            [
                "Ann Lee",
                "Sergeant",
                "ann@police.example",
                "Police",
                "no",
                "09:00-12:00, 13:00-17:30",
            ],
            [
                "Cal Young",
                "",
                "",
                "Children in care council",
                "yes",
                "",
                "all day",
                "",
                "",
                "14:00-15:00",
            ],
            [],  # blank rows are skipped
            ["Bo Day", "Head", "bo@school.example", "Schools", None, None, None, None, None, None],
        ]
    )
    result = import_attendees(d, by=world.organiser, name="people.xlsx", content=content)
    assert (result.added, result.updated) == (3, 0)
    ann = Attendee.objects.get(diagnostic=d, email="ann@police.example")
    assert (ann.job_title, ann.availability_given) == ("Sergeant", True)
    assert _windows(ann) == [(1, "09:00", "12:00"), (1, "13:00", "17:30")]
    cal = Attendee.objects.get(diagnostic=d, name="Cal Young")
    assert cal.young_person and _windows(cal) == [(2, "09:00", "17:30"), (5, "14:00", "15:00")]
    bo = Attendee.objects.get(diagnostic=d, name="Bo Day")
    assert bo.availability_given is False and _windows(bo) == []
    entry = AuditEntry.objects.filter(diagnostic=d).latest("at")
    assert entry.summary == "Imported attendees from people.xlsx: 3 added, 0 updated"


def test_import_csv_updates_by_email_or_by_name(world):
    d = world.own
    ann = add_attendee(d, by=None, name="Ann", group="Police", email="ann@police.example")
    set_availability(ann, by=None, windows=[Window(3, time(9), time(10))], version=UNCHECKED)
    bo = add_attendee(d, by=None, name="Bo Day", group="Schools")
    content = _csv(
        [
            # Headings in another order and case, with a date after the day number.
            [
                *("email", "NAME", "Stakeholder group", "Job title", "Child or young person"),
                *("Day 1 (Mon 1 Mar)", "Day 2", "Day 3", "Day 4", "Day 5"),
            ],
            ["ann@police.example", "Ann Lee", "Police", "Inspector", "no", "", "", "", "", ""],
            ["", "bo day", "Schools", "Head", "no", "", "10.00 - 11.30", "", "", ""],
            ["dee@x.example", "Dee", "Health", "", "no", "", "", "", "", "9:00-10:00"],
        ]
    )
    result = import_attendees(d, by=None, name="people.csv", content=content)
    assert (result.added, result.updated) == (1, 2)
    ann.refresh_from_db()
    bo.refresh_from_db()
    assert (ann.name, ann.job_title, ann.availability_given) == ("Ann Lee", "Inspector", False)
    assert _windows(ann) == []
    assert bo.name == "bo day" and _windows(bo) == [(2, "10:00", "11:30")]
    assert Attendee.objects.filter(diagnostic=d).count() == 3


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(world):
    d = world.own
    kept = add_attendee(d, by=None, name="Kept", group="Police", email="kept@x.example")
    content = workbook(
        [
            HEAD,
            ["Fine Person", "", "fine@x.example", "Police", "no"],
            ["Kept Again", "", "kept@x.example", "Police", "no"],  # would update: must not
            ["Bad Email", "", "bad-email", "Police", "no"],
            ["Odd Day", "", "", "Police", "no", "", "mornings"],
            ["Back To Front", "", "", "Police", "no", "", "", "14:00-13:00"],
            ["", "Nameless", "", "Police", "maybe"],
            ["Too Late", "", "", "", "no", "", "", "", "17:00-18:00"],
            ["Off Grid", "", "", "Police", "no", "09:10-10:00"],
            ["Twice", "", "fine@x.example", "Police", "no"],
        ]
    )
    with pytest.raises(SpreadsheetError) as err:
        import_attendees(d, by=None, name="people.xlsx", content=content)
    got = [str(e) for e in err.value.errors]
    assert got == [
        "Row 4, Email: enter an email address in the right format",
        "Row 5, Day 2: enter times like 09:00-12:00, 13:00-17:30, or ‘all day’, or leave it blank",
        "Row 6, Day 3: ‘14:00-13:00’: the end time must be after the start time",
        "Row 7, Name: enter the person's name",
        "Row 7, Child or young person: enter yes or no",
        "Row 8, Stakeholder group: enter a stakeholder group",
        "Row 8, Day 4: ‘17:00-18:00’: times must be between 09:00 and 17:30",
        "Row 9, Day 1: ‘09:10-10:00’: times must fall on the 15-minute grid, for example 09:15",
        "Row 10, Email: the same email address is on row 2",
    ]
    assert list(Attendee.objects.filter(diagnostic=d)) == [kept]
    kept.refresh_from_db()
    assert kept.name == "Kept"


def test_a_missing_heading_is_one_error_naming_the_column(world):
    content = _csv([[h for h in HEAD if h != "Email"], ["Ann", "", "Police", "no"]])
    with pytest.raises(SpreadsheetError) as err:
        import_attendees(world.own, by=None, name="people.csv", content=content)
    assert err.value.errors == [
        RowError(
            1,
            "",
            "the ‘Email’ column is missing from the headings. Keep the headings from the "
            "template in the first row",
        )
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.xlsx", b"Name,Email\n", "does not match its name (.xlsx)"),
        ("people.xls", b"\xd0\xcf\x11\xe0 old excel", "Older .xls workbooks cannot be read"),
        ("people.pdf", b"%PDF-1.4", "must be an Excel workbook (.xlsx) or a CSV file"),
        ("people.xlsx", b"PK\x03\x04 not really", "could not be opened as an Excel workbook"),
        ("people.csv", b"x" * (2 * 1024 * 1024 + 1), "smaller than 2 MB"),
        ("people.csv", b",,,\n", "no headings and nobody in it"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_clearly(world, name, content, message):
    with pytest.raises(DomainError) as err:
        import_attendees(world.own, by=None, name=name, content=content)
    assert message in err.value.message
    assert not Attendee.objects.filter(diagnostic=world.own).exists()


def test_the_import_page_lists_each_problem_and_imports_nothing(world):
    d = world.own
    content = _csv([HEAD, ["Ann", "", "ann@", "Police", "no"], ["", "", "", "Police", "no"]])
    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    r = _client(world.organiser).post(
        reverse("web:availability_import", args=[d.reference]), {"file": upload}
    )
    assert r.status_code == 200
    html = r.text
    assert "There is a problem" in html
    assert "Row 2, Email: enter an email address in the right format" in html
    assert "Row 3, Name: enter the person&#x27;s name" in html
    assert "The file has 2 problems, so nothing was imported" in html
    assert not Attendee.objects.filter(diagnostic=d).exists()


def test_the_import_page_asks_for_a_file(world):
    r = _client(world.pcm).post(reverse("web:availability_import", args=[world.own.reference]))
    assert "Choose the spreadsheet to upload" in r.text


def test_the_lead_peer_may_not_import(world):
    d = world.own
    upload = SimpleUploadedFile("p.csv", _csv([HEAD, ["Ann", "", "", "Police", "no"]]))
    r = _client(world.peer).post(
        reverse("web:availability_import", args=[d.reference]), {"file": upload}
    )
    assert r.status_code == 403
    assert not Attendee.objects.filter(diagnostic=d).exists()


def test_round_trip_download_fill_in_upload_and_download_again(world):
    d = _with_day1(world.own)
    add_attendee(d, by=None, name="Ann Lee", group="Police", email="ann@police.example")
    c = _client(world.organiser)
    template = reverse("web:availability_template", args=[d.reference])
    book = load_workbook(io.BytesIO(c.get(template).content))
    sheet = book["Attendees"]
    sheet["F2"] = "09:00-12:00"  # Ann, day 1
    sheet.append(["Ben Ode", "Social worker", "ben@council.example", "Social workers", "no"])
    sheet["H3"] = "all day"  # Ben, day 3
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("filled.xlsx", out.getvalue())
    r = c.post(
        reverse("web:availability_import", args=[d.reference]), {"file": upload}, follow=True
    )
    assert "Spreadsheet imported: 1 added, 1 updated" in r.text
    ann = Attendee.objects.get(diagnostic=d, email="ann@police.example")
    ben = Attendee.objects.get(diagnostic=d, email="ben@council.example")
    assert _windows(ann) == [(1, "09:00", "12:00")]
    assert _windows(ben) == [(3, "09:00", "17:30")]
    again = load_workbook(io.BytesIO(c.get(template).content))["Attendees"]
    rows = [list(row) for row in again.iter_rows(min_row=2, values_only=True)]
    assert rows == [
        ["Ann Lee", None, "ann@police.example", "Police", "no", "09:00-12:00", *[None] * 4],
        [
            "Ben Ode",
            "Social worker",
            "ben@council.example",
            "Social workers",
            "no",
            None,
            None,
            "all day",
            None,
            None,
        ],
    ]


def test_the_template_prints_landscape_one_page_wide_with_its_headings(world):  # type: ignore[no-untyped-def]
    import io

    from openpyxl import load_workbook

    from peerdiag.timetable.domain.spreadsheet import template_xlsx

    book = load_workbook(io.BytesIO(template_xlsx(world.own)))
    sheet = book["Attendees"]
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert book.properties.language == "en-GB"
    assert book.properties.title == f"{world.own.reference} attendees and availability"
