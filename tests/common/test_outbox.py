"""The outbox (issue 18): every e-mail about a diagnostic is sent through peerdiag.common.outbox,
which records it (delivered or failed, with the server's answer) and keeps a scrubbed copy that
invitations, reminders and survey links can be sent again from."""

from __future__ import annotations

import smtplib
from datetime import date

import pytest
from django.core import mail
from icalendar import Calendar

from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind, MailStatus, OutboxMessage
from peerdiag.diagnostics.domain import outbox as diagnostic_outbox
from peerdiag.diagnostics.domain.retention import REMOVED
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.directory.models import Person

from .failing_mail import ANSWER, FAILING

CHILD = "Tyler"  # a first name in the shipped list, of nobody on the diagnostic

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:abc@peerdiag\r\nDTSTAMP:20270301T090000Z\r\n"
    "DTSTART:20270301T100000Z\r\nDTEND:20270301T110000Z\r\n"
    "SUMMARY:Focus group about the work with "
    + CHILD
    + " and friends at the family centre on the high street\r\n"
    "ATTENDEE;CN=Pat Person:mailto:tyler.worker@example.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture(autouse=True)
def _nobody_shares_the_planted_names(request):  # type: ignore[no-untyped-def]
    # The shared world gives its people random names; a Tyler or an Amelia among them would be
    # someone on the diagnostic, whose name rightly stays in the copy.
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        for planted in (CHILD, "Amelia"):
            Person.objects.filter(full_name__icontains=planted).update(full_name="Pat Other")


# Scrubbing ---------------------------------------------------------------------------------


def test_scrub_takes_out_first_names_but_keeps_everyday_words_links_and_addresses():
    text = (
        f"We will meet {CHILD}'s social worker in May.\n"
        "Read it at https://example.org/s/TylerAbc and reply to tyler.smith@example.org\n"
        "AmeliaJones was discussed."
    )
    kept = outbox.scrub(text)
    assert CHILD not in kept.split("https")[0] and "Amelia" not in kept
    assert "We will meet [name]'s social worker in May." in kept
    assert "https://example.org/s/TylerAbc" in kept and "tyler.smith@example.org" in kept
    assert "[name]Jones was discussed." in kept


def test_scrub_keeps_allowed_names_and_meeting_dates_but_drops_a_line_with_a_birth_date():
    allowed = outbox.EVERYDAY | {"tyler"}
    text = "Dear Tyler,\nThe meeting is on 5 March 2027.\nBorn 05/01/2015 in Leeds.\nThanks"
    kept = outbox.scrub(text, allowed=allowed)
    assert kept.splitlines() == [
        "Dear Tyler,",
        "The meeting is on 5 March 2027.",
        outbox.DROPPED_LINE,
        "Thanks",
    ]


def test_a_calendar_file_is_scrubbed_across_its_folds_and_still_reads():
    kept = outbox.scrub_calendar(ICS)
    assert CHILD not in kept.replace("tyler.worker@example.org", "")
    assert all(len(line.encode()) <= 75 for line in kept.split("\r\n"))
    event = Calendar.from_ical(kept).events[0]
    assert "[name]" in str(event["SUMMARY"]) and "family centre" in str(event["SUMMARY"])
    assert str(event["ATTENDEE"]) == "mailto:tyler.worker@example.org"


# Sending and recording ---------------------------------------------------------------------


@pytest.mark.django_db
def test_send_delivers_the_full_text_and_keeps_a_scrubbed_copy(world):
    d = world.own
    row = outbox.send(
        kind=MailKind.SURVEY_LINK,
        subject=f"{d.reference}: a survey about {CHILD}",
        body=f"Hello,\nWe met {CHILD} on Monday.\n",
        to=["sponsor@example.org"],
        diagnostic=d,
        by=world.pcm,
    )
    (sent,) = mail.outbox
    assert CHILD in sent.body and CHILD in sent.subject  # what leaves is what was written
    row.refresh_from_db()
    assert (row.kind, row.status, row.error) == (MailKind.SURVEY_LINK, MailStatus.SENT, "")
    assert row.recipients == ["sponsor@example.org"] and row.sent_by == world.pcm
    assert row.diagnostic == d and row.sent_at is not None
    assert CHILD not in row.body and CHILD not in row.subject
    assert row.body == "Hello,\nWe met [name] on Monday.\n"


@pytest.mark.django_db
def test_the_names_of_people_on_the_diagnostic_stay_in_the_copy(world):
    Person.objects.filter(pk=world.pcm.person.pk).update(full_name="Tyler Pcm")
    row = outbox.send(
        kind=MailKind.FACTUAL_CHECK,
        subject="s",
        body="Tyler Pcm asks you to check the draft; Amelia will help.",
        to=["a@example.org"],
        diagnostic=world.own,
    )
    assert row.body == "Tyler Pcm asks you to check the draft; [name] will help."


@pytest.mark.django_db
def test_a_refused_send_is_recorded_as_failed_with_the_answer_and_raised(world, settings):
    settings.EMAIL_BACKEND = FAILING
    with pytest.raises(smtplib.SMTPException):
        outbox.send(
            kind=MailKind.DOCUMENT_REMINDER,
            subject="Reminder",
            body="Please upload the plan.",
            to=["organiser@example.org"],
            diagnostic=world.own,
        )
    row = OutboxMessage.objects.get()
    assert row.status == MailStatus.FAILED and ANSWER in row.error
    assert row.body == "Please upload the plan."


@pytest.mark.django_db
def test_a_withheld_body_is_never_stored(world):
    row = outbox.send(
        kind=MailKind.CONCERN,
        subject="A safeguarding concern",
        body="Case MOS-1 needs action",
        to=["pcm@example.org"],
        diagnostic=world.own,
        withhold_body=True,
    )
    assert mail.outbox[0].body == "Case MOS-1 needs action"
    row.refresh_from_db()
    assert row.body == "" and row.body_withheld and "MOS" not in str(row.__dict__)


def _invitation(d: Diagnostic) -> OutboxMessage:
    msg = mail.EmailMessage(
        subject="Invitation", body="Please come.", to=["peer@example.org"], reply_to=["o@x.org"]
    )
    msg.attach("invitation-1.ics", ICS, "text/calendar; method=REQUEST")
    (row,) = outbox.send_messages([msg], kind=MailKind.INVITATION, diagnostic=d)
    return row


@pytest.mark.django_db
def test_an_invitation_keeps_its_calendar_file_scrubbed_and_is_sent_again_with_it(world):
    first = _invitation(world.own)
    assert first.attachments[0]["name"] == "invitation-1.ics"
    assert CHILD not in first.attachments[0]["content"].replace("tyler.worker@", "")
    mail.outbox.clear()
    again = diagnostic_outbox.resend(first, by=world.pcm)
    (sent,) = mail.outbox
    assert sent.to == ["peer@example.org"] and sent.reply_to == ["o@x.org"]
    assert sent.body == "Please come." and sent.subject == "Invitation"
    name, content, mimetype = sent.attachments[0]
    assert name == "invitation-1.ics" and mimetype.startswith("text/calendar")
    assert Calendar.from_ical(content).events[0]["UID"] == "abc@peerdiag"
    assert (again.resent_from, again.sent_by, again.status) == (first, world.pcm, "sent")
    assert again.pk != first.pk and OutboxMessage.objects.count() == 2
    # Sending the copy again links to the first e-mail of the chain, not the copy.
    assert diagnostic_outbox.resend(again, by=world.admin).resent_from == first
    assert AuditEntry.objects.filter(diagnostic=world.own, action="email_resent").count() == 2


@pytest.mark.django_db
def test_a_failed_resend_is_recorded_and_not_raised(world, settings):
    first = _invitation(world.own)
    settings.EMAIL_BACKEND = FAILING
    again = diagnostic_outbox.resend(first, by=world.pcm)
    assert again.status == MailStatus.FAILED and ANSWER in again.error
    assert again.resent_from == first
    assert "could not be sent again" in AuditEntry.objects.get(action="email_resent").summary


@pytest.mark.django_db
def test_only_invitations_reminders_and_survey_links_can_be_sent_again(world):
    row = outbox.send(
        kind=MailKind.MESSAGE_NOTICE, subject="s", body="b", to=["a@x.org"], diagnostic=world.own
    )
    with pytest.raises(DomainError):
        outbox.resend_copy(row, by=world.pcm)
    assert not diagnostic_outbox.may_resend(row)
    assert len(mail.outbox) == 1 and OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_retention_blanks_the_copies_but_keeps_what_was_sent_when(world):
    first = _invitation(world.own)
    Diagnostic.objects.filter(pk=world.own.pk).update(written_feedback_issued_on=date(2027, 1, 4))
    done = diagnostic_outbox.destroy_due_stored_copies(date(2027, 3, 1), None)
    assert done == [("stored copies of e-mails", world.own.reference)]
    first.refresh_from_db()
    assert first.body == REMOVED and first.recipients == []
    assert first.attachments == [
        {"name": "invitation-1.ics", "mimetype": first.attachments[0]["mimetype"], "content": None}
    ]
    assert first.kind == MailKind.INVITATION and first.status == MailStatus.SENT
    assert not diagnostic_outbox.may_resend(first)
    assert diagnostic_outbox.destroy_due_stored_copies(date(2027, 3, 2), None) == []
