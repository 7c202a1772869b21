"""The evaluation's outcome and the optional 3- and 6-month check-ins."""

from __future__ import annotations

from datetime import date

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import Stage
from peerdiag.evaluation.domain.checkins import (
    add_calendar_months,
    plan_check_ins,
    record_check_in,
)
from peerdiag.evaluation.domain.outcome import NO_OUTCOME_YET, outcome_of, record_outcome
from peerdiag.evaluation.models import CheckIn
from tests.evaluation.helpers import issued

pytestmark = pytest.mark.django_db
TODAY = date(2027, 5, 10)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):  # type: ignore[no-untyped-def]
    # A fixed "today" for the checks against future dates (the one clock these functions read).
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def test_outcome_is_recorded_and_can_be_corrected(world):
    d = issued(world.own)
    decided = record_outcome(
        d,
        by=world.pcm,
        contacted_on=date(2027, 5, 3),
        further_support="  Mentoring offered. ",
        version=NO_OUTCOME_YET,
    )
    o = outcome_of(d)
    assert o is not None
    assert (o.contacted_on, o.further_support, o.decided_at, o.decided_by) == (
        date(2027, 5, 3),
        "Mentoring offered.",
        decided,
        world.pcm,
    )
    record_outcome(
        d, by=world.admin, contacted_on=date(2027, 5, 4), further_support="None.", version=o.version
    )
    o = outcome_of(d)
    assert o is not None
    assert (o.contacted_on, o.further_support, o.decided_by) == (
        date(2027, 5, 4),
        "None.",
        world.admin,
    )
    summaries = list(d.audit.filter(action="evaluation").values_list("summary", flat=True))
    assert summaries == ["Evaluation outcome changed", "Evaluation outcome recorded"]


@pytest.mark.parametrize(
    ("contacted_on", "support", "field", "message"),
    [
        (None, "x", "contacted_on", "Enter the date"),
        (date(2027, 5, 11), "x", "contacted_on", "future"),
        (date(2027, 3, 18), "x", "contacted_on", "before the written feedback"),
        (date(2027, 5, 3), "  ", "further_support", "further support"),
    ],
)
def test_a_bad_outcome_changes_nothing(world, contacted_on, support, field, message):
    d = issued(world.own)
    with pytest.raises(DomainError, match=message) as e:
        record_outcome(
            d, by=world.pcm, contacted_on=contacted_on, further_support=support, version=0
        )
    assert e.value.field == field
    assert outcome_of(d) is None


def test_no_outcome_before_the_written_feedback_or_after_the_end(world):
    with pytest.raises(DomainError, match="once the written feedback"):
        record_outcome(world.own, by=world.pcm, contacted_on=TODAY, further_support="x", version=0)
    d = issued(world.own, stage=Stage.CLOSED)
    with pytest.raises(DomainError, match="ended"):
        record_outcome(d, by=world.pcm, contacted_on=TODAY, further_support="x", version=0)


def test_calendar_months_keep_the_day_or_fall_to_the_month_end():
    assert add_calendar_months(date(2027, 1, 31), 3) == date(2027, 4, 30)
    assert add_calendar_months(date(2027, 1, 31), 6) == date(2027, 7, 31)
    assert add_calendar_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_calendar_months(date(2027, 3, 19), 6) == date(2027, 9, 19)


def test_check_ins_are_planned_at_3_and_6_calendar_months(world):
    d = issued(world.own, on=date(2026, 11, 30))
    made = plan_check_ins(d, by=world.pcm)
    assert [(c.months, c.due_on) for c in made] == [(3, date(2027, 2, 28)), (6, date(2027, 5, 30))]
    with pytest.raises(DomainError, match="already planned"):
        plan_check_ins(d, by=world.pcm)
    assert CheckIn.objects.filter(diagnostic=d).count() == 2


def test_check_ins_need_the_written_feedback(world):
    with pytest.raises(DomainError, match="once the written feedback"):
        plan_check_ins(world.own, by=world.pcm)
    assert not CheckIn.objects.exists()


def test_a_check_in_is_recorded(world):
    d = issued(world.own)
    three, _ = plan_check_ins(d, by=world.pcm)
    record_check_in(
        three, by=world.pcm, held_on=date(2027, 5, 7), notes=" Plans improved. ", version=1
    )
    three.refresh_from_db()
    assert (three.held_on, three.notes, three.recorded_by) == (
        date(2027, 5, 7),
        "Plans improved.",
        world.pcm,
    )


@pytest.mark.parametrize(
    ("held_on", "notes", "field"),
    [
        (None, "x", "held_on"),
        (date(2027, 5, 11), "x", "held_on"),
        (date(2027, 3, 1), "x", "held_on"),
        (date(2027, 5, 7), " ", "notes"),
    ],
)
def test_a_bad_check_in_changes_nothing(world, held_on, notes, field):
    d = issued(world.own)
    three, _ = plan_check_ins(d, by=world.pcm)
    with pytest.raises(DomainError) as e:
        record_check_in(three, by=world.pcm, held_on=held_on, notes=notes, version=1)
    assert e.value.field == field
    three.refresh_from_db()
    assert (three.held_on, three.notes) == (None, "")
