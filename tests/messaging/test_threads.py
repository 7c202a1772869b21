"""The messages thread (issue 17): who may use it, the child-data check on every message (which
never shows the words it caught), e-mails to the other side, the author's edit window with
versions, the PCM hiding a message, paging, unread counts and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.retention import REMOVED
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.directory.models import Person
from peerdiag.messaging.domain.retention import destroy_messages
from peerdiag.messaging.domain.threads import (
    PAGE_SIZE,
    edit_message,
    hide_message,
    post_message,
    unread_count,
)
from peerdiag.messaging.models import Message, Side
from tests.factories import PersonFactory, UserFactory

NAMES = {
    "pcm@example.org": "Priya Okafor",
    "peer@example.org": "Daniel Moss",
    "sponsor@example.org": "Helen Carter",
    "organiser@example.org": "Owen Price",
    "sponsor-b@example.org": "Ruth Evans",
    "pcm2@example.org": "Ian Wood",
    "peer2@example.org": "Karen Bell",
}


@pytest.fixture
def w(world):  # type: ignore[no-untyped-def]
    """The shared world, with fixed names (random ones could spell a name under test)."""
    for email, name in NAMES.items():
        Person.objects.filter(email=email).update(full_name=name)
        type(world.admin).objects.filter(email=email).update(full_name=name)
    type(world.admin).objects.filter(pk=world.admin.pk).update(full_name="Alex Admin")
    for user in (world.pcm, world.peer, world.sponsor, world.organiser, world.admin):
        user.refresh_from_db()
    return world


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _url(d, name: str = "web:messages", *args: str) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[d.reference, *args])


# Who may use the thread ----------------------------------------------------------------------


def test_both_sides_read_and_write_and_outsiders_learn_nothing(w):  # type: ignore[no-untyped-def]
    for user in (w.sponsor, w.organiser, w.pcm, w.peer, w.admin):
        page = _client(user).get(_url(w.own))
        assert page.status_code == 200
        assert "Never write anything that could identify a child" in page.content.decode()
    # Another council (the sponsor of another diagnostic) and a peer not on the team.
    assert _client(w.other_council_user).get(_url(w.own)).status_code == 404
    assert _client(w.stranger_peer).get(_url(w.own)).status_code == 404
    r = _client(w.other_council_user).post(_url(w.own), {"text": "Hello there"})
    assert r.status_code == 404
    assert not Message.objects.exists()
    with pytest.raises(DomainError):
        post_message(w.own, by=w.stranger_peer, text="Hello there")
    with pytest.raises(DomainError):
        post_message(w.own, by=w.other_council_user, text="Hello there")
    assert not Message.objects.exists()


def test_a_council_user_without_a_role_on_the_diagnostic_is_refused(w):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=w.sponsor.person.organisation, full_name="Gail Reed")
    person.user = UserFactory(email="finance@example.org", full_name="Gail Reed")
    person.save()
    user = person.user
    assert _client(user).get(_url(w.own)).status_code == 403
    assert _client(user).post(_url(w.own), {"text": "Hello there"}).status_code == 403
    assert not Message.objects.exists()


# The child-data check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Can the team look at AMY SMITH before Tuesday?",
        "The child was born 5th January 2015 and moved in the summer",
        "Case amy.smith.2015 is the one",
        "Seen on 05/01/2015",
    ],
)
def test_the_check_refuses_names_and_dates_and_never_shows_them(w, text):  # type: ignore[no-untyped-def]
    page = _client(w.sponsor).post(_url(w.own), {"text": text})
    body = page.content.decode()
    assert page.status_code == 400
    assert "was not saved" in body
    for piece in ("AMY", "Amy", "amy", "5th January", "2015", "SMITH"):
        assert piece not in body, piece
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_names_of_the_people_on_the_diagnostic_and_everyday_words_pass(w):  # type: ignore[no-untyped-def]
    m = post_message(
        w.own, by=w.sponsor, text="Priya, we will send the figures in the morning. Owen"
    )
    assert Message.objects.get(pk=m.pk).text.startswith("Priya, we will send")


# E-mails to the other side ------------------------------------------------------------------


def test_a_council_message_emails_the_pcm_and_lead_peer_with_the_text_and_a_link(w):  # type: ignore[no-untyped-def]
    r = _client(w.sponsor).post(_url(w.own), {"text": "When is the next call?"})
    assert r.status_code == 302
    m = Message.objects.get()
    assert (m.side, m.author, m.text) == (Side.COUNCIL, w.sponsor, "When is the next call?")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sorted(sent.to) == ["pcm@example.org", "peer@example.org"]
    assert "When is the next call?" in sent.body
    assert f"/diagnostics/{w.own.reference}/messages/" in sent.body


def test_an_lga_message_emails_the_sponsor_and_organiser(w):  # type: ignore[no-untyped-def]
    post_message(w.own, by=w.peer, text="Please send the staffing figures.")
    assert [sorted(m.to) for m in mail.outbox] == [["organiser@example.org", "sponsor@example.org"]]
    assert Message.objects.get().side == Side.LGA


# Editing -------------------------------------------------------------------------------------


def test_the_author_edits_within_the_window_from_the_version_seen(w):  # type: ignore[no-untyped-def]
    m = post_message(w.own, by=w.organiser, text="The call is at ten.")
    r = _client(w.organiser).post(
        _url(w.own, "web:message_edit", m.code), {"text": "The call is at eleven.", "version": 1}
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.text, m.version) == ("The call is at eleven.", 2) and m.edited_at is not None
    # A second save from the same (now old) page is refused and changes nothing.
    r = _client(w.organiser).post(
        _url(w.own, "web:message_edit", m.code), {"text": "The call is at noon.", "version": 1}
    )
    assert r.status_code == 400 and "after you opened it" in r.content.decode()
    m.refresh_from_db()
    assert (m.text, m.version) == ("The call is at eleven.", 2)
    with pytest.raises(StaleEdit):
        edit_message(m, by=w.organiser, text="Noon.", version=1)


def test_nobody_else_edits_and_nobody_edits_after_the_window(w):  # type: ignore[no-untyped-def]
    m = post_message(w.own, by=w.organiser, text="The call is at ten.")
    assert _client(w.sponsor).get(_url(w.own, "web:message_edit", m.code)).status_code == 403
    assert (
        _client(w.pcm)
        .post(_url(w.own, "web:message_edit", m.code), {"text": "Changed.", "version": 1})
        .status_code
        == 403
    )
    later = timezone.now() + timedelta(minutes=16)
    with pytest.raises(DomainError, match="15 minutes"):
        edit_message(m, by=w.organiser, text="The call is at two.", version=1, now=later)
    m.refresh_from_db()
    assert (m.text, m.version) == ("The call is at ten.", 1)


def test_an_edit_goes_through_the_check_too(w):  # type: ignore[no-untyped-def]
    m = post_message(w.own, by=w.organiser, text="The call is at ten.")
    r = _client(w.organiser).post(
        _url(w.own, "web:message_edit", m.code), {"text": "About AMY SMITH", "version": 1}
    )
    assert r.status_code == 400 and "AMY" not in r.content.decode()
    m.refresh_from_db()
    assert m.text == "The call is at ten."


# Hiding -------------------------------------------------------------------------------------


def test_the_pcm_hides_a_message_with_a_reason_kept_in_the_audit_trail(w):  # type: ignore[no-untyped-def]
    m = post_message(w.own, by=w.sponsor, text="Meant for another diagnostic.")
    url = _url(w.own, "web:message_hide", m.code)
    assert _client(w.peer).post(url, {"reason": "No", "version": 1}).status_code == 403
    assert _client(w.sponsor).get(url).status_code == 403
    r = _client(w.pcm).post(url, {"reason": "Sent to the wrong diagnostic.", "version": 1})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.hidden_at is not None and m.hidden_by == w.pcm
    assert Message.objects.filter(pk=m.pk).exists()  # hidden, not deleted
    entry = AuditEntry.objects.get(action="message_hidden")
    assert "Sent to the wrong diagnostic." in entry.summary
    page = _client(w.sponsor).get(_url(w.own)).content.decode()
    assert "Meant for another diagnostic." not in page
    assert "hidden by the peer challenge manager" in page
    with pytest.raises(DomainError, match="already hidden"):
        hide_message(m, by=w.pcm, reason="Again.", version=m.version)


# Reading ------------------------------------------------------------------------------------


def test_unread_count_on_the_overview_goes_when_the_thread_is_read(w):  # type: ignore[no-untyped-def]
    post_message(w.own, by=w.sponsor, text="First question.")
    post_message(w.own, by=w.sponsor, text="Second question.")
    assert unread_count(w.own, w.pcm) == 2
    assert unread_count(w.own, w.sponsor) == 0  # one's own messages are read
    overview = _client(w.pcm).get(reverse("web:diagnostic_overview", args=[w.own.reference]))
    assert "2 unread" in overview.content.decode()
    _client(w.pcm).get(_url(w.own))
    assert unread_count(w.own, w.pcm) == 0
    assert unread_count(w.own, w.peer) == 2  # each person has their own count


def test_newest_last_paged_at_50_with_the_newest_page_first(w):  # type: ignore[no-untyped-def]
    for i in range(PAGE_SIZE + 1):
        Message.objects.create(diagnostic=w.own, author=w.pcm, side=Side.LGA, text=f"Note {i}.")
    last = _client(w.sponsor).get(_url(w.own)).content.decode()
    assert f"Note {PAGE_SIZE}." in last and "Note 0." not in last
    first = _client(w.sponsor).get(_url(w.own) + "?page=1").content.decode()
    assert "Note 0." in first and f"Note {PAGE_SIZE - 1}." in first
    assert first.index("Note 0.") < first.index("Note 1.")


def test_the_thread_takes_the_same_number_of_queries_for_1_or_3_messages(w):  # type: ignore[no-untyped-def]
    c = _client(w.sponsor)

    def count() -> int:
        with CaptureQueriesContext(connection) as q:
            assert c.get(_url(w.own)).status_code == 200
        return len(q)

    Message.objects.create(diagnostic=w.own, author=w.pcm, side=Side.LGA, text="One.")
    count()  # the first visit makes the read mark
    one = count()
    for text in ("Two.", "Three."):
        Message.objects.create(diagnostic=w.own, author=w.peer, side=Side.LGA, text=text)
    assert count() == one


def test_retention_replaces_the_text_and_keeps_the_rows(w):  # type: ignore[no-untyped-def]
    m = post_message(w.own, by=w.sponsor, text="A question.")
    hide_message(m, by=w.pcm, reason="Not needed.", version=m.version)
    assert destroy_messages(w.own) == {"messages removed": 1}
    m.refresh_from_db()
    assert (m.text, m.hidden_reason) == (REMOVED, REMOVED)
    assert destroy_messages(w.own) == {"messages removed": 0}
