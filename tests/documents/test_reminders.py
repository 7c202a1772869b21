"""Reminders: which fall due on a day (pure), and the e-mail, task and command that send them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from peerdiag.documents.domain.reminders import Reminder, reminders_due, send_reminders
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.tasks import send_document_reminders

from .helpers import PDF, upload

DUE = date(2027, 2, 8)  # a Monday


def _r(status: str = "requested", due: date | None = DUE) -> SimpleNamespace:
    return SimpleNamespace(code="abc", title="Plan", status=status, due_on=due)


@pytest.mark.parametrize(
    ("today", "kinds"),
    [
        (date(2027, 2, 1), ["due_soon"]),  # 5 working days before
        (date(2027, 2, 2), []),
        (DUE, []),
        (date(2027, 2, 9), ["overdue"]),  # the working day after
        (date(2027, 2, 10), []),
    ],
)
def test_reminders_fall_due_before_and_after_the_due_date(today, kinds):  # type: ignore[no-untyped-def]
    assert [r.kind for r in reminders_due([_r()], today)] == kinds


def test_no_reminder_once_supplied_or_without_a_due_date():
    today = date(2027, 2, 1)
    assert reminders_due([_r("supplied"), _r("accepted"), _r(due=None)], today) == []
    assert reminders_due([_r("returned")], today) == [Reminder("due_soon", "abc", "Plan", DUE)]


@pytest.mark.django_db
def test_the_organiser_gets_one_email_listing_what_is_due(world):  # type: ignore[no-untyped-def]
    d = world.own
    request_document(d, by=world.pcm, title="Plan", due_on=DUE)
    request_document(d, by=world.pcm, title="Letter", due_on=DUE)
    done = request_document(d, by=world.pcm, title="Chart", due_on=DUE)
    supply_document(done, by=world.organiser, file=upload(PDF, "c.pdf"), name="c.pdf")
    assert send_reminders(date(2027, 2, 1)) == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["organiser@example.org"]
    assert sent.subject == "RPD-2027-001: key documents reminder"
    assert "- Letter: due on Monday 8 February 2027" in sent.body
    assert "- Plan: due on Monday 8 February 2027" in sent.body
    assert "Chart" not in sent.body
    assert send_reminders(date(2027, 2, 2)) == 0
    assert d.audit.filter(summary__startswith="Reminded").count() == 1


@pytest.mark.django_db
def test_the_task_and_the_command_send_for_the_given_day(world):  # type: ignore[no-untyped-def]
    request_document(world.own, by=world.pcm, title="Plan", due_on=DUE)
    result = send_document_reminders.enqueue("2027-02-09")
    assert result.return_value == 1
    assert "was due on Monday 8 February 2027" in mail.outbox[0].body
    call_command("documents", "remind", "--date", "2027-02-01")
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("documents", "remind", "--date", "tomorrow")
