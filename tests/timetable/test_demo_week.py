"""The demo's diagnostic in delivery has a published week the scheduler's checker accepts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.models import Session, TimetableVersion

pytestmark = pytest.mark.django_db


def test_the_delivery_demo_has_a_published_checked_week(tmp_path: Path) -> None:
    call_command("demo", stdout=io.StringIO())
    d = Diagnostic.objects.get(stage=Stage.DELIVERY)
    version = TimetableVersion.objects.get(diagnostic=d)
    assert len(version.snapshot["sessions"]) >= 40
    assert all(
        s["link"].startswith("https://teams.microsoft.com/") for s in version.snapshot["sessions"]
    )
    problem, solution = tmp_path / "problem.json", tmp_path / "solution.json"
    problem.write_text(json.dumps(version.problem), encoding="utf-8")
    solution.write_text(json.dumps(version.solution), encoding="utf-8")
    out = io.StringIO()
    call_command("timetable", "check", str(problem), str(solution), stdout=out)
    assert out.getvalue().startswith("valid: every hard rule holds")
    # A balanced week (issue 19): across days 1-5, where the demo's availability lets sessions
    # go on any day, no day carries more than 1.3 times the average peer-minutes. Days 6 and
    # 7 hold the drafting and feedback meetings, which can go nowhere else.
    by_day = next(
        line.split(":", 1)[1]
        for line in out.getvalue().splitlines()
        if "peer-minutes by day" in line
    )
    minutes = [int(part.split()[-1]) for part in by_day.split(",")][:5]
    assert len(minutes) == 5 and min(minutes) > 0, by_day
    assert max(minutes) <= 1.3 * sum(minutes) / 5, by_day
    young = Session.objects.get(diagnostic=d, young_people=True)
    assert young.supporting_adult and young.consent_recorded_on
    # Loading again adds nothing.
    before = Session.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert Session.objects.count() == before
    assert TimetableVersion.objects.filter(diagnostic=d).count() == 1
