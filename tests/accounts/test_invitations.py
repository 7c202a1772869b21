"""Invitations, end to end through a real SMTP server started by the test (aiosmtpd)."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import is_password_usable
from django.core import mail
from django.test import Client
from django.utils import timezone

from peerdiag.accounts.domain.invitations import accept_invitation, invite
from peerdiag.accounts.models import Invitation, User
from peerdiag.common.errors import DomainError
from peerdiag.directory.domain.invitations import invite_person
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
NEW_PASSWORD = "a-long-passphrase-for-peerdiag"
LINK = re.compile(r"http://testserver(/invitation/[A-Za-z0-9_-]+/)")


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message it is sent."""

    received: list[tuple[str, list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings) -> Iterator[Collector]:  # type: ignore[no-untyped-def]
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    try:
        yield handler
    finally:
        controller.stop()


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    # SMTP carries lines ending CRLF.
    return payload.decode(message.get_content_charset() or "utf-8").replace("\r\n", "\n")


def _link(smtp: Collector) -> str:
    found = LINK.search(_body(smtp.received[-1][2]))
    assert found is not None
    return found.group(1)


def _newcomer(**kw: Any) -> Any:
    kw.setdefault("email", "sam.patel@example.org")
    kw.setdefault("full_name", "Sam Patel")
    return PersonFactory(**kw)


def test_an_invitation_sent_by_smtp_lets_the_person_choose_a_password_once(smtp, world):
    person = _newcomer()
    invitation = invite_person(person, by=world.pcm, site_url=SITE)

    # The login exists, switched off and with no usable password, until the link is used.
    person.refresh_from_db()
    user = person.user
    assert (user.email, user.full_name, user.is_active) == (
        "sam.patel@example.org",
        "Sam Patel",
        False,
    )
    assert not is_password_usable(user.password)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert invitation.invited_by == world.pcm

    # One message, through the SMTP server, to the person.
    assert len(smtp.received) == 1
    sender, recipients, message = smtp.received[0]
    assert (sender, recipients) == ("no-reply@peerdiag.local", ["sam.patel@example.org"])
    assert message["Subject"] == "You are invited to peerdiag"
    assert message["To"] == "sam.patel@example.org"
    body = _body(message)
    assert body.startswith("Hello Sam,\n\n")
    assert f"{world.pcm.get_full_name()} has invited you to peerdiag" in body
    assert "ask your peer challenge manager for a new invitation" in body
    link = _link(smtp)
    assert Invitation.objects.for_token(link.split("/")[2]) == invitation

    c = Client()
    form = c.get(link)
    assert form.status_code == 200
    assert "<strong>sam.patel@example.org</strong>" in form.content.decode()
    r = c.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert (r.status_code, r["Location"]) == (302, "/")
    assert int(c.session["_auth_user_id"]) == user.pk
    assert c.get("/").status_code == 200
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.used_at is not None

    # The same link again is refused, with a page saying whom to ask.
    again = Client().get(link)
    page = again.content.decode()
    assert again.status_code == 200
    assert (
        '<p class="govuk-body" id="refusal-reason">This invitation has been used already.</p>'
        in (page)
    )
    assert "Ask your peer challenge manager to send you a new invitation." in page
    refused = Client().post(link, {"password1": "another-long-phrase", "password2": "x"})
    assert "This invitation has been used already." in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_invitation_eight_days_old_has_expired(smtp, world):
    person = _newcomer()
    eight_days_ago = timezone.now() - timedelta(days=8)
    invite_person(person, by=world.pcm, site_url=SITE, now=eight_days_ago)
    link = _link(smtp)
    c = Client()
    r = c.get(link)
    assert r.status_code == 200
    assert "This invitation has expired." in r.content.decode()
    posted = c.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "This invitation has expired." in posted.content.decode()
    assert "_auth_user_id" not in c.session
    person.user.refresh_from_db()
    assert not person.user.is_active
    assert not is_password_usable(person.user.password)


def test_a_new_invitation_replaces_the_unused_one(smtp, world):
    person = _newcomer()
    first = invite_person(person, by=world.pcm, site_url=SITE)
    first_link = _link(smtp)
    second = invite_person(person, by=world.admin, site_url=SITE)
    second_link = _link(smtp)
    assert len(smtp.received) == 2 and first_link != second_link
    first.refresh_from_db()
    assert first.voided_at == second.created_at
    assert User.objects.filter(email="sam.patel@example.org").count() == 1
    old = Client().get(first_link).content.decode()
    assert "A newer invitation has replaced this one." in old
    assert Client().get(second_link).status_code == 200


def test_an_unknown_link_is_not_found(world):
    r = Client().get("/invitation/not-a-real-token/")
    assert r.status_code == 404
    assert "This invitation link is not recognised." in r.content.decode()


def test_the_password_is_checked_by_djangos_validators_and_typed_twice(smtp, world):
    invite_person(_newcomer(), by=world.pcm, site_url=SITE)
    link = _link(smtp)
    c = Client()
    short = c.post(link, {"password1": "sam", "password2": "sam"}).content.decode()
    assert "<title>Error: Choose your password – peerdiag</title>" in short
    assert "This password is too short. It must contain at least 8 characters." in short
    different = c.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "!"})
    assert (
        '<li><a href="#id_password2">The two passwords are not the same</a></li>'
        in different.content.decode()
    )
    empty = c.post(link, {"password1": "", "password2": ""}).content.decode()
    assert '<li><a href="#id_password1">Choose a password</a></li>' in empty
    assert '<li><a href="#id_password2">Type the password again</a></li>' in empty
    assert "_auth_user_id" not in c.session
    assert Invitation.objects.get().used_at is None


def test_after_accepting_someone_who_must_use_two_factors_is_sent_to_set_up(
    smtp, world, must_use_two_factor, two_factor_middleware
):
    person = _newcomer()
    invite_person(person, by=world.pcm, site_url=SITE)
    must_use_two_factor.add(person.user.pk)
    c = Client()
    link = _link(smtp)
    assert c.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})["Location"] == "/"
    assert c.get("/")["Location"] == "/account/two-factor/"


def test_a_person_without_an_email_address_cannot_be_invited(world):
    person = _newcomer(email="")
    with pytest.raises(DomainError) as refused:
        invite_person(person, by=world.pcm, site_url=SITE)
    assert (refused.value.field, refused.value.message) == (
        "email",
        "Add an e-mail address for this person before inviting them",
    )
    person.refresh_from_db()
    assert person.user is None


def test_an_address_that_is_someone_elses_login_is_refused(world):
    person = _newcomer(email="PEER@example.org")
    with pytest.raises(DomainError) as refused:
        invite_person(person, by=world.pcm, site_url=SITE)
    assert refused.value.field == "email"
    assert Invitation.objects.count() == 0


def test_a_login_with_a_password_is_not_invited(world):
    with pytest.raises(DomainError, match="has chosen a password already"):
        invite(world.peer, by=world.pcm, site_url=SITE)
    assert Invitation.objects.count() == 0


def test_when_the_email_cannot_be_sent_nothing_is_kept(settings, world):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    person = _newcomer()
    with pytest.raises(DomainError, match="could not be sent"):
        invite_person(person, by=world.pcm, site_url=SITE)
    person.refresh_from_db()
    assert person.user is None
    assert not User.objects.filter(email="sam.patel@example.org").exists()
    assert Invitation.objects.count() == 0


def test_accepting_works_until_the_moment_it_expires(world):
    user = UserFactory(email="late@example.org", password=None, is_active=False)
    invitation = invite(user, by=world.pcm, site_url=SITE)
    # The token travels only in the e-mail (here Django's test outbox).
    sent = LINK.search(mail.outbox[-1].body)
    assert sent is not None
    token = sent.group(1).split("/")[2]
    with pytest.raises(DomainError) as expired:
        accept_invitation(token, password=NEW_PASSWORD, now=invitation.expires_at)
    assert (expired.value.field, expired.value.message) == ("token", "This invitation has expired")
    accepted = accept_invitation(
        token, password=NEW_PASSWORD, now=invitation.expires_at - timedelta(seconds=1)
    )
    assert accepted == user and accepted.is_active
    with pytest.raises(DomainError, match=r"^This invitation has been used already$"):
        accept_invitation(token, password=NEW_PASSWORD)
    with pytest.raises(DomainError, match=r"^This invitation link is not recognised$"):
        accept_invitation("nothing-like-it", password=NEW_PASSWORD)
