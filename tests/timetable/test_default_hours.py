"""The week's default hours never trip Django's check on fixed time defaults (fields.W161),
which `peerdiag check --deploy --fail-level WARNING` (tests/common/test_deploy.py) turns into a
failure: with fixed times it failed whenever it ran within ten seconds of one of them."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import checks

from peerdiag.timetable.models import Timetable


@pytest.mark.parametrize("hour", [time(9, 0), time(12, 0), time(14, 0), time(17, 30)])
def test_no_fixed_time_warning_at_any_default_hour(hour: time) -> None:
    at = datetime.combine(datetime(2026, 12, 7), hour, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(at.replace(second=3), tick=False):
        found = [m for m in checks.run_checks() if m.id == "fields.W161"]
    assert found == []


def test_the_defaults_are_still_the_usual_hours() -> None:
    t = Timetable()
    assert (t.day_start, t.lunch_earliest, t.lunch_latest, t.day_end) == (
        time(9, 0),
        time(12, 0),
        time(14, 0),
        time(17, 30),
    )
