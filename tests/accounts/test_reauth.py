"""The password again before sensitive actions, and signing out idle sessions."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.domain.reauth import (
    CONFIRMED_SESSION_KEY,
    auth_is_recent,
    mark_confirmed,
)
from peerdiag.accounts.session_timeout import LAST_SEEN_KEY
from tests.factories import PASSWORD

from .helpers import set_up_app
from .test_tokens import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.real_reauth]

IDLE = "peerdiag.accounts.session_timeout.IdleTimeoutMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
CREATE = "/account/api-tokens/new/"


@pytest.fixture
def idle_middleware(settings):  # type: ignore[no-untyped-def]
    """The idle time-out in place right after AuthenticationMiddleware (if not there yet)."""
    if IDLE not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index(AUTH) + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], IDLE, *settings.MIDDLEWARE[at:]]


def _age(c: Client, key: str, seconds: float) -> None:
    session = c.session
    session[key] = time.time() - seconds
    session.save()


# Recent authentication ---------------------------------------------------------------------


def test_recent_means_within_the_minutes_given():
    session: dict[str, object] = {}
    assert not auth_is_recent(session)
    mark_confirmed(session, now=1000.0)
    assert auth_is_recent(session, minutes=15, now=1000.0 + 15 * 60)
    assert not auth_is_recent(session, minutes=15, now=1000.0 + 15 * 60 + 1)
    assert not auth_is_recent(session, minutes=15, now=999.0)  # a clock gone backwards
    session[CONFIRMED_SESSION_KEY] = "yesterday"
    assert not auth_is_recent(session, now=1000.0)


def test_without_a_recent_password_the_page_asks_for_it_then_returns(world):
    c = signed_in(world.pcm, confirmed=False)
    r = c.get(CREATE)
    assert r["Location"] == "/account/confirm-password/?next=%2Faccount%2Fapi-tokens%2Fnew%2F"
    page = c.get(r["Location"]).content.decode()
    assert '<h1 class="govuk-heading-l">Confirm it is you</h1>' in page
    assert '<input type="hidden" name="next" value="/account/api-tokens/new/">' in page

    wrong = c.post(reverse("web:reauth"), {"password": "wrong", "next": CREATE})
    assert '<a href="#id_password">The password is not right</a>' in wrong.content.decode()
    assert CONFIRMED_SESSION_KEY not in c.session

    right = c.post(reverse("web:reauth"), {"password": PASSWORD, "next": CREATE})
    assert right["Location"] == CREATE
    assert c.get(CREATE).status_code == 200


def test_a_confirmation_older_than_fifteen_minutes_is_asked_for_again(world):
    c = signed_in(world.pcm)
    assert c.get(CREATE).status_code == 200
    _age(c, CONFIRMED_SESSION_KEY, 15 * 60 + 5)
    assert c.get(CREATE)["Location"].startswith("/account/confirm-password/?next=")


def test_htmx_requests_are_told_to_load_the_page(world):
    r = signed_in(world.pcm, confirmed=False).get(CREATE, headers={"HX-Request": "true"})
    assert (r.status_code, r["HX-Redirect"]) == (
        204,
        "/account/confirm-password/?next=%2Faccount%2Fapi-tokens%2Fnew%2F",
    )


def test_visitors_go_to_sign_in_not_to_the_password_check():
    r = Client().get(CREATE)
    assert r["Location"] == "/sign-in/?next=/account/api-tokens/new/"


def test_signing_in_with_the_password_counts_as_recent(world):
    c = Client()
    c.post("/sign-in/", {"username": "pcm@example.org", "password": PASSWORD})
    assert c.get(CREATE).status_code == 200


def test_signing_in_with_a_code_counts_as_recent(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    c.post("/sign-in/", {"username": "pcm@example.org", "password": PASSWORD})
    assert CONFIRMED_SESSION_KEY not in c.session  # the password alone is not a sign-in
    c.post("/sign-in/code/", {"code": app.now()})
    assert c.get(CREATE).status_code == 200


def test_an_address_elsewhere_is_not_followed(world):
    c = signed_in(world.pcm, confirmed=False)
    r = c.post(reverse("web:reauth"), {"password": PASSWORD, "next": "https://evil.example/"})
    assert r["Location"] == reverse("web:account")


def test_wrong_passwords_here_count_towards_the_lock_out(world):
    c = signed_in(world.pcm, confirmed=False)
    for _ in range(5):
        last = c.post(reverse("web:reauth"), {"password": "wrong", "next": CREATE})
    until = throttle.locked_until(email="pcm@example.org", ip=None)
    assert until is not None
    assert f"<li>{throttle.refusal_message(until)}</li>" in last.content.decode()
    locked = c.post(reverse("web:reauth"), {"password": PASSWORD, "next": CREATE})
    assert locked.status_code == 200
    assert CONFIRMED_SESSION_KEY not in c.session


# Idle sessions -----------------------------------------------------------------------------


def test_thirty_minutes_idle_signs_out_and_the_sign_in_page_says_why(world, idle_middleware):
    c = signed_in(world.pcm)
    assert c.get("/").status_code == 200
    _age(c, LAST_SEEN_KEY, 30 * 60 + 1)
    r = c.get("/account/")
    assert r["Location"] == "/sign-in/?next=/account/"
    assert "_auth_user_id" not in c.session
    page = c.get(r["Location"]).content.decode()
    assert "You were signed out because peerdiag was not used for 30 minutes" in page
    # Said once only.
    assert "not used for 30 minutes" not in c.get("/sign-in/").content.decode()


def test_a_request_within_the_limit_keeps_the_session_and_moves_the_clock(world, idle_middleware):
    c = signed_in(world.pcm)
    _age(c, LAST_SEEN_KEY, 29 * 60)
    assert c.get("/account/").status_code == 200
    assert time.time() - c.session[LAST_SEEN_KEY] < 30
    # Within a minute of the last request the session is not written again.
    _age(c, LAST_SEEN_KEY, 20)
    before = c.session[LAST_SEEN_KEY]
    c.get("/account/")
    assert c.session[LAST_SEEN_KEY] == before


def test_the_limit_comes_from_the_settings(world, idle_middleware, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_IDLE_MINUTES = 5
    c = signed_in(world.pcm)
    c.get("/")
    _age(c, LAST_SEEN_KEY, 5 * 60 + 1)
    assert c.get("/account/").status_code == 302
    assert "not used for 5 minutes" in c.get("/sign-in/").content.decode()


def test_the_api_is_left_alone(world, idle_middleware):
    from peerdiag.accounts.models import ApiToken

    _, raw = ApiToken.issue(world.pcm, "t")
    r = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert r.json()["email"] == "pcm@example.org"
    assert "sessionid" not in r.cookies


def test_a_post_comes_back_to_the_page_the_form_was_on(world):
    c = signed_in(world.pcm, confirmed=False)
    r = c.post(
        CREATE, {"name": "x"}, headers={"Referer": "http://testserver/account/api-tokens/new/?a=1"}
    )
    assert (
        r["Location"] == "/account/confirm-password/?next=%2Faccount%2Fapi-tokens%2Fnew%2F%3Fa%3D1"
    )
    elsewhere = c.post(CREATE, {"name": "x"}, headers={"Referer": "https://evil.example/x"})
    assert (
        elsewhere["Location"] == "/account/confirm-password/?next=%2Faccount%2Fapi-tokens%2Fnew%2F"
    )
