"""The published timetable taken out of the app: shared-format JSON, a spreadsheet, a calendar.

The JSON is the latest version's problem and solution exactly as published, so the scheduler's
own checker (`peerdiag timetable check PROBLEM SOLUTION`) can verify any timetable the app holds.
These are staff exports: internal sessions are included.
"""

from __future__ import annotations

import math
from datetime import date, time
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from peerdiag.common import spreadsheets
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Diagnostic

from ..models import TimetableVersion
from . import ics
from .feeds import organisers_by_reference
from .outbound import redactor_for
from .problem import latest_version


def diagnostic_by_reference(reference: str) -> Diagnostic:
    """The diagnostic with this reference (e.g. RPD-2027-001); DomainError when there is none."""
    found = Diagnostic.objects.filter(reference__iexact=reference.strip()).first()
    if found is None:
        raise DomainError(f"No diagnostic has the reference {reference!r}: check it and try again")
    return found


def published_version(diagnostic: Diagnostic) -> TimetableVersion:
    """The latest published version; DomainError when nothing is published yet."""
    version = latest_version(diagnostic)
    if version is None:
        raise DomainError(
            f"{diagnostic.reference} has no published timetable: publish the timetable first"
        )
    return version


def export_documents(diagnostic: Diagnostic) -> tuple[dict[str, Any], dict[str, Any]]:
    """The published problem and solution documents, in the shared timetable format.

    Children and young people are numbered, not named, and their names are taken out of titles
    and reasons (see outbound): the scheduler's checker needs only the codes.
    """
    version = published_version(diagnostic)
    redactor = redactor_for(diagnostic, snapshot=version.snapshot)
    return redactor.problem(version.problem), redactor.solution(version.solution)


def export_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """{"problem": ..., "solution": ...} of the latest published version."""
    problem, solution = export_documents(diagnostic)
    return {"problem": problem, "solution": solution}


def _names(people: list[dict[str, Any]]) -> str:
    return ", ".join(p["name"] for p in people)


HEADERS = (
    "Date",
    "Day",
    "Start",
    "End",
    "Session",
    "Type",
    "Stakeholder group",
    "Peers",
    "Taking part",
    "Meeting link",
)
WIDTHS = (16, 5, 7, 7, 40, 22, 22, 32, 32, 36)
LINE_POINTS = 15  # the height of one line of 11-point text


def _lines(text: str, width: float) -> int:
    """Roughly how many lines `text` wraps to in a column `width` characters wide (a spreadsheet
    does not grow a row to fit wrapped text by itself when the file was written elsewhere)."""
    if not text:
        return 1
    return sum(max(1, math.ceil(len(part) / max(width - 1, 1))) for part in text.split("\n"))


def _clock(hhmm: str) -> time:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return time(hours, minutes)


def export_xlsx(diagnostic: Diagnostic, *, internal: bool = True) -> bytes:
    """The published week as one sheet, a session a row in date and time order.

    Dates and times are real date and time cells (so the sheet sorts and filters), meeting
    links are clickable, the header row stays in view and is printed on every page, and the
    sheet prints landscape, one page wide. With `internal` False (for the council) the peer
    team's own sessions are left out.
    """
    version = published_version(diagnostic)
    snap = version.snapshot
    redactor = redactor_for(diagnostic, snapshot=snap)
    book = spreadsheets.new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Timetable"
    spreadsheets.append(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sessions = [
        redactor.session(s) for s in snap.get("sessions", []) if internal or not s.get("internal")
    ]
    sessions.sort(key=lambda x: (x["date"], x["start"], x["title"]))
    for s in sessions:
        title = s["title"] + (" (peer team only)" if s.get("internal") else "")
        spreadsheets.append(
            sheet,
            [
                date.fromisoformat(s["date"]),
                int(s["day"]),
                _clock(s["start"]),
                _clock(s["end"]),
                title,
                ics.type_label(s),
                s.get("group", ""),
                _names(s.get("peers", [])),
                _names(s.get("attendees", [])),
                s.get("link", ""),
            ],
        )
        row = sheet.max_row
        sheet.cell(row, 1).number_format = "ddd d mmm yyyy"
        sheet.cell(row, 3).number_format = "hh:mm"
        sheet.cell(row, 4).number_format = "hh:mm"
        link = sheet.cell(row, 10)
        if str(s.get("link", "")).startswith(("https://", "http://")):
            # Only web addresses become links: nothing that would run or open a local file.
            link.hyperlink = s["link"]
            link.style = "Hyperlink"
        for cell in sheet[row]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        tallest = max(
            _lines(str(cell.value or ""), WIDTHS[n])
            for n, cell in enumerate(sheet[row])
            if isinstance(cell.value, str)
        )
        sheet.row_dimensions[row].height = LINE_POINTS * tallest
    for n, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    if sessions:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{sheet.max_row}"
    spreadsheets.for_print(
        sheet, header=f"{diagnostic.reference} delivery week, version {version.number}"
    )
    spreadsheets.describe(book, title=f"{diagnostic.reference} delivery week")
    return spreadsheets.workbook_bytes(book)


def export_ics(diagnostic: Diagnostic, *, internal: bool = True) -> bytes:
    """Every session of the published version as one calendar (METHOD:PUBLISH), organised by
    the PCM; with `internal` False, without the peer team's own sessions."""
    version = published_version(diagnostic)
    redactor = redactor_for(diagnostic, snapshot=version.snapshot)
    sessions = [
        redactor.session(s)
        for s in version.snapshot.get("sessions", [])
        if internal or not s.get("internal")
    ]
    return ics.feed(
        sessions,
        name=f"{diagnostic.reference} delivery week",
        organiser=organisers_by_reference([diagnostic.reference]).get(diagnostic.reference),
        references={s["uid"]: diagnostic.reference for s in sessions},
    )
