"""Polls are not the person being there (issue 23, with the idle warning): a request marked
with the background header never restarts the idle clock, so a page left open on an unattended
screen still signs out; once signed out, a poll gets 204 and no page to swap in."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from peerdiag.accounts.session_timeout import (
    BACKGROUND_HEADER,
    IDLE_SIGNED_OUT_KEY,
    LAST_SEEN_KEY,
)

pytestmark = pytest.mark.django_db

LIMIT = 30 * 60  # PEERDIAG_IDLE_MINUTES in the test settings
POLL = {BACKGROUND_HEADER: "1"}


def _signed_in_since(user, seconds: float) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    session = c.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()
    return c


def test_a_poll_leaves_the_clock_where_it_was_and_a_page_restarts_it(world):  # type: ignore[no-untyped-def]
    c = _signed_in_since(world.peer, 120)
    before = c.session[LAST_SEEN_KEY]
    assert c.get("/account/", headers=POLL).status_code == 200
    assert c.session[LAST_SEEN_KEY] == before
    assert c.get("/account/").status_code == 200
    assert time.time() - c.session[LAST_SEEN_KEY] < 5


def test_polls_alone_do_not_keep_a_session_signed_in(world):  # type: ignore[no-untyped-def]
    c = _signed_in_since(world.peer, LIMIT - 30)
    assert c.get("/account/", headers=POLL).status_code == 200
    session = c.session
    session[LAST_SEEN_KEY] -= 60  # a minute of nothing but polls later
    session.save()
    r = c.get("/account/", headers=POLL)
    # Signed out, and the poll gets nothing htmx would swap in (no sign-in page, no redirect).
    assert (r.status_code, r.content, r.get("Location")) == (204, b"", None)
    assert "_auth_user_id" not in c.session
    assert c.session.get(IDLE_SIGNED_OUT_KEY) is True
    # The page itself, asked for by the person, goes to the sign-in page.
    assert c.get("/account/")["Location"].startswith("/sign-in/")


def test_a_poll_from_a_session_signed_out_elsewhere_gets_nothing_to_swap_in():
    r = Client().get("/account/", headers=POLL)
    assert (r.status_code, r.content) == (204, b"")
    # Without the header, the same request is sent to sign in as usual.
    assert Client().get("/account/").status_code == 302


def test_the_header_must_say_1(world):  # type: ignore[no-untyped-def]
    c = _signed_in_since(world.peer, 120)
    c.get("/account/", headers={BACKGROUND_HEADER: "no"})
    assert time.time() - c.session[LAST_SEEN_KEY] < 5
