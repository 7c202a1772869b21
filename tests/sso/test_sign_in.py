"""Signing in to peerdiag through a real OpenID provider (tests/sso/conftest.py's `oidc_provider`).

Each test drives the whole code flow: our start page redirects to the provider, the provider's
own login form is filled in with the claims under test, and its redirect back to our callback is
fetched with Django's test client. Authlib checks the state, PKCE, the ID token's signature,
issuer, audience, expiry and nonce; accounts/domain/sso.py decides who signs in.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from authlib.integrations.django_client import DjangoOAuth2App
from django.contrib.auth.hashers import is_password_usable
from django.core import mail
from django.test import Client
from joserfc.errors import JoseError

from peerdiag.accounts import admin_site
from peerdiag.accounts.admin_site import admin_session_verified as real_admin_check
from peerdiag.accounts.domain.invitations import invite
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import Invitation, User
from peerdiag.accounts.sso_config import provider as configured_provider
from peerdiag.web.views import sso as sso_views
from peerdiag.web.views.auth import PENDING_SESSION_KEY
from tests.accounts.helpers import set_up_app
from tests.factories import PASSWORD, UserFactory
from tests.sso.conftest import CALLBACK_PATH, Provider

pytestmark = pytest.mark.django_db

START = "/sign-in/sso/test/"
SIGNED_IN = "_auth_user_id"


@pytest.fixture(autouse=True)
def _provider_configured(settings: Any, oidc_provider: Provider) -> None:
    settings.PEERDIAG_SSO_PROVIDERS = [oidc_provider.settings_entry()]


def _start(c: Client, next_url: str = "") -> str:
    r = c.get(START + (f"?next={next_url}" if next_url else ""))
    assert r.status_code == 302, r.content[:500]
    return str(r["Location"])


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == CALLBACK_PATH, url
    return f"{parts.path}?{parts.query}"


def _through_provider(c: Client, oidc_provider: Provider, **claims: Any) -> str:
    """Start at peerdiag, sign in at the provider; returns our callback path (unfetched)."""
    return _callback_path(oidc_provider.sign_in(_start(c, claims.pop("next", "")), **claims))


def _signed_in_as(c: Client) -> int | None:
    value = c.session.get(SIGNED_IN)
    return int(value) if value is not None else None


def _refusal(r: Any) -> str:
    text = r.content.decode()
    assert text.count("<h1") == 1
    assert '<h1 class="govuk-heading-l">You could not be signed in</h1>' in text
    assert 'href="/sign-in/">Go back to sign in</a>' in text
    return text


# Who gets in --------------------------------------------------------------------------------


def test_an_existing_user_signs_in_and_goes_back_to_where_they_were(oidc_provider, caplog):
    ann = UserFactory(email="ann@council.test")
    c = Client()
    start = _start(c, "/account/")
    query = parse_qs(urlsplit(start).query)
    # PKCE S256, a nonce, our scope and our callback.
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["nonce"][0] and query["state"][0]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK_PATH}"]
    callback = _callback_path(oidc_provider.sign_in(start, email="Ann@Council.test"))
    r = c.get(callback)
    assert (r.status_code, r["Location"]) == (302, "/account/")
    assert _signed_in_as(c) == ann.pk
    # Without "mfa" and without a second factor of their own: signed in as a password would.
    assert c.session.get(VERIFIED_SESSION_KEY) is not True
    assert c.session[sso_views.SSO_SESSION_KEY]["provider"] == "test"
    assert c.get("/account/").status_code == 200


def test_first_sign_in_by_invitation_accepts_it_without_a_password(oidc_provider):
    admin = UserFactory(is_staff=True)
    bea = User.objects.create_user(email="bea@council.test", password=None, is_active=False)
    invite(bea, by=admin, site_url="http://testserver")
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="bea@council.test"))
    assert (r.status_code, r["Location"]) == (302, "/")
    bea.refresh_from_db()
    assert bea.is_active
    assert not is_password_usable(bea.password)
    assert Invitation.objects.get(user=bea).used_at is not None
    assert _signed_in_as(c) == bea.pk


def test_an_unknown_address_is_refused_and_no_user_is_created(oidc_provider, caplog):
    before = User.objects.count()
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="nobody@council.test"))
    assert r.status_code == 403
    assert "There is no peerdiag account for nobody@council.test" in _refusal(r)
    assert User.objects.count() == before
    assert _signed_in_as(c) is None
    assert "refused: no_account" in caplog.text


def test_a_switched_off_user_without_an_open_invitation_is_refused(oidc_provider):
    UserFactory(email="gone@council.test", is_active=False)
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="gone@council.test"))
    assert r.status_code == 403
    assert _signed_in_as(c) is None


def test_an_address_at_a_domain_the_provider_is_not_trusted_for_is_refused(oidc_provider):
    UserFactory(email="cat@elsewhere.test")
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="cat@elsewhere.test"))
    assert r.status_code == 403
    assert "cannot be used for e-mail addresses at elsewhere.test" in _refusal(r)
    assert _signed_in_as(c) is None


def test_an_address_the_provider_has_not_verified_is_refused(oidc_provider):
    UserFactory(email="dee@council.test")
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="dee@council.test", email_verified=False))
    assert r.status_code == 403
    assert "has not confirmed your e-mail address" in _refusal(r)
    assert _signed_in_as(c) is None


# Two factors --------------------------------------------------------------------------------


def test_amr_with_mfa_gives_a_verified_session_that_opens_the_admin(oidc_provider, monkeypatch):
    monkeypatch.setattr(admin_site, "admin_session_verified", real_admin_check)
    boss = UserFactory(email="boss@council.test", is_staff=True, is_superuser=True)
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="boss@council.test", amr=["pwd", "mfa"]))
    assert r.status_code == 302
    assert _signed_in_as(c) == boss.pk
    assert c.session[VERIFIED_SESSION_KEY] is True
    page = c.get("/admin/")
    assert page.status_code == 200
    assert "Site administration" in page.content.decode()


def test_without_mfa_the_admin_stays_shut(oidc_provider, monkeypatch):
    monkeypatch.setattr(admin_site, "admin_session_verified", real_admin_check)
    UserFactory(email="boss@council.test", is_staff=True, is_superuser=True)
    c = Client()
    c.get(_through_provider(c, oidc_provider, email="boss@council.test", amr=["pwd"]))
    assert c.session.get(VERIFIED_SESSION_KEY) is not True
    assert "Site administration" not in c.get("/admin/", follow=True).content.decode()


def test_amr_without_mfa_and_a_user_with_an_app_is_asked_for_the_code(oidc_provider):
    eve = UserFactory(email="eve@council.test")
    app, _ = set_up_app(eve)
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="eve@council.test", amr=["pwd"]))
    assert (r.status_code, r["Location"]) == (302, "/sign-in/code/")
    assert _signed_in_as(c) is None
    assert c.session[PENDING_SESSION_KEY]["user"] == eve.pk
    r = c.post("/sign-in/code/", {"code": app.now()})
    assert (r.status_code, r["Location"]) == (302, "/")
    assert _signed_in_as(c) == eve.pk
    assert c.session[VERIFIED_SESSION_KEY] is True
    # Still remembered as a single sign-on session, for signing out of the provider.
    assert c.session[sso_views.SSO_SESSION_KEY]["provider"] == "test"


def test_a_provider_that_enforces_mfa_counts_as_two_factor(oidc_provider, settings):
    settings.PEERDIAG_SSO_PROVIDERS = [oidc_provider.settings_entry(enforces_mfa=True)]
    eve = UserFactory(email="eve@council.test")
    set_up_app(eve)
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="eve@council.test", amr=["pwd"]))
    assert (r.status_code, r["Location"]) == (302, "/")
    assert _signed_in_as(c) == eve.pk
    assert c.session[VERIFIED_SESSION_KEY] is True


# What the protocol refuses --------------------------------------------------------------------


def test_an_expired_id_token_is_refused(oidc_provider, caplog):
    UserFactory(email="ann@council.test")
    c = Client()
    callback = _through_provider(c, oidc_provider, email="ann@council.test")
    # The provider's ID tokens last an hour; peerdiag allows a minute of clock difference.
    with time_machine.travel(time.time() + 3 * 3600, tick=True):
        r = c.get(callback)
    assert r.status_code == 400
    assert "could not check what your organisation sent" in _refusal(r)
    assert _signed_in_as(c) is None
    assert "ID token not accepted" in caplog.text


def test_replaying_a_callback_is_refused(oidc_provider):
    ann = UserFactory(email="ann@council.test")
    c = Client()
    callback = _through_provider(c, oidc_provider, email="ann@council.test")
    assert c.get(callback).status_code == 302
    assert _signed_in_as(c) == ann.pk
    # The same URL again, in the same browser: its state is used up.
    again = c.get(callback)
    assert again.status_code == 400
    assert "has been used already" in _refusal(again)
    # And in another browser, which never started it: nobody is signed in.
    other = Client()
    r = other.get(callback)
    assert r.status_code == 400
    assert _signed_in_as(other) is None


def test_a_nonce_that_does_not_match_is_refused(oidc_provider):
    UserFactory(email="ann@council.test")
    c = Client()
    callback = _through_provider(c, oidc_provider, email="ann@council.test")
    session = c.session
    key = next(k for k in session.keys() if k.startswith("_state_test_"))  # noqa: SIM118 (no __iter__)
    kept = session[key]
    kept["data"]["nonce"] = "not-the-nonce-that-was-sent"
    session[key] = kept
    session.save()
    r = c.get(callback)
    assert r.status_code == 400
    _refusal(r)
    assert _signed_in_as(c) is None


def test_an_error_from_the_provider_is_refused(oidc_provider):
    c = Client()
    state = parse_qs(urlsplit(_start(c)).query)["state"][0]
    r = c.get(f"{CALLBACK_PATH}?error=access_denied&state={state}")
    assert r.status_code == 403
    assert "did not sign you in" in _refusal(r)
    assert _signed_in_as(c) is None


def _tampered(id_token: str, **changes: Any) -> str:
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def test_a_tampered_id_token_is_refused_by_the_check(oidc_provider, monkeypatch):
    """A real ID token checks out; the same token with its payload changed does not."""
    UserFactory(email="ann@council.test")
    seen: dict[str, Any] = {}
    real_fetch = DjangoOAuth2App.fetch_access_token

    def keep(self: DjangoOAuth2App, *args: Any, **kwargs: Any) -> Any:
        seen["token"] = real_fetch(self, *args, **kwargs)
        return seen["token"]

    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", keep)
    c = Client()
    callback = _through_provider(c, oidc_provider, email="ann@council.test")
    key = next(k for k in c.session.keys() if k.startswith("_state_test_"))  # noqa: SIM118
    nonce = c.session[key]["data"]["nonce"]
    assert c.get(callback).status_code == 302
    p = configured_provider("test")
    assert p is not None
    token = dict(seen["token"])
    assert sso_views.check_id_token(p, token, nonce=nonce)["email"] == "ann@council.test"
    with pytest.raises(JoseError):
        sso_views.check_id_token(p, token, nonce="another-nonce")
    token["id_token"] = _tampered(token["id_token"], email="boss@council.test")
    with pytest.raises(JoseError):
        sso_views.check_id_token(p, token, nonce=nonce)


def test_a_tampered_id_token_at_the_callback_signs_nobody_in(oidc_provider, monkeypatch):
    UserFactory(email="ann@council.test")
    boss = UserFactory(email="boss@council.test", is_staff=True)
    real_fetch = DjangoOAuth2App.fetch_access_token

    def tamper(self: DjangoOAuth2App, *args: Any, **kwargs: Any) -> Any:
        token = real_fetch(self, *args, **kwargs)
        token["id_token"] = _tampered(token["id_token"], email=boss.email, amr=["mfa"])
        return token

    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", tamper)
    c = Client()
    r = c.get(_through_provider(c, oidc_provider, email="ann@council.test"))
    assert r.status_code == 400
    _refusal(r)
    assert _signed_in_as(c) is None


# Signing out, and passwords ------------------------------------------------------------------


def test_signing_out_offers_to_sign_out_of_the_provider_too(oidc_provider):
    UserFactory(email="ann@council.test")
    c = Client()
    browser = oidc_provider.http()  # the provider's cookies, as one browser keeps them
    c.get(_through_provider(c, oidc_provider, email="ann@council.test", session=browser))
    id_token = c.session[sso_views.SSO_SESSION_KEY]["id_token"]
    r = c.post("/sign-out/")
    assert (r.status_code, r["Location"]) == (302, "/signed-out/")
    assert _signed_in_as(c) is None
    page = c.get("/signed-out/").content.decode()
    assert "Also sign out of your council account</a>" in page
    # Shown once: reloaded, or opened by anyone else, it is the sign-in page.
    assert c.get("/signed-out/")["Location"] == "/sign-in/"
    assert Client().get("/signed-out/")["Location"] == "/sign-in/"
    href = page.split('id="sso-sign-out" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert href.startswith(oidc_provider.end_session_url() + "?")
    query = parse_qs(urlsplit(href).query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/sign-in/"]
    # The provider accepts it and sends the browser back to our sign-in page.
    assert oidc_provider.sign_out(href, session=browser).startswith("http://testserver/sign-in/")


def test_a_password_sign_out_goes_to_the_sign_in_page_as_before():
    UserFactory(email="ann@council.test")
    c = Client()
    c.post("/sign-in/", {"username": "ann@council.test", "password": PASSWORD})
    r = c.post("/sign-out/")
    assert (r.status_code, r["Location"]) == (302, "/sign-in/")


def test_the_sign_in_page_shows_the_provider_button_above_the_password_form():
    page = Client().get("/sign-in/?next=/account/").content.decode()
    button = page.index('href="/sign-in/sso/test/?next=/account/"')
    assert page.index("Sign in with your council account</a>") > button
    assert "govuk-button--secondary" in page[button - 300 : button + 300]
    assert button < page.index('<form method="post"')


def test_the_password_form_refuses_an_address_whose_domain_has_passwords_off(
    oidc_provider, settings
):
    settings.PEERDIAG_SSO_PROVIDERS = [oidc_provider.settings_entry(passwords=False)]
    UserFactory(email="ann@council.test")
    UserFactory(email="zed@example.org")
    c = Client()
    r = c.post("/sign-in/", {"username": "ann@council.test", "password": PASSWORD})
    assert r.status_code == 200
    assert "Passwords are not used for addresses at council.test" in r.content.decode()
    assert "‘Sign in with your council account’ button" in r.content.decode()
    assert _signed_in_as(c) is None
    # No reset link either (the page says the same as for any address).
    r = c.post("/password-reset/", {"email": "ann@council.test"})
    assert r.status_code == 302
    assert mail.outbox == []
    # Other domains keep their passwords.
    r = c.post("/sign-in/", {"username": "zed@example.org", "password": PASSWORD})
    assert r.status_code == 302
    c.post("/sign-out/")
    c.post("/password-reset/", {"email": "zed@example.org"})
    assert len(mail.outbox) == 1


def test_an_unknown_provider_key_is_not_found():
    c = Client()
    assert c.get("/sign-in/sso/nope/").status_code == 404
    assert c.get("/sign-in/sso/nope/callback/?code=x&state=y").status_code == 404


def test_the_idle_sign_out_applies_to_a_single_sign_on_session(oidc_provider, settings):
    UserFactory(email="ann@council.test")
    c = Client()
    c.get(_through_provider(c, oidc_provider, email="ann@council.test", amr=["pwd", "mfa"]))
    assert c.get("/account/").status_code == 200
    # The session's lifetime is the usual one: nothing made it longer for single sign-on.
    assert c.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    with time_machine.travel(time.time() + (settings.PEERDIAG_IDLE_MINUTES + 1) * 60):
        r = c.get("/account/")
    assert (r.status_code, r["Location"]) == (302, "/sign-in/?next=/account/")
    assert _signed_in_as(c) is None


def test_a_provider_that_cannot_be_reached_gets_the_refusal_page(oidc_provider, settings):
    # Port 9 (discard) on this machine: nothing answers there.
    settings.PEERDIAG_SSO_PROVIDERS = [oidc_provider.settings_entry(issuer="http://127.0.0.1:9")]
    r = Client().get(START)
    assert r.status_code == 503
    assert "could not reach your organisation" in _refusal(r)
