"""`peerdiag timetable export`: the published timetable as shared-format JSON, xlsx or .ics."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from icalendar import Calendar
from openpyxl import load_workbook

from peerdiag.timetable.domain.export import export_json, export_xlsx
from peerdiag.timetable.domain.versions import publish

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


def test_xlsx_has_a_sheet_per_day_with_the_sessions(world, published, tmp_path: Path):
    w, version = published
    target = tmp_path / "week.xlsx"
    code, _, err = export(w.d.reference, "--format", "xlsx", "-o", str(target))
    assert code == 0, err
    book = load_workbook(target)
    # The file holds what the domain function builds (zip timestamps aside, which tick).
    again = load_workbook(io.BytesIO(export_xlsx(w.d)))
    assert [list(s.values) for s in book.worksheets] == [list(s.values) for s in again.worksheets]
    assert book.sheetnames == [f"Day {n}" for n in range(1, 8)]
    titles = []
    for sheet in book.worksheets:
        assert [c.value for c in sheet[2]][:3] == ["Start", "End", "Session"]
        titles += [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(titles) == len(version.snapshot["sessions"])
    assert any(t.endswith("(peer team only)") for t in titles)
    first = version.snapshot["sessions"][0]
    row = next(book[f"Day {first['day']}"].iter_rows(min_row=3, values_only=True))
    assert row[0] == first["start"]


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
