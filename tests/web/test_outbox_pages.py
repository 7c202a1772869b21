"""The outbox pages (issue 18): the PCM and LGA administrators read every e-mail sent about a
diagnostic, newest first, filter by kind, read one stored copy, and send an invitation, reminder
or survey link again after confirming; peers and the council get 404."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.common import outbox
from peerdiag.common.models import MailKind, MailStatus, OutboxMessage
from peerdiag.diagnostics.domain.outbox import PAGE_SIZE
from tests.common.failing_mail import ANSWER, FAILING

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _send(d, kind=MailKind.INVITATION, subject="Invitation", to="peer@example.org", **kw):  # type: ignore[no-untyped-def]
    return outbox.send(
        kind=kind, subject=subject, body=kw.pop("body", "Please come."), to=[to], diagnostic=d, **kw
    )


def _list(world, user=None, **params) -> str:  # type: ignore[no-untyped-def]
    r = _client(user or world.pcm).get(reverse("web:outbox", args=[world.own.reference]), params)
    assert r.status_code == 200
    return unescape(r.content.decode())


def test_the_pcm_reads_every_email_newest_first_with_failures_and_their_answer(world, settings):  # type: ignore[no-untyped-def]
    first = _send(world.own, subject="First invitation")
    OutboxMessage.objects.filter(pk=first.pk).update(sent_at=first.sent_at - timedelta(hours=1))
    settings.EMAIL_BACKEND = FAILING
    with pytest.raises(smtplib.SMTPException):
        _send(world.own, MailKind.FEEDBACK_REMINDER, subject="Feedback due", to="x@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _send(world.other, subject="Someone else's")
    page = _list(world)
    assert page.index("Feedback due") < page.index("First invitation")
    assert "Someone else's" not in page
    assert "Written feedback reminder" in page and "Meeting invitation" in page
    assert "x@example.org" in page and "Failed" in page and ANSWER in page
    assert "2 e-mails" in page


def test_the_list_filters_by_kind(world):  # type: ignore[no-untyped-def]
    _send(world.own, subject="An invitation")
    _send(world.own, MailKind.SURVEY_LINK, subject="A survey")
    page = _list(world, kind=MailKind.SURVEY_LINK)
    assert "A survey" in page and "An invitation" not in page
    assert _list(world, kind="nonsense").count('<tr class="govuk-table__row">') == 3


def test_the_list_pages_and_keeps_a_constant_number_of_queries(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    url = reverse("web:outbox", args=[world.own.reference])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    _send(world.own, by=world.pcm)
    one = count()
    for _ in range(2):
        _send(world.own, by=world.admin)
    assert count() == one
    for n in range(PAGE_SIZE):
        _send(world.own, subject=f"Invitation {n}")
    first_page, second_page = _list(world), _list(world, page=2)
    row = '<tr class="govuk-table__row">'
    assert "1 of 2" in first_page and first_page.count(row) == PAGE_SIZE + 1  # with the heading
    assert "Invitation 0" in first_page and "Invitation 0" not in second_page
    assert second_page.count(row) == 3 + 1  # the three oldest


def test_one_stored_copy_and_a_concern_that_keeps_no_text(world):  # type: ignore[no-untyped-def]
    row = _send(world.own, body="Tyler is coming to the meeting on Monday.")
    page = unescape(
        _client(world.admin)
        .get(reverse("web:outbox_message", args=[world.own.reference, row.code]))
        .content.decode()
    )
    assert "[name] is coming to the meeting on Monday." in page and "Tyler" not in page
    assert "Send this e-mail again" in page
    concern = _send(
        world.own, MailKind.CONCERN, subject="Concern", body="Case MOS-1", withhold_body=True
    )
    page = unescape(
        _client(world.pcm)
        .get(reverse("web:outbox_message", args=[world.own.reference, concern.code]))
        .content.decode()
    )
    assert "is not kept" in page and "MOS-1" not in page and "Send this e-mail again" not in page


def test_resend_asks_first_then_sends_once_and_links_the_new_email(world):  # type: ignore[no-untyped-def]
    row = _send(world.own)
    mail.outbox.clear()
    c = _client(world.pcm)
    url = reverse("web:outbox_resend", args=[world.own.reference, row.code])
    page = c.get(url).content.decode()
    assert "Send this e-mail again?" in page and "peer@example.org" in page
    assert mail.outbox == []  # asking sends nothing
    data = {"once": "resend-token-0123456789ab"}
    r = c.post(url, data)
    again = OutboxMessage.objects.exclude(pk=row.pk).get()
    assert r["Location"] == reverse("web:outbox_message", args=[world.own.reference, again.code])
    assert (again.resent_from, again.sent_by, again.status) == (row, world.pcm, MailStatus.SENT)
    assert [m.to for m in mail.outbox] == [["peer@example.org"]]
    # A double click (the same form sent again) sends nothing more.
    c.post(url, data)
    assert len(mail.outbox) == 1 and OutboxMessage.objects.count() == 2
    detail = unescape(c.get(r["Location"]).content.decode())
    assert "The e-mail was sent again" in detail and "Sent again from" in detail


def test_a_notice_cannot_be_sent_again(world):  # type: ignore[no-untyped-def]
    row = _send(world.own, MailKind.MESSAGE_NOTICE, subject="New message")
    url = reverse("web:outbox_resend", args=[world.own.reference, row.code])
    c = _client(world.pcm)
    assert "cannot be sent again" in c.get(url).content.decode()
    r = c.post(url, {"once": "resend-token-notice-000000"})
    assert r.status_code == 400 and "There is a problem" in r.content.decode()
    assert OutboxMessage.objects.count() == 1 and len(mail.outbox) == 1


def test_peers_and_the_council_get_page_not_found(world):  # type: ignore[no-untyped-def]
    row = _send(world.own, to="invitee@example.org")
    urls = [
        reverse("web:outbox", args=[world.own.reference]),
        reverse("web:outbox_message", args=[world.own.reference, row.code]),
        reverse("web:outbox_resend", args=[world.own.reference, row.code]),
    ]
    for user in (world.peer, world.sponsor, world.organiser, world.other_pcm):
        c = _client(user)
        for url in urls:
            r = c.get(url)
            assert r.status_code == 404 and "invitee@example.org" not in r.content.decode()
        c.post(urls[2], {"once": "resend-token-outsider-0000"})
    assert OutboxMessage.objects.count() == 1 and len(mail.outbox) == 1
    # Another diagnostic's e-mail is not reached through this one's address.
    theirs = _send(world.other)
    r = _client(world.pcm).get(
        reverse("web:outbox_message", args=[world.own.reference, theirs.code])
    )
    assert r.status_code == 404


def test_the_link_for_the_overview_shows_the_failures_to_whoever_may_read_the_outbox(  # type: ignore[no-untyped-def]
    world, rf, settings
):
    from django.template import Context, Template

    settings.EMAIL_BACKEND = FAILING
    with pytest.raises(smtplib.SMTPException):
        _send(world.own)
    template = Template("{% load outbox_link %}{% outbox_link d %}")
    for user, shown in ((world.pcm, True), (world.admin, True), (world.peer, False)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"d": world.own, "request": request}))
        url = reverse("web:outbox", args=[world.own.reference])
        assert (url in html and "1 failed" in html) is shown and (url in html) is shown
