"""Staying signed in: the idle warning's keep-alive (POST /session/keep-alive/) and the header
that tells each signed-in page how long its session has left."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.session_timeout import IDLE_LEFT_HEADER, LAST_SEEN_KEY
from peerdiag.web.views.auth import PENDING_SESSION_KEY
from tests.factories import PASSWORD

from .helpers import set_up_app

pytestmark = pytest.mark.django_db

KEEP_ALIVE = "/session/keep-alive/"
LIMIT = 30 * 60  # PEERDIAG_IDLE_MINUTES in the test settings


def _signed_in(user, *, csrf: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client(enforce_csrf_checks=csrf)
    c.force_login(user)
    return c


def _age(c: Client, seconds: float) -> None:
    """Make the session's last request `seconds` ago."""
    session = c.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()


def test_the_address_is_the_one_the_page_posts_to():
    assert reverse("web:session_keep_alive") == KEEP_ALIVE


def test_a_keep_alive_after_29_idle_minutes_buys_29_more(world):
    c = _signed_in(world.peer)
    _age(c, 29 * 60)
    r = c.post(KEEP_ALIVE)
    assert (r.status_code, r.content) == (204, b"")
    with time_machine.travel(time.time() + 29 * 60):
        assert c.get("/account/").status_code == 200
    assert "_auth_user_id" in c.session


def test_a_keep_alive_restarts_the_clock_even_within_a_minute_of_the_last_request(world):
    # Other requests leave a timestamp less than a minute old where it is; a keep-alive must
    # not, or "Stay signed in" pressed just after a page load would buy up to a minute less.
    c = _signed_in(world.peer)
    _age(c, 30)
    assert c.post(KEEP_ALIVE).status_code == 204
    assert time.time() - c.session[LAST_SEEN_KEY] < 5
    with time_machine.travel(time.time() + LIMIT - 15):
        r = c.get("/account/")
    assert r.status_code == 200


def test_without_a_keep_alive_the_same_wait_signs_out(world):
    # The test above, less the keep-alive: shows that the wait it uses is long enough.
    c = _signed_in(world.peer)
    _age(c, 30)
    with time_machine.travel(time.time() + LIMIT - 15):
        r = c.get("/account/")
    assert (r.status_code, r["Location"]) == (302, "/sign-in/?next=/account/")


def test_get_is_refused(world):
    c = _signed_in(world.peer)
    _age(c, 29 * 60)
    assert c.get(KEEP_ALIVE).status_code == 405


def test_a_post_without_the_csrf_token_is_refused_and_one_with_it_is_not(world):
    c = _signed_in(world.peer, csrf=True)
    assert c.post(KEEP_ALIVE).status_code == 403
    c.get("/account/")  # sets the CSRF cookie, as any page does
    token = c.cookies["csrftoken"].value
    assert c.post(KEEP_ALIVE, headers={"X-CSRFToken": token}).status_code == 204


def test_someone_signed_out_gets_401_and_no_redirect():
    r = Client().post(KEEP_ALIVE)
    assert r.status_code == 401
    assert "Location" not in r
    assert r.json() == {"signed_in": False}


def test_a_session_past_the_limit_is_not_brought_back(world):
    c = _signed_in(world.peer)
    _age(c, LIMIT + 1)
    r = c.post(KEEP_ALIVE)
    assert (r.status_code, r.json()) == (401, {"signed_in": False})
    assert "_auth_user_id" not in c.session
    # The sign-in page the script goes to then says why.
    page = c.get("/sign-in/?next=/account/").content.decode()
    assert "You were signed out because peerdiag was not used for 30 minutes" in page


def test_a_password_still_waiting_for_its_code_is_not_kept_alive(world):
    set_up_app(world.pcm)
    c = Client()
    r = c.post("/sign-in/", {"username": "pcm@example.org", "password": PASSWORD})
    assert r["Location"] == "/sign-in/code/"
    assert c.post(KEEP_ALIVE).status_code == 401
    assert "_auth_user_id" not in c.session
    assert LAST_SEEN_KEY not in c.session
    assert PENDING_SESSION_KEY in c.session


def test_someone_who_must_still_set_up_two_factor_can_stay_on_the_set_up_page(
    world, must_use_two_factor, two_factor_middleware
):
    # The set-up page warns before the idle sign-out like any other; every other page still
    # sends them to set-up.
    must_use_two_factor.add(world.pcm.pk)
    c = _signed_in(world.pcm)
    assert c.get("/")["Location"] == "/account/two-factor/"
    _age(c, 30)
    assert c.post(KEEP_ALIVE).status_code == 204
    assert time.time() - c.session[LAST_SEEN_KEY] < 5


def test_each_signed_in_answer_says_how_long_is_left(world):
    c = _signed_in(world.peer)
    _age(c, 100)  # over a minute: this request restarts the clock
    assert int(c.get("/account/")[IDLE_LEFT_HEADER]) == LIMIT
    _age(c, 40)  # under a minute: this one leaves it, and the header says so
    left = int(c.get("/account/")[IDLE_LEFT_HEADER])
    assert LIMIT - 45 <= left <= LIMIT - 39
    assert int(c.post(KEEP_ALIVE)[IDLE_LEFT_HEADER]) == LIMIT


def test_answers_to_visitors_say_nothing_about_time_left():
    assert IDLE_LEFT_HEADER not in Client().get("/sign-in/")
    assert IDLE_LEFT_HEADER not in Client().post(KEEP_ALIVE)
