"""The attendees spreadsheet: the template the organiser downloads, and importing it back.

One row per person: name, job title, email, stakeholder group, whether they are a child or
young person, then one column per delivery day 1-5 saying when they are free that day
("09:00-12:00, 13:00-17:30", "all day", or blank for not that day). A person whose day columns
are all blank is available all week. An import checks every row first; if any cell is wrong it
reports each problem by row and column and imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import Any, TypeVar

from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common import spreadsheets
from peerdiag.common.archives import SPREADSHEET_LIMITS, NotAnArchive, check_archive
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, claim, created_by
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic

from ..enums import HEARING_DAYS
from ..models import Attendee, Availability, Timetable
from .attendees import (
    Window,
    check_open,
    day_label,
    describe_day,
    merge_windows,
    valid_email,
    window_problem,
)
from .week import day_dates, timetable_for

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# A sheet may use this many rows (headings, MAX_ROWS people and some blank rows) and is read
# only this far: a larger one is refused before, or as soon as, its rows are read.
MAX_SHEET_ROWS = MAX_ROWS + 100
# Columns read from each row; anything further right is ignored.
MAX_COLUMNS = 50
SHEET = "Attendees"
NAME, JOB, EMAIL, GROUP, YOUNG = (
    "Name",
    "Job title",
    "Email",
    "Stakeholder group",
    "Child or young person",
)
PERSON_COLUMNS = (NAME, JOB, EMAIL, GROUP, YOUNG)
ALIASES = {"email address": EMAIL, "group": GROUP, "young person": YOUNG}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
NOT_THAT_DAY = {"", "no", "none", "not available", "n/a", "-"}
ALL_DAY = {"all day", "all-day", "yes", "available", "all"}
TIMES = re.compile(
    r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(?:-|–|—|to)\s*(\d{1,2})(?:[:.]?(\d{2}))?$", re.IGNORECASE
)
FORMAT_MESSAGE = "enter times like 09:00-12:00, 13:00-17:30, or ‘all day’, or leave it blank"


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (column empty for a problem with the whole row)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


class SpreadsheetError(DomainError):
    """The upload could not be imported; `errors` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        count = len(errors)
        super().__init__(
            f"The file has {count} problem{'s' if count != 1 else ''}, so nothing was imported",
            field="file",
        )
        self.errors = errors


@dataclass
class PersonRow:
    row: int
    name: str
    job_title: str
    email: str
    group: str
    young_person: bool
    windows: list[Window] | None  # None: available all week


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int


def _day_column(day: int) -> str:
    return f"Day {day}"


def headings(diagnostic: Diagnostic) -> list[str]:
    """The template's column headings, the day columns with their dates once day 1 is set."""
    dates = day_dates(diagnostic)
    days = [
        f"Day {n} ({day_label(n, dates)})" if n in dates else _day_column(n) for n in HEARING_DAYS
    ]
    return [*PERSON_COLUMNS, *days]


def _attendee_row(a: Attendee, week: Timetable) -> list[str]:
    by_day: dict[int, list[Window]] = {}
    if a.availability_given:
        for w in a.windows.all():
            if w.available:
                by_day.setdefault(w.day, []).append(Window(w.day, w.start, w.end))
    days = [describe_day(by_day[n], week) if n in by_day else "" for n in HEARING_DAYS]
    young = "yes" if a.young_person else "no"
    return [a.name, a.job_title, a.email, a.group, young, *days]


GUIDANCE = [
    "How to fill in the attendees sheet",
    "",
    "One row for each person who will take part in interviews or focus groups.",
    "Name and stakeholder group are needed on every row. Email is needed to send invitations.",
    "Stakeholder group: for example Social workers, Team managers, Police, Schools.",
    "Child or young person: yes or no. Sessions with children need a supporting adult.",
    "Day columns: when the person is free that day, for example 09:00-12:00, 13:00-17:30.",
    "Write ‘all day’ if they are free the whole working day; leave it blank if not that day.",
    "Leave every day column blank if the person is free all week.",
    "Times use the 24-hour clock and must fall inside the working day.",
    "People already in the app are listed; importing updates them (matched by email, or by "
    "name when there is no email) and adds anyone new. Nobody is removed by an import.",
    "Keep the headings in the first row as they are.",
]


def template_rows(diagnostic: Diagnostic) -> list[list[str]]:
    """Headings then one row per current attendee, as the template holds them."""
    week = timetable_for(diagnostic)
    people = Attendee.objects.filter(diagnostic=diagnostic).prefetch_related("windows")
    return [headings(diagnostic), *(_attendee_row(a, week) for a in people)]


def template_csv(diagnostic: Diagnostic) -> bytes:
    return spreadsheets.csv_bytes(template_rows(diagnostic))  # with a BOM, so Excel reads UTF-8


def template_xlsx(diagnostic: Diagnostic) -> bytes:
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    week = timetable_for(diagnostic)
    book = spreadsheets.new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    rows = template_rows(diagnostic)
    for row in rows:
        spreadsheets.append(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    spreadsheets.for_print(sheet, header=f"{diagnostic.reference} attendees and availability")
    spreadsheets.describe(book, title=f"{diagnostic.reference} attendees and availability")
    for letter, width in zip("ABCDEFGHIJ", (28, 28, 32, 24, 12, 22, 22, 22, 22, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    yes_no.error = "Enter yes or no"
    sheet.add_data_validation(yes_no)
    yes_no.add(f"E2:E{max(len(rows), 1) + 500}")
    help_sheet = book.create_sheet("How to fill this in")
    for line in GUIDANCE:
        spreadsheets.append(help_sheet, [line])
    spreadsheets.append(help_sheet, [])
    spreadsheets.append(
        help_sheet,
        [f"This week's working day runs from {week.day_start:%H:%M} to {week.day_end:%H:%M}."],
    )
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 110
    return spreadsheets.workbook_bytes(book)


# Reading an upload


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, time | date):
        return f"{value:%H:%M}" if isinstance(value, time) else f"{value:%Y-%m-%d}"
    return spreadsheets.restore(str(value).strip())  # our own apostrophe off again


_Row = TypeVar("_Row")


def _too_many_rows(found: str) -> DomainError:
    return DomainError(
        f"The file may list at most {MAX_ROWS:,} people, but its sheet has {found} rows. "
        "Delete any rows below the list, then upload it again",
        field="file",
    )


def _capped(rows: Iterable[_Row]) -> Iterator[_Row]:
    """The rows, refusing the file as soon as there are more than MAX_SHEET_ROWS."""
    for n, row in enumerate(islice(rows, MAX_SHEET_ROWS + 1), start=1):
        if n > MAX_SHEET_ROWS:
            raise _too_many_rows(f"more than {MAX_SHEET_ROWS:,}")
        yield row


def _rows_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    unreadable = "The file could not be opened as an Excel workbook. Save it again as .xlsx or CSV"
    try:
        check_archive(content, limits=SPREADSHEET_LIMITS)  # before openpyxl unpacks anything
    except NotAnArchive as e:
        raise DomainError(unreadable, field="file") from e
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
            declared = sheet.max_row  # from the sheet's own <dimension>, if it has one
            if declared and declared > MAX_SHEET_ROWS:
                raise _too_many_rows(f"{declared:,}")
            values = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            rows = [(n, [_text(v) for v in cells]) for n, cells in enumerate(_capped(values), 1)]
        finally:
            book.close()
    except DomainError:
        raise
    except Exception as e:  # openpyxl raises many kinds for a damaged or foreign file
        raise DomainError(unreadable, field="file") from e
    return rows


def _rows_csv(content: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in content:
        raise DomainError("The file is not a CSV file. Save it as .xlsx or CSV", field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's own CSV on Windows
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [
            (n, [spreadsheets.restore(c.strip()) for c in cells])
            for n, cells in enumerate(_capped(reader), start=1)
        ]
    except csv.Error as e:
        raise DomainError(
            f"The CSV file could not be read ({e}). Save it again from your spreadsheet",
            field="file",
        ) from e


def read_rows(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    """Every row of the upload with its spreadsheet row number, or DomainError for the file."""
    if len(content) > MAX_BYTES:
        raise DomainError("The file must be smaller than 2 MB", field="file")
    if not content:
        raise DomainError("The selected file is empty", field="file")
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    is_zip = content.startswith(b"PK\x03\x04")
    if ext == "xlsx" and is_zip:
        return _rows_xlsx(content)
    if ext == "csv" and not is_zip:
        return _rows_csv(content)
    if ext == "xls":
        raise DomainError(
            "Older .xls workbooks cannot be read. Save it as an Excel workbook (.xlsx) or CSV",
            field="file",
        )
    if ext in ("xlsx", "csv"):
        raise DomainError(
            f"The file's content does not match its name (.{ext}). Save it again as .xlsx or CSV",
            field="file",
        )
    raise DomainError("The file must be an Excel workbook (.xlsx) or a CSV file", field="file")


def _norm(heading: str) -> str:
    return " ".join(heading.lower().split())


def _columns(number: int, cells: list[str]) -> dict[str, int]:
    """Which position holds each column, or SpreadsheetError naming those missing."""
    found: dict[str, int] = {}
    canonical = {_norm(c): c for c in PERSON_COLUMNS} | ALIASES
    for i, cell in enumerate(cells):
        key = _norm(cell)
        day = re.match(r"^day\s*([1-9])\b", key)
        column = _day_column(int(day.group(1))) if day else canonical.get(key)
        if column and column not in found:
            found[column] = i
    wanted = [*PERSON_COLUMNS, *(_day_column(n) for n in HEARING_DAYS)]
    missing = [c for c in wanted if c not in found]
    if missing:
        names = ", ".join(f"‘{c}’" for c in missing)
        plural = "columns are" if len(missing) > 1 else "column is"
        raise SpreadsheetError(
            [
                RowError(
                    number,
                    "",
                    f"the {names} {plural} missing from the headings. Keep the headings "
                    "from the template in the first row",
                )
            ]
        )
    return found


def parse_day(text: str, day: int, week: Timetable) -> list[Window] | str:
    """A day cell as windows (empty: not that day), or the problem with it."""
    key = _norm(text)
    if key in NOT_THAT_DAY:
        return []
    if key in ALL_DAY:
        return [Window(day, week.day_start, week.day_end)]
    windows = []
    for part in re.split(r"[,;]|\band\b", text):
        part = part.strip()
        if not part:
            continue
        m = TIMES.match(part)
        if not m:
            return FORMAT_MESSAGE
        h1, m1, h2, m2 = (int(g or 0) for g in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            return f"‘{part}’ is not a time of day; {FORMAT_MESSAGE}"
        w = Window(day, time(h1, m1), time(h2, m2))
        problem = window_problem(w, week)
        if problem:
            return f"‘{part}’: {problem}"
        windows.append(w)
    return merge_windows(windows)


def _parse_row(
    number: int, cells: list[str], columns: dict[str, int], week: Timetable
) -> PersonRow | list[RowError]:
    def cell(column: str) -> str:
        i = columns[column]
        return cells[i].strip() if i < len(cells) else ""

    errors: list[RowError] = []
    name, job, email, group = cell(NAME), cell(JOB), cell(EMAIL), cell(GROUP)
    if not name:
        errors.append(RowError(number, NAME, "enter the person's name"))
    if not group:
        errors.append(RowError(number, GROUP, "enter a stakeholder group"))
    for column, value, top in ((NAME, name, 200), (JOB, job, 200), (GROUP, group, 120)):
        if len(value) > top:
            errors.append(RowError(number, column, f"must be {top} characters or fewer"))
    if email and not valid_email(email):
        errors.append(RowError(number, EMAIL, "enter an email address in the right format"))
    young = cell(YOUNG).lower()
    if young not in YES | NO:
        errors.append(RowError(number, YOUNG, "enter yes or no"))
    windows: list[Window] = []
    for n in HEARING_DAYS:
        parsed = parse_day(cell(_day_column(n)), n, week)
        if isinstance(parsed, str):
            errors.append(RowError(number, _day_column(n), parsed))
        else:
            windows += parsed
    if errors:
        return errors
    return PersonRow(number, name, job, email, group, young in YES, windows or None)


def parse_rows(diagnostic: Diagnostic, rows: list[tuple[int, list[str]]]) -> list[PersonRow]:
    """Every person in the rows, or SpreadsheetError listing every problem found."""
    filled = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        raise DomainError("The file has no headings and nobody in it", field="file")
    (head_number, head), body = filled[0], filled[1:]
    columns = _columns(head_number, head)
    if not body:
        raise DomainError("The file has headings but nobody listed under them", field="file")
    if len(body) > MAX_ROWS:
        raise DomainError(f"The file may list at most {MAX_ROWS} people", field="file")
    week = timetable_for(diagnostic)
    errors: list[RowError] = []
    people: list[PersonRow] = []
    seen: dict[str, int] = {}
    for number, cells in body:
        parsed = _parse_row(number, cells, columns, week)
        if isinstance(parsed, list):
            errors += parsed
            continue
        key, column = (
            (f"e:{parsed.email.lower()}", EMAIL)
            if parsed.email
            else (f"n:{parsed.name.lower()}", NAME)
        )
        if key in seen:
            what = "email address" if parsed.email else "name (with no email)"
            errors.append(RowError(number, column, f"the same {what} is on row {seen[key]}"))
            continue
        seen[key] = number
        people.append(parsed)
    if errors:
        raise SpreadsheetError(errors)
    return people


def _match(
    diagnostic: Diagnostic, people: list[PersonRow]
) -> tuple[dict[int, Attendee], list[RowError]]:
    """Row number to the existing attendee it updates (none: a new one)."""
    existing = list(Attendee.objects.filter(diagnostic=diagnostic))
    by_email = {a.email.lower(): a for a in existing if a.email}
    by_name: dict[str, list[Attendee]] = {}
    for a in existing:
        by_name.setdefault(a.name.lower(), []).append(a)
    matched: dict[int, Attendee] = {}
    claimed: dict[int, int] = {}
    errors: list[RowError] = []
    for p in people:
        found = by_email.get(p.email.lower()) if p.email else None
        if found is None:
            same = by_name.get(p.name.lower(), [])
            if p.email:
                same = [a for a in same if not a.email]
            if len(same) > 1:
                errors.append(
                    RowError(
                        p.row,
                        NAME,
                        f"more than one attendee is called {p.name}; add their email address",
                    )
                )
                continue
            found = same[0] if same else None
        if found is None:
            continue
        if found.pk in claimed:
            errors.append(
                RowError(p.row, NAME, f"row {claimed[found.pk]} already updates {found.name}")
            )
            continue
        claimed[found.pk] = p.row
        matched[p.row] = found
    return matched, errors


def import_attendees(
    diagnostic: Diagnostic, *, by: User | None, name: str, content: bytes
) -> ImportResult:
    """Add and update attendees from an uploaded spreadsheet (xlsx or CSV), all or nothing.

    Rows matching an attendee by email (or by name when the row has no email) update them and
    replace their availability; the rest are added. Nobody is removed.
    Raises SpreadsheetError listing every problem by row and column; DomainError for the file.
    Side effects: attendees and their windows; one audit entry with the counts.
    """
    check_open(diagnostic)
    people = parse_rows(diagnostic, read_rows(name, content))
    added = updated = 0
    with transaction.atomic():
        matched, errors = _match(diagnostic, people)
        if errors:
            raise SpreadsheetError(errors)
        for p in people:
            a = matched.get(p.row) or Attendee(diagnostic=diagnostic)
            is_new = a.pk is None
            a.name, a.job_title, a.email, a.group = p.name, p.job_title, p.email, p.group
            a.young_person, a.availability_given = p.young_person, p.windows is not None
            if is_new:
                for column, value in created_by(by).items():
                    setattr(a, column, value)
            else:
                # A page open on this attendee learns of the import, as of any other change.
                claim(a, version=UNCHECKED, by=by, noun="this attendee")
            a.save()
            if not is_new:
                Availability.objects.filter(attendee=a, available=True).delete()
            Availability.objects.bulk_create(
                Availability(
                    diagnostic=diagnostic,
                    attendee=a,
                    day=w.day,
                    start=w.start,
                    end=w.end,
                    available=True,
                )
                for w in p.windows or []
            )
            added, updated = (added + 1, updated) if is_new else (added, updated + 1)
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Imported attendees from {name[:120]}: {added} added, {updated} updated",
        )
    return ImportResult(added, updated)
