from __future__ import annotations

from datetime import date

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.common.workdays import add_calendar_month, add_working_days, is_working_day
from peerdiag.diagnostics.domain.diagnostics import set_day1
from peerdiag.diagnostics.domain.keydates import (
    delivery_days,
    key_dates,
    next_key_date,
    overdue_items,
)
from peerdiag.diagnostics.enums import Stage
from tests.factories import DiagnosticFactory


def _dates(d):  # type: ignore[no-untyped-def]
    return {kd.key: (kd.start, kd.end) for kd in key_dates(d)}


def test_working_days_skip_weekends_and_bank_holidays():
    assert not is_working_day(date(2027, 3, 26))  # Good Friday
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert not is_working_day(date(2027, 3, 27))  # Saturday
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 25)


def test_delivery_runs_seven_working_days_over_two_weeks():
    assert delivery_days(date(2027, 3, 1)) == [
        date(2027, 3, 1),
        date(2027, 3, 2),
        date(2027, 3, 3),
        date(2027, 3, 4),
        date(2027, 3, 5),
        date(2027, 3, 8),  # day 6, the second Monday
        date(2027, 3, 9),  # day 7, the Tuesday
    ]


def test_bank_holidays_push_later_delivery_days():
    days = delivery_days(date(2027, 3, 22))
    assert days[3:] == [date(2027, 3, 25), date(2027, 3, 30), date(2027, 3, 31), date(2027, 4, 1)]


def test_one_calendar_month_keeps_the_day_or_takes_the_months_last():
    assert add_calendar_month(date(2027, 3, 9)) == date(2027, 4, 9)
    assert add_calendar_month(date(2027, 1, 31)) == date(2027, 2, 28)
    assert add_calendar_month(date(2028, 1, 31)) == date(2028, 2, 29)
    assert add_calendar_month(date(2027, 12, 15)) == date(2028, 1, 15)


@pytest.mark.django_db
def test_key_dates_from_day1():
    d = DiagnosticFactory(day1=date(2027, 3, 1), case_review_in_scope=True)
    dates = _dates(d)
    assert dates["case_review"] == (date(2027, 2, 16), date(2027, 2, 22))
    assert dates["documents_due"] == (date(2027, 2, 8), None)
    assert dates["timetable_due"] == (date(2027, 2, 15), None)
    assert dates["team_call"] == (date(2027, 2, 15), date(2027, 2, 22))
    assert dates["day1"] == (date(2027, 3, 1), None)
    assert dates["day7"] == (date(2027, 3, 9), None)
    assert dates["written_feedback_due"] == (date(2027, 4, 9), None)
    assert dates["destroy_by"] == (date(2027, 5, 9), None)
    starts = [kd.start for kd in key_dates(d)]
    assert starts == sorted(starts)


@pytest.mark.django_db
def test_no_case_review_window_without_a_case_review_and_none_without_day1():
    assert "case_review" not in _dates(DiagnosticFactory(day1=date(2027, 3, 1)))
    assert key_dates(DiagnosticFactory(day1=None)) == []


@pytest.mark.django_db
def test_destroy_by_counts_from_the_issue_once_issued():
    d = DiagnosticFactory(day1=date(2027, 3, 1), written_feedback_issued_on=date(2027, 4, 1))
    assert _dates(d)["destroy_by"] == (date(2027, 5, 1), None)


@pytest.mark.django_db
def test_changing_day1_recomputes_every_date_and_is_audited(world):  # type: ignore[no-untyped-def]
    d = world.own
    assert set_day1(d, by=world.pcm, day1=date(2027, 3, 1), version=UNCHECKED) is None
    before = _dates(d)
    warning = set_day1(d, by=world.pcm, day1=date(2027, 3, 3), version=UNCHECKED)
    assert warning is not None and "Wednesday" in warning
    after = _dates(d)
    assert after["day1"] == (date(2027, 3, 3), None)
    assert after["day7"] == (date(2027, 3, 11), None)
    assert after["documents_due"] == (date(2027, 2, 10), None)
    assert all(before[k] != after[k] for k in before)
    entry = d.audit.filter(action="dates").first()
    assert entry.changes == [
        {"field": "day1", "label": "Delivery day 1", "old": "2027-03-01", "new": "2027-03-03"}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2027, 3, 6), date(2027, 3, 29)], ids=["saturday", "bank"])
def test_day1_must_be_a_working_day(world, day):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        set_day1(world.own, by=world.pcm, day1=day, version=UNCHECKED)
    assert err.value.field == "day1"
    world.own.refresh_from_db()
    assert world.own.day1 is None
    assert not world.own.audit.filter(action="dates").exists()


@pytest.mark.django_db
def test_next_key_date_and_overdue_follow_stage_and_today():
    d = DiagnosticFactory(day1=date(2027, 3, 1), stage=Stage.PREPARATION)
    assert next_key_date(d, date(2027, 2, 9)).key == "timetable_due"
    assert overdue_items(d, date(2027, 2, 9)) == [
        "Key documents were due on Monday 8 February 2027"
    ]
    assert overdue_items(d, date(2027, 2, 8)) == []
    ready = DiagnosticFactory(day1=date(2027, 3, 1), stage=Stage.READY)
    assert overdue_items(ready, date(2027, 2, 20)) == []
    late = DiagnosticFactory(day1=date(2027, 3, 1), stage=Stage.FEEDBACK_GIVEN)
    assert overdue_items(late, date(2027, 4, 9)) == []
    assert overdue_items(late, date(2027, 4, 10)) == [
        "Written feedback was due on Friday 9 April 2027"
    ]


def test_written_feedback_is_not_overdue_once_issued_even_before_the_stage_moves(db):  # type: ignore[no-untyped-def]
    from peerdiag.diagnostics.domain.gates import written_feedback_overdue
    from peerdiag.diagnostics.domain.keydates import overdue_items
    from peerdiag.diagnostics.enums import Stage
    from tests.factories import DiagnosticFactory

    d = DiagnosticFactory(day1=date(2027, 3, 1), stage=Stage.FEEDBACK_GIVEN)
    late = date(2027, 4, 12)  # due 9 April
    assert any("Written feedback was due" in i for i in overdue_items(d, late))
    assert written_feedback_overdue(d, late)
    d.written_feedback_issued_on = date(2027, 4, 10)
    assert not any("Written feedback was due" in i for i in overdue_items(d, late))
    assert not written_feedback_overdue(d, late)
