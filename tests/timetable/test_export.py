"""`peerdiag timetable export`: the published timetable as shared-format JSON, xlsx or .ics."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from peerdiag.timetable.domain.export import export_json, export_xlsx
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.models import Session

from .helpers import generate, planned_week


@pytest.fixture
def published(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    generate(w.d, world.pcm)
    return w, publish(w.d, by=world.pcm)


def export(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("timetable", "export", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_json_export_is_the_published_problem_and_solution(world, published):
    w, version = published
    code, out, err = export(w.d.reference, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc == {"problem": version.problem, "solution": version.solution}
    assert doc == export_json(w.d)
    assert doc["problem"]["format"].startswith("peer-diagnostic-timetable")
    assert len(doc["solution"]["assignments"]) == len(version.snapshot["sessions"])


def test_exported_documents_pass_the_schedulers_check(world, published, tmp_path: Path):
    w, _ = published
    problem, solution = tmp_path / "problem.json", tmp_path / "solution.json"
    code, _, err = export(
        w.d.reference, "--format", "json", "--problem", str(problem), "--solution", str(solution)
    )
    assert code == 0, err
    out = io.StringIO()
    call_command("timetable", "check", str(problem), str(solution), stdout=out)
    assert out.getvalue().splitlines()[0] == "valid: every hard rule holds"


def test_xlsx_is_one_typed_sheet_that_sorts_prints_and_links(world, published, tmp_path: Path):
    w, version = published
    Session.objects.filter(diagnostic=w.d, pk=w.interviews[0].pk).update(
        platform_link="https://meet.example.org/room-1"
    )
    version = publish(w.d, by=world.pcm)
    target = tmp_path / "week.xlsx"
    code, _, err = export(w.d.reference, "--format", "xlsx", "-o", str(target))
    assert code == 0, err
    book = load_workbook(target)
    # The file holds what the domain function builds (zip timestamps aside, which tick).
    again = load_workbook(io.BytesIO(export_xlsx(w.d)))
    assert [list(s.values) for s in book.worksheets] == [list(s.values) for s in again.worksheets]
    assert book.sheetnames == ["Timetable"]
    sheet = book["Timetable"]
    assert [c.value for c in sheet[1]][:5] == ["Date", "Day", "Start", "End", "Session"]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(version.snapshot["sessions"])
    assert any(str(r[4].value).endswith("(peer team only)") for r in rows)
    # Dates and times are typed cells, in date and time order.
    for r in rows:
        assert isinstance(r[0].value, datetime) and r[0].number_format == "ddd d mmm yyyy"
        assert isinstance(r[2].value, time) and r[2].number_format == "hh:mm"
        assert isinstance(r[3].value, time)
    keys = [(r[0].value, r[2].value) for r in rows]
    assert keys == sorted(keys)
    first = min(version.snapshot["sessions"], key=lambda s: (s["date"], s["start"], s["title"]))
    assert rows[0][0].value.date() == date.fromisoformat(first["date"])
    assert f"{rows[0][2].value:%H:%M}" == first["start"]
    # The meeting link opens; the header stays in view and prints on every page.
    linked = [r[9] for r in rows if r[9].value == "https://meet.example.org/room-1"]
    assert linked and linked[0].hyperlink.target == "https://meet.example.org/room-1"
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert book.properties.language == "en-GB"
    # Wide enough for the longest date ("Wed 31 Mar 2027"), so it never prints as ###.
    assert sheet.column_dimensions["A"].width >= len("Wed 31 Mar 2027") + 1
    # Rows are as tall as their longest wrapped text (a sheet opened elsewhere does not grow them).
    for r in rows:
        assert sheet.row_dimensions[r[0].row].height >= 15
    longest = max(rows, key=lambda r: len(str(r[8].value or "")))
    width = sheet.column_dimensions["I"].width
    assert sheet.row_dimensions[longest[0].row].height >= 15 * (len(longest[8].value) // width)


def test_xlsx_for_the_council_leaves_out_the_peer_teams_own_sessions(world, published):
    w, version = published
    book = load_workbook(io.BytesIO(export_xlsx(w.d, internal=False)))
    titles = [r[4] for r in book["Timetable"].iter_rows(min_row=2, values_only=True)]
    outside = [s for s in version.snapshot["sessions"] if not s["internal"]]
    assert len(titles) == len(outside) < len(version.snapshot["sessions"])
    assert not any(str(t).endswith("(peer team only)") for t in titles)


def test_ics_export_holds_every_published_session(world, published):
    w, version = published
    code, out, err = export(w.d.reference, "--format", "ics")
    assert code == 0, err
    cal = Calendar.from_ical(out)
    assert {str(e["UID"]) for e in cal.events} == {s["uid"] for s in version.snapshot["sessions"]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["RPD-1999-999", "--format", "json"], "No diagnostic has the reference"),
        (["{own}", "--format", "xlsx"], "give -o"),
        (["{own}", "--format", "ics", "--problem", "p.json", "--solution", "s.json"], "json only"),
        (["{own}", "--format", "json", "--problem", "p.json"], "both --problem and --solution"),
    ],
)
def test_mistakes_exit_2_with_one_line(world, published, args, says):
    w, _ = published
    code, out, err = export(*(a.replace("{own}", w.d.reference) for a in args))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and says in err


def test_nothing_published_says_to_publish_first(world):
    code, out, err = export(world.own.reference, "--format", "json")
    assert code == 2 and out == ""
    assert err.strip() == (
        f"peerdiag timetable export: {world.own.reference} has no published timetable: "
        "publish the timetable first"
    )


def test_the_versions_page_offers_the_published_week_to_download(world, published, client):
    w, version = published
    client.force_login(world.pcm)
    page = client.get(reverse("web:timetable_versions", args=[w.d.reference])).content.decode()
    xlsx_url = reverse("web:timetable_download_xlsx", args=[w.d.reference])
    ics_url = reverse("web:timetable_download_ics", args=[w.d.reference])
    assert xlsx_url in page and ics_url in page
    staff = client.get(xlsx_url)
    assert staff["Content-Disposition"] == (
        f'attachment; filename="{w.d.reference}-timetable.xlsx"'
    )
    rows = list(load_workbook(io.BytesIO(staff.content))["Timetable"].iter_rows(min_row=2))
    assert len(rows) == len(version.snapshot["sessions"])
    cal = Calendar.from_ical(client.get(ics_url).content)
    assert {str(e["UID"]) for e in cal.events} == {s["uid"] for s in version.snapshot["sessions"]}


def test_the_council_downloads_the_week_without_the_peer_teams_meetings(world, published, client):
    w, version = published
    client.force_login(world.sponsor)
    page = client.get(reverse("web:timetable_versions", args=[w.d.reference])).content.decode()
    assert "peer team's own meetings are left out" in page
    body = client.get(reverse("web:timetable_download_xlsx", args=[w.d.reference])).content
    titles = [
        r[4]
        for r in load_workbook(io.BytesIO(body))["Timetable"].iter_rows(min_row=2, values_only=True)
    ]
    outside = [s for s in version.snapshot["sessions"] if not s["internal"]]
    assert len(titles) == len(outside)
    cal = Calendar.from_ical(
        client.get(reverse("web:timetable_download_ics", args=[w.d.reference])).content
    )
    assert {str(e["UID"]) for e in cal.events} == {s["uid"] for s in outside}
