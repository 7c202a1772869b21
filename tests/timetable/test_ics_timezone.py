"""The calendar files describe Europe/London by yearly rules, and those rules give the right
offset on every day of the years a diagnostic could fall in (issue 16: Outlook and RDATE zones)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from peerdiag.timetable.domain import ics

LONDON = ZoneInfo("Europe/London")


def _session(day: str, uid: str = "s1@peerdiag.test") -> dict[str, str]:
    return {"uid": uid, "title": "Interview", "date": day, "start": "09:30", "end": "10:30"}


def test_the_zone_is_two_yearly_rules_and_no_dated_changes() -> None:
    raw = ics.feed([_session("2027-07-05"), _session("2027-01-05", "s2@x")], name="Week")
    text = raw.decode()
    assert "RDATE" not in text
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    # The zone is written before the first event that needs it.
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_the_rules_agree_with_the_real_zone_every_hour_of_ten_years() -> None:
    raw = ics.invitation(
        _session("2027-03-28"), method="REQUEST", organiser={"email": "pcm@peerdiag.test"}
    )
    zone = Calendar.from_ical(raw).walk("VTIMEZONE")[0].to_tz()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    checked = 0
    while moment.year < 2036:
        assert moment.astimezone(zone).utcoffset() == moment.astimezone(LONDON).utcoffset(), moment
        moment += timedelta(hours=1)
        checked += 1
    assert checked > 87_000


def test_a_summer_meeting_keeps_its_wall_clock_time() -> None:
    raw = ics.invitation(
        _session("2027-07-05"), method="REQUEST", organiser={"email": "pcm@peerdiag.test"}
    )
    ev = Calendar.from_ical(raw).walk("VEVENT")[0]
    assert "DTSTART;TZID=Europe/London:20270705T093000" in raw.decode()
    assert ev.start.astimezone(UTC) == datetime(2027, 7, 5, 8, 30, tzinfo=UTC)


def test_a_calendar_without_timed_events_carries_no_zone() -> None:
    raw = ics.feed([{"uid": "u@x", "title": "Undated"}], name="Week")
    assert b"VTIMEZONE" not in raw
