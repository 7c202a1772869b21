"""The published timetable taken out of the app: shared-format JSON, a spreadsheet, a calendar.

The JSON is the latest version's problem and solution exactly as published, so the scheduler's
own checker (`peerdiag timetable check PROBLEM SOLUTION`) can verify any timetable the app holds.
These are staff exports: internal sessions are included.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl.styles import Font

from peerdiag.common import spreadsheets
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Diagnostic

from ..models import TimetableVersion
from . import ics
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


HEADERS = ("Start", "End", "Session", "Type", "Stakeholder group", "Peers", "Taking part", "Link")


def export_xlsx(diagnostic: Diagnostic) -> bytes:
    """A workbook with one sheet per delivery day listing its sessions, in time order."""
    version = published_version(diagnostic)
    snap = version.snapshot
    redactor = redactor_for(diagnostic, snapshot=snap)
    book = spreadsheets.new_workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    by_day: dict[int, list[dict[str, Any]]] = {}
    for s in snap.get("sessions", []):
        by_day.setdefault(int(s["day"]), []).append(redactor.session(s))
    for number, iso in sorted(snap.get("days", {}).items(), key=lambda x: int(x[0])):
        day = date.fromisoformat(iso)
        sheet = book.create_sheet(f"Day {number}")
        spreadsheets.append(sheet, [f"Day {number}: {day:%A} {day.day} {day:%B %Y}"])
        sheet["A1"].font = Font(bold=True, size=13)
        spreadsheets.append(sheet, HEADERS)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for s in sorted(by_day.get(int(number), []), key=lambda x: (x["start"], x["title"])):
            title = s["title"] + (" (peer team only)" if s.get("internal") else "")
            spreadsheets.append(
                sheet,
                [
                    s["start"],
                    s["end"],
                    title,
                    ics.type_label(s),
                    s.get("group", ""),
                    _names(s.get("peers", [])),
                    _names(s.get("attendees", [])),
                    s.get("link", ""),
                ],
            )
        for column, width in zip("ABCDEFGH", (8, 8, 40, 24, 22, 36, 36, 40), strict=True):
            sheet.column_dimensions[column].width = width
    if not book.sheetnames:
        book.create_sheet("Timetable")
    return spreadsheets.workbook_bytes(book)


def export_ics(diagnostic: Diagnostic) -> bytes:
    """Every session of the published version as one calendar (METHOD:PUBLISH)."""
    version = published_version(diagnostic)
    redactor = redactor_for(diagnostic, snapshot=version.snapshot)
    sessions = [redactor.session(s) for s in version.snapshot.get("sessions", [])]
    return ics.feed(
        sessions,
        name=f"{diagnostic.reference} delivery week",
        references={s["uid"]: diagnostic.reference for s in sessions},
    )
