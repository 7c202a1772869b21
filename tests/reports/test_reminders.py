"""The written feedback's clock, with a fixed clock: day 1 = 2027-03-01, day 7 = 2027-03-09, due
one calendar month later on 2027-04-09; reminders 14 and 3 days before, once each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.keydates import delivery_days, overdue_items, written_feedback_due
from peerdiag.diagnostics.domain.stages import advance
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import written_for
from peerdiag.reports.domain.reminders import (
    SentReminder,
    days_left,
    overdue_written,
    send_reminders,
)
from peerdiag.reports.domain.written import issue_written, pass_pcm_check, submit_for_check
from peerdiag.reports.tasks import send_written_feedback_reminders

from .helpers import drafted

DAY1 = date(2027, 3, 1)
DUE = date(2027, 4, 9)
TO = ("pcm@example.org", "peer@example.org")


def _feedback_given(world) -> Diagnostic:  # type: ignore[no-untyped-def]
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(
        stage=Stage.FEEDBACK_GIVEN, written_feedback_format="report"
    )
    return Diagnostic.objects.get(pk=x.d.pk)


def _issue(world, d: Diagnostic) -> None:  # type: ignore[no-untyped-def]
    w = written_for(d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    issue_written(w, by=world.pcm, version=UNCHECKED, today=DUE - timedelta(days=5))
    mail.outbox.clear()


def test_the_due_date_is_a_calendar_month_after_day_7():
    assert delivery_days(DAY1)[-1] == date(2027, 3, 9)
    assert written_feedback_due(DAY1) == DUE


def test_reminders_go_14_and_3_days_before_once_each_and_never_on_other_days(world):  # type: ignore[no-untyped-def]
    d = _feedback_given(world)
    assert d.day1 == DAY1
    sent_on: dict[date, list[SentReminder]] = {}
    day = date(2027, 3, 10)
    while day <= date(2027, 4, 20):
        sent = send_reminders(day)
        if sent:
            sent_on[day] = sent
        day += timedelta(days=1)
    assert sent_on == {
        date(2027, 3, 26): [SentReminder("RPD-2027-001", 14, DUE, TO)],
        date(2027, 4, 6): [SentReminder("RPD-2027-001", 3, DUE, TO)],
    }
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("RPD-2027-001: written feedback due in 14 days", list(TO)),
        ("RPD-2027-001: written feedback due in 3 days", list(TO)),
    ]
    assert "is due on Friday 9 April 2027, in 14 days" in mail.outbox[0].body
    # Running the same day again sends nothing more.
    assert send_reminders(date(2027, 3, 26)) == []
    assert send_reminders(date(2027, 4, 6)) == []
    assert written_for(d).reminders_sent == "14,3"
    assert d.audit.filter(summary__startswith="Reminded the PCM and lead peer").count() == 2


def test_no_reminder_once_issued_or_when_ended(world):  # type: ignore[no-untyped-def]
    d = _feedback_given(world)
    _issue(world, d)
    assert send_reminders(date(2027, 3, 26)) == []
    assert send_reminders(date(2027, 4, 6)) == []
    assert mail.outbox == []


def test_no_reminder_for_a_cancelled_diagnostic(world):  # type: ignore[no-untyped-def]
    d = _feedback_given(world)
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.CANCELLED)
    assert send_reminders(date(2027, 3, 26)) == []


def test_the_task_and_the_command_send_for_the_given_day(world):  # type: ignore[no-untyped-def]
    _feedback_given(world)
    assert send_written_feedback_reminders.enqueue("2027-03-26").return_value == 1
    call_command("written_feedback", "remind", "--date", "2027-04-06")
    assert [m.subject for m in mail.outbox] == [
        "RPD-2027-001: written feedback due in 14 days",
        "RPD-2027-001: written feedback due in 3 days",
    ]
    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("written_feedback", "remind", "--date", "soon")


def test_overdue_from_the_day_after_the_due_date_until_issued(world):  # type: ignore[no-untyped-def]
    d = _feedback_given(world)
    assert overdue_written(DUE) == []
    assert days_left(d, DUE) == 0
    [late] = overdue_written(DUE + timedelta(days=1))
    assert (late.diagnostic.reference, late.due_on, late.days_overdue) == ("RPD-2027-001", DUE, 1)
    assert days_left(d, DUE + timedelta(days=4)) == -4
    _issue(world, d)
    assert overdue_written(DUE + timedelta(days=1)) == []


def test_the_dashboard_shows_written_feedback_overdue_the_day_after_and_not_once_issued(world):  # type: ignore[no-untyped-def]
    d = _feedback_given(world)
    message = "Written feedback was due on Friday 9 April 2027"
    assert message not in overdue_items(d, DUE)
    assert message in overdue_items(d, DUE + timedelta(days=1))
    _issue(world, d)
    d.refresh_from_db()
    advance(d, Stage.WRITTEN_FEEDBACK_ISSUED, by=world.pcm, today=DUE + timedelta(days=1))
    d.refresh_from_db()
    assert message not in overdue_items(d, DUE + timedelta(days=1))
