"""Signing in with a second factor, through the test client, and the set-up middleware."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from peerdiag.accounts.middleware import session_is_verified
from peerdiag.accounts.models import TotpDevice
from peerdiag.web.views.auth import PENDING_SESSION_KEY
from tests.factories import PASSWORD

from .helpers import set_up_app

pytestmark = pytest.mark.django_db

SIGN_IN = "/sign-in/"
CODE_PAGE = "/sign-in/code/"
SET_UP = "/account/two-factor/"
WRONG = "The code is not right, or it has been used already"


def _password(c: Client, email: str, next_url: str = "") -> str:
    url = SIGN_IN + (f"?next={next_url}" if next_url else "")
    r = c.post(url, {"username": email, "password": PASSWORD, "next": next_url})
    assert r.status_code == 302
    return r["Location"]


def _wrong_code(app: pyotp.TOTP) -> str:
    """A code that no step near now produces (two steps each way, in case the clock turns)."""
    now = time.time()
    window = {app.at(now, counter_offset=k) for k in range(-2, 3)}
    candidate = 0
    while f"{candidate:06d}" in window:
        candidate += 1
    return f"{candidate:06d}"


def test_with_an_app_the_password_leads_to_the_code_page_and_nobody_is_signed_in_yet(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    assert _password(c, "pcm@example.org") == CODE_PAGE
    assert "_auth_user_id" not in c.session
    assert c.session[PENDING_SESSION_KEY]["user"] == world.pcm.pk
    assert c.get("/")["Location"] == "/sign-in/?next=/"
    page = c.get(CODE_PAGE)
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Enter your code</h1>' in page.content.decode()

    r = c.post(CODE_PAGE, {"code": app.now()})
    assert (r.status_code, r["Location"]) == (302, "/")
    assert int(c.session["_auth_user_id"]) == world.pcm.pk
    assert c.session["two_factor_verified"] is True
    assert PENDING_SESSION_KEY not in c.session
    assert c.get("/").status_code == 200


def test_the_page_asked_for_before_signing_in_is_reached_after_the_code(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    assert _password(c, "pcm@example.org", next_url="/account/") == CODE_PAGE
    assert c.post(CODE_PAGE, {"code": app.now()})["Location"] == "/account/"


def test_a_wrong_code_shows_the_error_summary_and_signs_nobody_in(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    _password(c, "pcm@example.org")
    r = c.post(CODE_PAGE, {"code": _wrong_code(app)})
    html = r.content.decode()
    assert r.status_code == 200
    assert "<title>Error: Enter your code – peerdiag</title>" in html
    assert f'<li><a href="#id_code">{WRONG}</a></li>' in html
    assert "_auth_user_id" not in c.session
    assert c.session[PENDING_SESSION_KEY]["tries"] == 1
    empty = c.post(CODE_PAGE, {"code": ""}).content.decode()
    assert (
        '<li><a href="#id_code">Enter the code from your authenticator app or a recovery code'
        "</a></li>" in empty
    )


def test_five_wrong_codes_send_the_person_back_to_the_password(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    _password(c, "pcm@example.org")
    wrong = _wrong_code(app)
    for _ in range(4):
        assert c.post(CODE_PAGE, {"code": wrong}).status_code == 200
    r = c.post(CODE_PAGE, {"code": wrong})
    assert (r.status_code, r["Location"]) == (302, SIGN_IN)
    assert PENDING_SESSION_KEY not in c.session
    # The right code is no use now: the password has to come first again.
    assert c.post(CODE_PAGE, {"code": app.now()})["Location"] == SIGN_IN
    assert "_auth_user_id" not in c.session
    page = c.get(SIGN_IN).content.decode()
    assert "The code was wrong too many times. Sign in again" in page


def test_the_code_page_waits_five_minutes_after_the_password(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    _password(c, "pcm@example.org")
    session = c.session
    session[PENDING_SESSION_KEY]["at"] -= 301
    session.save()
    r = c.post(CODE_PAGE, {"code": app.now()})
    assert r["Location"] == SIGN_IN
    assert "_auth_user_id" not in c.session
    assert "That took too long. Sign in again" in c.get(SIGN_IN).content.decode()


def test_a_recovery_code_signs_in_once(world):
    _, codes = set_up_app(world.pcm)
    first = Client()
    _password(first, "pcm@example.org")
    assert first.post(CODE_PAGE, {"code": codes[0]})["Location"] == "/"
    second = Client()
    _password(second, "pcm@example.org")
    r = second.post(CODE_PAGE, {"code": codes[0]})
    assert r.status_code == 200 and WRONG in r.content.decode()


def test_the_code_page_without_a_password_first_goes_to_sign_in(world):
    assert Client().get(CODE_PAGE)["Location"] == SIGN_IN


def test_without_an_app_the_password_alone_signs_in(world):
    c = Client()
    assert _password(c, "sponsor@example.org") == "/"
    assert int(c.session["_auth_user_id"]) == world.sponsor.pk
    assert "two_factor_verified" not in c.session


# The middleware ---------------------------------------------------------------------------


@pytest.fixture
def pcm_must(world, must_use_two_factor, two_factor_middleware):  # type: ignore[no-untyped-def]
    must_use_two_factor.add(world.pcm.pk)
    c = Client()
    c.force_login(world.pcm)
    return c


def test_someone_who_must_use_two_factors_and_has_none_is_sent_to_set_up(pcm_must, world):
    for path in ("/", "/account/", f"/diagnostics/{world.own.reference}/", "/admin/"):
        r = pcm_must.get(path)
        assert (path, r.status_code, r["Location"]) == (path, 302, SET_UP)
    assert pcm_must.get(SET_UP).status_code == 200
    # The recovery-codes page sits under set-up; with no app it points back to set-up itself.
    assert pcm_must.get(SET_UP + "recovery-codes/")["Location"] == SET_UP


def test_the_middleware_leaves_sign_out_static_files_and_the_api_alone(pcm_must):
    assert pcm_must.get(reverse("api:me")).status_code == 401
    assert pcm_must.get("/static/no-such-file.css").status_code == 404
    r = pcm_must.post("/sign-out/")
    assert (r.status_code, r["Location"]) == (302, SIGN_IN)
    assert "_auth_user_id" not in pcm_must.session


def test_htmx_requests_are_told_to_load_the_set_up_page(pcm_must):
    r = pcm_must.get("/", headers={"HX-Request": "true"})
    assert (r.status_code, r["HX-Redirect"]) == (204, SET_UP)


def test_once_set_up_the_middleware_lets_the_person_through(pcm_must, world):
    set_up_app(world.pcm)
    assert pcm_must.get("/").status_code == 200


def test_people_who_need_not_use_two_factors_and_visitors_are_not_redirected(
    world, must_use_two_factor, two_factor_middleware
):
    must_use_two_factor.add(world.pcm.pk)
    c = Client()
    c.force_login(world.sponsor)
    assert c.get("/").status_code == 200
    assert Client().get("/")["Location"] == "/sign-in/?next=/"


def test_signing_in_with_the_password_alone_then_goes_to_set_up(
    world, must_use_two_factor, two_factor_middleware
):
    must_use_two_factor.add(world.pcm.pk)
    c = Client()
    assert _password(c, "pcm@example.org") == "/"
    assert c.get("/")["Location"] == SET_UP
    assert not TotpDevice.objects.filter(user=world.pcm).exists()


def test_session_is_verified_reads_the_flag_set_at_sign_in():
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    assert session_is_verified(request) is False
    request.session["two_factor_verified"] = True
    assert session_is_verified(request) is True
    request.session["two_factor_verified"] = "yes"
    assert session_is_verified(request) is False
