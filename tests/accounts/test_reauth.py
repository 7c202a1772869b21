"""The password again before sensitive actions, and signing out idle sessions."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.domain.reauth import (
    CONFIRMED_SESSION_KEY,
    USED_CODE,
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


def test_wrong_passwords_here_count_towards_the_delay(world, clock):  # type: ignore[no-untyped-def]
    c = signed_in(world.pcm, confirmed=False)
    for _ in range(throttle.FREE_FAILURES + 1):
        last = c.post(reverse("web:reauth"), {"password": "wrong", "next": CREATE})
    wait = throttle.waiting(email="pcm@example.org", ip=None)
    assert wait is not None and wait.until == clock.now + timedelta(seconds=2)
    assert "The password is not right" in last.content.decode()
    # Too soon: the right password is not even checked.
    early = c.post(reverse("web:reauth"), {"password": PASSWORD, "next": CREATE})
    assert f"<li>{wait.message()}</li>" in early.content.decode()
    assert CONFIRMED_SESSION_KEY not in c.session
    clock.advance(2)
    later = c.post(reverse("web:reauth"), {"password": PASSWORD, "next": CREATE})
    assert later["Location"] == CREATE
    assert _failures() == 0


# With two-factor sign-in ----------------------------------------------------------------------

REAUTH = "/account/confirm-password/"


def _with_app(user):  # type: ignore[no-untyped-def]
    """`user` with an authenticator app, signed in long enough ago to be asked again."""
    app, recovery = set_up_app(user)
    return app, recovery, signed_in(user, confirmed=False)


def _summary_links(page: str) -> list[str]:
    summary = page.split('<div class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="(#[^"]*)">([^<]*)</a>', summary)


def _failures() -> int:
    from peerdiag.accounts.models import SignInThrottle

    row = SignInThrottle.objects.filter(key=throttle.email_key("pcm@example.org")).first()
    return row.failures if row else 0


def test_without_an_app_the_page_asks_for_the_password_alone(world):
    c = signed_in(world.pcm, confirmed=False)
    page = c.get(f"{REAUTH}?next={CREATE}").content.decode()
    assert 'name="password"' in page
    assert 'name="code"' not in page
    assert "needs your password again" in page
    empty = c.post(REAUTH, {"password": "", "next": CREATE}).content.decode()
    assert _summary_links(empty) == [("#id_password", "Enter your password")]


def test_with_an_app_the_page_asks_for_the_password_and_a_code(world):
    app, _, c = _with_app(world.pcm)
    page = c.get(f"{REAUTH}?next={CREATE}").content.decode()
    assert 'name="password"' in page and 'name="code"' in page
    assert "needs your password and a code from your authenticator app again" in page

    # Both missing: the summary names each field and links to it.
    empty = c.post(REAUTH, {"password": "", "code": "", "next": CREATE}).content.decode()
    assert "<title>Error: Confirm it is you" in empty
    assert _summary_links(empty) == [
        ("#id_password", "Enter your password"),
        ("#id_code", "Enter the code from your authenticator app or a recovery code"),
    ]
    # The password alone is not enough.
    no_code = c.post(REAUTH, {"password": PASSWORD, "next": CREATE})
    assert no_code.status_code == 200
    assert _summary_links(no_code.content.decode()) == [
        ("#id_code", "Enter the code from your authenticator app or a recovery code")
    ]
    assert CONFIRMED_SESSION_KEY not in c.session

    right = c.post(REAUTH, {"password": PASSWORD, "code": app.now(), "next": CREATE})
    assert right["Location"] == CREATE
    assert auth_is_recent(c.session)
    page = c.get(CREATE)
    assert '<h1 class="govuk-heading-l">Make a new API token</h1>' in page.content.decode()


def test_a_wrong_code_is_refused_and_counted(world):
    app, _, c = _with_app(world.pcm)
    if app.verify("000000", valid_window=1):  # about one time in 300,000
        pytest.skip("000000 happens to be a valid code just now")
    wrong = c.post(REAUTH, {"password": PASSWORD, "code": "000000", "next": CREATE})
    assert _summary_links(wrong.content.decode()) == [
        ("#id_code", "The code is not right, or it has been used already")
    ]
    assert CONFIRMED_SESSION_KEY not in c.session
    assert _failures() == 1
    # A wrong password with a right code: the password is named, and the code not used up.
    code = app.now()
    bad_password = c.post(REAUTH, {"password": "wrong", "code": code, "next": CREATE})
    assert _summary_links(bad_password.content.decode()) == [
        ("#id_password", "The password is not right")
    ]
    assert _failures() == 2
    right = c.post(REAUTH, {"password": PASSWORD, "code": code, "next": CREATE})
    assert right["Location"] == CREATE
    assert _failures() == 0  # cleared, as a sign-in clears them


def test_a_code_already_used_is_refused_in_its_own_words_and_not_counted(world):
    app, _, c = _with_app(world.pcm)
    code = app.now()
    assert (
        c.post(REAUTH, {"password": PASSWORD, "code": code, "next": CREATE})["Location"] == CREATE
    )
    _age(c, CONFIRMED_SESSION_KEY, 16 * 60)
    again = c.post(REAUTH, {"password": PASSWORD, "code": code, "next": CREATE})
    assert _summary_links(again.content.decode()) == [("#id_code", USED_CODE)]
    assert not auth_is_recent(c.session)
    assert _failures() == 0
    # A newer code (the next time step, within the tolerance) still works.
    fresh = app.at(time.time() + 30)
    assert (
        c.post(REAUTH, {"password": PASSWORD, "code": fresh, "next": CREATE})["Location"] == CREATE
    )


def test_a_recovery_code_works_once(world):
    _, recovery, c = _with_app(world.pcm)
    first = c.post(REAUTH, {"password": PASSWORD, "code": recovery[0].upper(), "next": CREATE})
    assert first["Location"] == CREATE
    _age(c, CONFIRMED_SESSION_KEY, 16 * 60)
    again = c.post(REAUTH, {"password": PASSWORD, "code": recovery[0], "next": CREATE})
    assert "The code is not right, or it has been used already" in again.content.decode()
    assert not auth_is_recent(c.session)


def test_wrong_codes_make_the_address_wait_like_sign_in(world, clock):  # type: ignore[no-untyped-def]
    app, _, c = _with_app(world.pcm)
    for _ in range(throttle.FREE_FAILURES + 1):
        last = c.post(REAUTH, {"password": PASSWORD, "code": "12345678", "next": CREATE})
    assert "The code is not right, or it has been used already" in last.content.decode()
    wait = throttle.waiting(email="pcm@example.org", ip=None)
    assert wait is not None
    # Too soon: even the right password and code are refused, and the code is not used up.
    code = app.now()
    early = c.post(REAUTH, {"password": PASSWORD, "code": code, "next": CREATE})
    assert f"<li>{wait.message()}</li>" in early.content.decode()
    assert CONFIRMED_SESSION_KEY not in c.session
    from peerdiag.accounts.models import TotpDevice

    set_up_step = TotpDevice.objects.get(user=world.pcm).last_used_step
    assert set_up_step is not None and set_up_step < int(time.time()) // 30 - 1
    clock.advance(2)
    assert c.post(REAUTH, {"password": PASSWORD, "code": code, "next": CREATE})["Location"] == (
        CREATE
    )


def test_with_an_app_an_address_elsewhere_is_still_not_followed(world):
    _, recovery, c = _with_app(world.pcm)
    # Recovery codes, one each: an app code works once per 30 seconds.
    targets = ("https://evil.example/", "//evil.example/x", "http://testserver.evil/")
    for target, code in zip(targets, recovery, strict=False):
        _age(c, CONFIRMED_SESSION_KEY, 16 * 60)
        r = c.post(REAUTH, {"password": PASSWORD, "code": code, "next": target})
        assert r["Location"] == reverse("web:account"), target
        assert auth_is_recent(c.session)


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
