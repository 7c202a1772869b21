"""Every place that e-mails about a diagnostic goes through the outbox (issue 18): each one
records a row of the right kind for the right diagnostic, with the addresses that were sent to,
and a failing mail server is recorded as failed without changing what the caller did before."""

from __future__ import annotations

import re
import smtplib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from icalendar import Calendar

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.concerns import raise_concern
from peerdiag.casereview.domain.report import approve_report, issue_report, save_report_text
from peerdiag.casereview.domain.sharing import propose, sharing_for
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview
from peerdiag.common.models import MailKind, MailStatus, OutboxMessage
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.requests import request_diagnostic
from peerdiag.diagnostics.domain.scope import answer_scope, current_scope
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import CouncilRequest, Diagnostic, ScopingMeeting
from peerdiag.documents.domain.reminders import send_reminders as send_document_reminders
from peerdiag.documents.domain.requests import request_document
from peerdiag.evaluation.domain.surveys import send_due_surveys
from peerdiag.evaluation.models import Survey
from peerdiag.messaging.domain.threads import post_message
from peerdiag.reports.domain.content import written_for
from peerdiag.reports.domain.reminders import send_reminders as send_feedback_reminders
from peerdiag.reports.domain.written import pass_pcm_check, submit_for_check
from peerdiag.timetable.domain.scoping_invites import send_scoping_invitations
from peerdiag.timetable.domain.versions import publish
from tests.casereview.helpers import add_auditor, make_review, released_case
from tests.evaluation.helpers import DUE as SURVEYS_DUE
from tests.evaluation.helpers import issued
from tests.factories import KloeFactory
from tests.reports.helpers import drafted
from tests.timetable.helpers import generate, planned_week

from .failing_mail import ANSWER, FAILING

pytestmark = pytest.mark.django_db


def _rows(d: Diagnostic, kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(diagnostic=d, kind=kind).order_by("pk"))


def _matches_mail(rows: list[OutboxMessage]) -> None:
    """One sent row per e-mail in the locmem outbox, to the same addresses."""
    assert rows and all(r.status == MailStatus.SENT for r in rows)
    assert sorted(sorted(r.recipients) for r in rows) == sorted(sorted(m.to) for m in mail.outbox)


def test_timetable_invitations(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    assert generate(w.d, world.pcm).state == "done"
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(w.d, by=world.pcm)
    rows = _rows(w.d, MailKind.INVITATION)
    _matches_mail(rows)
    assert all(r.attachments and r.attachments[0]["name"].endswith(".ics") for r in rows)
    # The kept calendar files still read as calendars, so they can be sent again.
    for r in rows:
        cal = Calendar.from_ical(r.attachments[0]["content"])
        assert cal["METHOD"] == "REQUEST" and cal.events


def _booked(world):  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(online_platform="teams")
    d.refresh_from_db()
    return d, ScopingMeeting.objects.create(
        diagnostic=d, scheduled_for=timezone.now() + timedelta(days=10)
    )


def test_scoping_invitations(world):  # type: ignore[no-untyped-def]
    d, meeting = _booked(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_scoping_invitations(d, by=world.pcm, version=meeting.version)
    rows = _rows(d, MailKind.SCOPING_INVITE)
    _matches_mail(rows)
    assert {r.attachments[0]["name"] for r in rows} == {"scoping-meeting.ics"}


def test_a_refused_invitation_is_recorded_and_the_others_still_go(world, settings):  # type: ignore[no-untyped-def]
    d, meeting = _booked(world)
    settings.EMAIL_BACKEND = FAILING
    with pytest.raises(smtplib.SMTPException), TestCase.captureOnCommitCallbacks(execute=True):
        send_scoping_invitations(d, by=world.pcm, version=meeting.version)
    rows = _rows(d, MailKind.SCOPING_INVITE)
    assert len(rows) == 4  # sponsor, organiser, PCM and lead peer: each tried, each recorded
    assert all(r.status == MailStatus.FAILED and ANSWER in r.error for r in rows)
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None  # what was saved stands


def test_survey_links(world):  # type: ignore[no-untyped-def]
    d = issued(world.own)
    assert send_due_surveys(SURVEYS_DUE) == 2
    rows = _rows(d, MailKind.SURVEY_LINK)
    _matches_mail(rows)
    # The personal link is kept, so the survey can be sent again.
    for survey in Survey.objects.filter(diagnostic=d).select_related("respondent"):
        (row,) = [r for r in rows if r.recipients == [survey.respondent.email]]
        assert survey.token in row.body


def test_document_reminders(world):  # type: ignore[no-untyped-def]
    request_document(world.own, by=world.pcm, title="Plan", due_on=date(2027, 2, 8))
    assert send_document_reminders(date(2027, 2, 1)) == 1
    (row,) = _rows(world.own, MailKind.DOCUMENT_REMINDER)
    _matches_mail([row])
    assert row.recipients == ["organiser@example.org"] and "- Plan: due on" in row.body


def test_a_child_named_in_a_document_title_never_reaches_the_stored_copy(world):  # type: ignore[no-untyped-def]
    request_document(
        world.own, by=world.pcm, title="Tyler's plan (born 05/01/2015)", due_on=date(2027, 2, 8)
    )
    send_document_reminders(date(2027, 2, 1))
    assert "Tyler" in mail.outbox[0].body  # the organiser's own reminder is as written
    (row,) = _rows(world.own, MailKind.DOCUMENT_REMINDER)
    assert "Tyler" not in row.body and "2015" not in row.body
    assert "Tyler" not in str(OutboxMessage.objects.values_list("subject", "body").get())


def test_written_feedback_reminders(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(
        stage=Stage.FEEDBACK_GIVEN, written_feedback_format="report"
    )
    sent = send_feedback_reminders(date(2027, 3, 26))  # 14 days before 9 April
    assert len(sent) == 1
    rows = _rows(x.d, MailKind.FEEDBACK_REMINDER)
    _matches_mail(rows)


def test_the_factual_check(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(written_feedback_format="report")
    w = written_for(x.d)
    submit_for_check(w, by=world.peer, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    rows = _rows(x.d, MailKind.FACTUAL_CHECK)
    _matches_mail(rows)
    assert rows[0].recipients == ["organiser@example.org", "sponsor@example.org"]


def test_message_notices_keep_the_notice_not_the_message(world):  # type: ignore[no-untyped-def]
    post_message(world.own, by=world.pcm, text="Please send the staffing figures.")
    (row,) = _rows(world.own, MailKind.MESSAGE_NOTICE)
    _matches_mail([row])
    assert "staffing figures" in mail.outbox[0].body
    assert "staffing figures" not in row.body and "/messages/" in row.body
    assert row.sent_by == world.pcm


def _finished_audit(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    audit = save_audit(
        case,
        by=auditor,
        header={},
        grades={d: GradeIn("good", "Seen alone") for d in AuditDomain.values},
        overall_grade="good",
        difference="Safer at home",
        finish=True,
        version=0,
    )
    return auditor, audit


def test_a_safeguarding_concern_is_recorded_without_its_text(world):  # type: ignore[no-untyped-def]
    auditor, audit = _finished_audit(world)
    mail.outbox.clear()
    raise_concern(audit, by=auditor, summary="Mother disclosed abuse")
    (row,) = _rows(world.own, MailKind.CONCERN)
    _matches_mail([row])
    assert row.body == "" and row.body_withheld and row.attachments == []


def test_a_concern_that_cannot_be_sent_is_recorded_and_still_swallowed(world, settings):  # type: ignore[no-untyped-def]
    auditor, audit = _finished_audit(world)
    settings.EMAIL_BACKEND = FAILING
    concern = raise_concern(audit, by=auditor, summary="Mother disclosed abuse")
    assert concern.escalated_at is None
    (row,) = _rows(world.own, MailKind.CONCERN)
    assert row.status == MailStatus.FAILED and ANSWER in row.error and row.body == ""
    assert world.own.audit.filter(action="safeguarding_concern_not_sent").exists()


def test_the_case_review_report_notice(world, settings):  # type: ignore[no-untyped-def]
    auditor, _ = _finished_audit(world)
    review = CaseReview.objects.get(diagnostic=world.own)
    save_report_text(
        review, by=auditor, strengths="Seen alone", improvements="Plans", version=review.version
    )
    approve_report(review, by=world.pcm, version=review.version)
    review.refresh_from_db()
    mail.outbox.clear()
    settings.EMAIL_BACKEND = FAILING
    issue_report(review, by=world.pcm, version=review.version)  # the failure is swallowed
    (row,) = _rows(world.own, MailKind.CASE_REPORT)
    assert row.status == MailStatus.FAILED and ANSWER in row.error
    assert sorted(row.recipients) == ["organiser@example.org", "sponsor@example.org"]
    assert world.own.audit.filter(action="case_report_email_failed").exists()


def test_case_sharing_notices(world):  # type: ignore[no-untyped-def]
    review = make_review(world.own)
    propose(
        sharing_for(review),
        by=world.organiser,
        method="accounts",
        details="Accounts for the week",
        contact_name="Olive Organiser",
        contact_email="olive@example.org",
        version=UNCHECKED,
    )
    (row,) = _rows(world.own, MailKind.CASE_SHARING)
    _matches_mail([row])
    assert row.recipients == ["pcm@example.org"]


def test_scope_changes_asked_for(world):  # type: ignore[no-untyped-def]
    d = world.own
    ScopingMeeting.objects.create(
        diagnostic=d, scheduled_for=timezone.now(), held_on=date(2026, 11, 2)
    )
    KloeFactory(diagnostic=d, order=1, text="How consistent are thresholds?")
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=Stage.SCOPED, focus_statement="The front door", case_review_in_scope=False
    )
    d.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer_scope(
            d,
            by=world.sponsor,
            decision="changes_requested",
            comment="Add early help",
            fingerprint=current_scope(d).fingerprint,
        )
    (row,) = _rows(d, MailKind.SCOPE_CHANGES)
    _matches_mail([row])
    assert row.sent_by == world.sponsor


def test_council_requests(world):  # type: ignore[no-untyped-def]
    kw: dict[str, Any] = {
        "type": "send",
        "concerns": "EHCP timeliness has fallen",
        "weeks": [timezone.localdate() + timedelta(days=35 - timezone.localdate().weekday())],
        "sponsor_name": "Sam Sponsor",
        "sponsor_email": "sam@council.example.org",
        "sponsor_job_title": "DCS",
        "organiser_name": "Olu Organiser",
        "organiser_email": "olu@council.example.org",
        "organiser_job_title": "Business manager",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        request_diagnostic(world.organiser.person.organisation, by=world.organiser, **kw)
    d = CouncilRequest.objects.get().diagnostic
    rows = _rows(d, MailKind.REQUEST)
    _matches_mail(rows)
    assert ["organiser@example.org"] in [r.recipients for r in rows]


# No e-mail leaves any other way ---------------------------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "peerdiag"
# Sending that does not go through the outbox: Django's helpers, a connection of one's own.
DIRECT = re.compile(
    r"\bsend_mail\(|\bsend_mass_mail\(|\bmail_admins\(|\bmail_managers\(|get_connection\(|"
    r"(?<!outbox\.)\bsend_messages\(|\.send\(fail_silently"
)
# Account e-mails belong to no diagnostic (sign-in tokens, throttling notices, invitations to
# the service); they are sent directly and not recorded.
NOT_ABOUT_A_DIAGNOSTIC = {
    "accounts/domain/tokens.py",
    "accounts/domain/throttle.py",
    "accounts/domain/invitations.py",
}


def test_every_email_about_a_diagnostic_goes_through_the_outbox():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name in NOT_ABOUT_A_DIAGNOSTIC or name == "common/outbox.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DIRECT.search(line):
                offenders.append(f"{name}:{n}: {line.strip()}")
    assert offenders == []


def test_the_check_would_name_a_direct_send():
    assert DIRECT.search('    send_mail("Hello", body, None, to)')
    assert DIRECT.search("    with mail.get_connection() as c:")
    assert DIRECT.search("    connection.send_messages(messages)")
    assert not DIRECT.search("    outbox.send_messages(messages, kind=k)")
