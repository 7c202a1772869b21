"""Confirming who you are through the provider you signed in with ("Confirm it is you").

The rule (accounts/domain/reauth.py::check_fresh_sign_in) is unit-tested first; then the whole
round trip runs against the real test provider (tests/sso/conftest.py's `oidc_provider`): the
confirm page's button sends the browser there with prompt=login and max_age=0, the provider's
login form is filled in, and its redirect back to our callback is fetched.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import time_machine
from django.test import Client

from peerdiag.accounts.domain.reauth import (
    CONFIRMED_SESSION_KEY,
    FRESH_SIGN_IN_SECONDS,
    PROOF_EXPIRED,
    PROVIDER_PROOF_SESSION_KEY,
    ProviderDidNotConfirm,
    check_fresh_sign_in,
    confirm_second_factor,
    keep_provider_proof,
    provider_proof,
)
from peerdiag.accounts.models import User
from peerdiag.accounts.sso_config import SsoProvider
from peerdiag.common.errors import DomainError
from peerdiag.web.views import sso as sso_views
from tests.accounts.helpers import set_up_app
from tests.factories import PASSWORD, UserFactory
from tests.sso.conftest import CALLBACK_PATH, Provider

pytestmark = [pytest.mark.django_db, pytest.mark.real_reauth]

START = "/sign-in/sso/test/"
REAUTH = "/account/confirm-password/"
# A page behind recent_auth (15 minutes).
SENSITIVE = "/account/api-tokens/new/"
SENT_BACK = f"{REAUTH}?{urlencode({'next': SENSITIVE})}"

COUNCIL = SsoProvider(
    key="test",
    label="Sign in with your council account",
    issuer="https://id.council.test",
    client_id="peerdiag",
    client_secret="secret",
    domains=("council.test",),
)
NOW = 1_800_000_000.0


def _claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "email": "ann@council.test",
        "email_verified": True,
        "auth_time": int(NOW) - 10,
        "amr": ["pwd"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


# The rule --------------------------------------------------------------------------------------


def _refusal(claims: dict[str, Any], email: str = "ann@council.test") -> str:
    with pytest.raises(ProviderDidNotConfirm) as e:
        check_fresh_sign_in(User(email=email), claims, provider=COUNCIL, now=NOW)
    return e.value.code


def test_a_fresh_sign_in_with_the_users_address_proves_them():
    ann = User(email="Ann@Council.test")
    check_fresh_sign_in(ann, _claims(), provider=COUNCIL, now=NOW)
    check_fresh_sign_in(
        ann, _claims(auth_time=NOW - FRESH_SIGN_IN_SECONDS), provider=COUNCIL, now=NOW
    )
    # Entra's verified-domain claim instead of email_verified, and a clock a little ahead.
    entra = _claims(email_verified=None, xms_edov=True, auth_time=NOW + 30)
    check_fresh_sign_in(ann, entra, provider=COUNCIL, now=NOW)


def test_another_persons_address_proves_nothing():
    assert _refusal(_claims(email="bob@council.test")) == "other_person"
    # The same address at a domain this provider is not trusted for (configuration changed).
    assert _refusal(_claims(email="ann@other.test"), email="ann@other.test") == "other_person"


def test_an_address_missing_or_not_verified_proves_nothing():
    assert _refusal(_claims(email=None)) == "no_address"
    assert _refusal(_claims(email_verified=False)) == "no_address"
    assert _refusal(_claims(email_verified="true")) == "no_address"


def test_a_sign_in_that_is_not_fresh_proves_nothing():
    assert _refusal(_claims(auth_time=None)) == "not_fresh"
    assert _refusal(_claims(auth_time=NOW - FRESH_SIGN_IN_SECONDS - 1)) == "not_fresh"
    assert _refusal(_claims(auth_time=NOW + 120)) == "not_fresh"
    assert _refusal(_claims(auth_time=str(int(NOW)))) == "not_fresh"
    assert _refusal(_claims(auth_time=True)) == "not_fresh"


def test_a_provider_proof_lasts_five_minutes_for_its_user_only():
    ann, bob = UserFactory(), UserFactory()
    session: dict[str, Any] = {}
    keep_provider_proof(session, ann, provider_key="test", now=NOW)
    assert provider_proof(session, ann, now=NOW + FRESH_SIGN_IN_SECONDS) == "test"
    assert provider_proof(session, ann, now=NOW + FRESH_SIGN_IN_SECONDS + 1) is None
    assert provider_proof(session, bob, now=NOW) is None


def test_the_second_factor_alone_needs_a_provider_proof():
    eve = UserFactory()
    _, codes = set_up_app(eve)
    session: dict[str, Any] = {}
    with pytest.raises(DomainError, match=PROOF_EXPIRED):
        confirm_second_factor(session, eve, code=codes[0], ip="192.0.2.1")
    assert CONFIRMED_SESSION_KEY not in session
    keep_provider_proof(session, eve, provider_key="test")
    with pytest.raises(DomainError, match="The code is not right"):
        confirm_second_factor(session, eve, code="000000", ip="192.0.2.1")
    confirm_second_factor(session, eve, code=codes[0], ip="192.0.2.1")
    assert CONFIRMED_SESSION_KEY in session
    assert PROVIDER_PROOF_SESSION_KEY not in session  # used up


# The round trip, with the real provider -----------------------------------------------------


@pytest.fixture
def configured(settings: Any, oidc_provider: Provider) -> Provider:
    settings.PEERDIAG_SSO_PROVIDERS = [oidc_provider.settings_entry()]
    return oidc_provider


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == CALLBACK_PATH, url
    return f"{parts.path}?{parts.query}"


def _sign_in(c: Client, provider: Provider, *, email: str, amr: tuple[str, ...] = ("pwd",)) -> None:
    """Sign in through the provider, then let more than 15 minutes pass for the session's
    confirmation (the provider's clock cannot travel with ours, so the session is aged)."""
    r = c.get(START)
    r = c.get(_callback_path(provider.sign_in(r["Location"], email=email, amr=amr)))
    assert r.status_code == 302, r.content[:500]
    assert c.session[sso_views.SSO_SESSION_KEY]["provider"] == "test"
    session = c.session
    session[CONFIRMED_SESSION_KEY] = time.time() - 16 * 60
    session.save()


def _confirm_button(c: Client, next_url: str = SENSITIVE) -> str:
    """Press "Confirm with your council account"; returns the provider's authorisation URL."""
    r = c.post(REAUTH, {"via": "provider", "next": next_url})
    assert r.status_code == 302, r.content[:500]
    return str(r["Location"])


def _confirmed_at(c: Client) -> float | None:
    value = c.session.get(CONFIRMED_SESSION_KEY)
    return float(value) if value is not None else None


def _error_summary(page: str) -> str:
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    return page


def test_an_sso_user_past_fifteen_minutes_confirms_through_the_provider(configured):
    ann = UserFactory(email="ann@council.test")
    c = Client()
    _sign_in(c, configured, email="ann@council.test")
    stale = _confirmed_at(c)
    r = c.get(SENSITIVE)
    assert r["Location"] == SENT_BACK
    page = c.get(SENT_BACK).content.decode()
    assert "Confirm with your council account</button>" in page
    assert '<input type="hidden" name="via" value="provider">' in page
    assert 'name="password"' in page  # Ann has a password too: both ways are offered

    authorize = _confirm_button(c)
    query = parse_qs(urlsplit(authorize).query)
    assert query["prompt"] == ["login"]
    assert query["max_age"] == ["0"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0] and query["state"][0]
    kept = c.session[sso_views.REAUTH_SESSION_KEY][query["state"][0]]
    assert kept == {"purpose": "reauth", "next": SENSITIVE, "user": ann.pk, "provider": "test"}

    r = c.get(_callback_path(configured.sign_in(authorize, email="ann@council.test")))
    assert (r.status_code, r["Location"]) == (302, SENSITIVE)
    assert _confirmed_at(c) is not None and _confirmed_at(c) > (stale or 0)
    assert "Make a new API token</h1>" in c.get(SENSITIVE).content.decode()
    assert c.session["_auth_user_id"] == str(ann.pk)


def test_without_a_password_the_provider_is_the_only_way(configured):
    User.objects.create_user(email="bea@council.test", password=None)
    c = Client()
    _sign_in(c, configured, email="bea@council.test")
    page = c.get(SENT_BACK).content.decode()
    assert "Confirm with your council account</button>" in page
    assert 'name="password"' not in page
    assert "forgotten my password" not in page
    # A password posted anyway is not looked at.
    c.post(REAUTH, {"password": "anything", "next": SENSITIVE})
    assert c.get(SENSITIVE)["Location"] == SENT_BACK
    r = c.get(_callback_path(configured.sign_in(_confirm_button(c), email="bea@council.test")))
    assert r["Location"] == SENSITIVE
    assert c.get(SENSITIVE).status_code == 200


def test_a_password_session_is_not_offered_the_provider(configured):
    ann = UserFactory(email="ann@council.test")
    c = Client()
    r = c.post("/sign-in/", {"username": ann.email, "password": PASSWORD})
    assert c.session["_auth_user_id"] == str(ann.pk), r.content[:500]
    page = c.get(SENT_BACK).content.decode()
    assert "Confirm with" not in page
    assert 'name="password"' in page
    # Posting the button's field does nothing but show the page again.
    r = c.post(REAUTH, {"via": "provider", "next": SENSITIVE})
    assert r.status_code == 200
    assert sso_views.REAUTH_SESSION_KEY not in c.session


def test_a_token_for_another_address_is_refused(configured, caplog):
    ann = UserFactory(email="ann@council.test")
    UserFactory(email="bob@council.test")
    c = Client()
    _sign_in(c, configured, email="ann@council.test")
    stale = _confirmed_at(c)
    r = c.get(_callback_path(configured.sign_in(_confirm_button(c), email="bob@council.test")))
    assert r["Location"] == SENT_BACK
    assert _confirmed_at(c) == stale
    page = _error_summary(c.get(SENT_BACK).content.decode())
    assert "signed in a different account (bob@council.test), not ann@council.test" in page
    assert c.get(SENSITIVE)["Location"] == SENT_BACK
    # Still signed in as Ann, not as Bob.
    assert c.session["_auth_user_id"] == str(ann.pk)
    assert "reauth refused for user" in caplog.text
    assert "other_person" in caplog.text


def test_an_old_auth_time_is_refused(configured):
    UserFactory(email="ann@council.test")
    c = Client()
    _sign_in(c, configured, email="ann@council.test")
    stale = _confirmed_at(c)
    callback = _callback_path(configured.sign_in(_confirm_button(c), email="ann@council.test"))
    # Six minutes pass before the browser comes back: the ID token is still valid (an hour),
    # but the sign-in it reports is older than five minutes.
    with time_machine.travel(time.time() + 6 * 60, tick=True):
        r = c.get(callback)
        assert r["Location"] == SENT_BACK
        assert _confirmed_at(c) == stale
        page = _error_summary(c.get(SENT_BACK).content.decode())
    assert "Your organisation did not ask you to sign in again" in page


def test_a_provider_that_does_not_ask_again_is_refused(configured):
    """A provider that ignores prompt=login and max_age=0, remembering the person, sends no
    fresh auth_time (here: none at all), which confirms nothing."""
    UserFactory(email="ann@council.test")
    browser = configured.http()  # the provider's own session (cookies) is kept
    c = Client()
    r = c.get(START)
    c.get(
        _callback_path(configured.sign_in(r["Location"], email="ann@council.test", session=browser))
    )
    session = c.session
    session[CONFIRMED_SESSION_KEY] = stale = time.time() - 16 * 60
    session.save()
    parts = urlsplit(_confirm_button(c))
    query = {k: v for k, v in parse_qs(parts.query).items() if k not in ("prompt", "max_age")}
    lax = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    r = c.get(_callback_path(configured.sign_in(lax, email="ann@council.test", session=browser)))
    assert r["Location"] == SENT_BACK
    assert _confirmed_at(c) == stale
    assert "did not ask you to sign in again" in c.get(SENT_BACK).content.decode()


def test_a_user_with_an_app_whose_provider_did_no_mfa_is_asked_for_the_code(configured):
    eve = UserFactory(email="eve@council.test")
    app, _ = set_up_app(eve)
    c = Client()
    # Signed in with MFA at the provider (so no code then); this time the provider does none.
    _sign_in(c, configured, email="eve@council.test", amr=("pwd", "mfa"))
    stale = _confirmed_at(c)
    r = c.get(_callback_path(configured.sign_in(_confirm_button(c), email="eve@council.test")))
    assert r["Location"] == SENT_BACK
    assert _confirmed_at(c) == stale
    page = c.get(SENT_BACK).content.decode()
    assert "Your organisation has confirmed it is you. Now enter a code" in page
    assert 'name="code"' in page
    assert 'name="password"' not in page
    wrong = c.post(REAUTH, {"code": "000000", "next": SENSITIVE})
    assert "The code is not right" in wrong.content.decode()
    assert _confirmed_at(c) == stale
    r = c.post(REAUTH, {"code": app.now(), "next": SENSITIVE})
    assert r["Location"] == SENSITIVE
    assert c.get(SENSITIVE).status_code == 200


def test_a_user_with_an_app_whose_provider_did_mfa_is_confirmed_at_once(configured):
    eve = UserFactory(email="eve@council.test")
    set_up_app(eve)
    c = Client()
    _sign_in(c, configured, email="eve@council.test", amr=("pwd", "mfa"))
    authorize = _confirm_button(c)
    r = c.get(
        _callback_path(configured.sign_in(authorize, email="eve@council.test", amr=("pwd", "mfa")))
    )
    assert r["Location"] == SENSITIVE
    assert c.get(SENSITIVE).status_code == 200
    assert PROVIDER_PROOF_SESSION_KEY not in c.session


def test_next_must_be_on_this_site(configured):
    UserFactory(email="ann@council.test")
    c = Client()
    _sign_in(c, configured, email="ann@council.test")
    authorize = _confirm_button(c, next_url="https://evil.example/steal")
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    assert c.session[sso_views.REAUTH_SESSION_KEY][state]["next"] == "/account/"
    r = c.get(_callback_path(configured.sign_in(authorize, email="ann@council.test")))
    assert r["Location"] == "/account/"


def test_a_reauth_callback_in_another_session_confirms_nothing(configured):
    UserFactory(email="ann@council.test")
    mallory = UserFactory(email="mallory@council.test")
    c = Client()
    _sign_in(c, configured, email="ann@council.test")
    callback = _callback_path(configured.sign_in(_confirm_button(c), email="ann@council.test"))
    other = Client()
    other.force_login(mallory)
    r = other.get(callback)
    assert r.status_code == 400  # an unknown state there: the sign-in refusal
    assert CONFIRMED_SESSION_KEY not in other.session


def test_the_code_after_the_provider_must_come_within_five_minutes(configured):
    eve = UserFactory(email="eve@council.test")
    app, _ = set_up_app(eve)
    c = Client()
    _sign_in(c, configured, email="eve@council.test", amr=("pwd", "mfa"))
    stale = _confirmed_at(c)
    c.get(_callback_path(configured.sign_in(_confirm_button(c), email="eve@council.test")))
    assert PROVIDER_PROOF_SESSION_KEY in c.session
    with time_machine.travel(time.time() + 6 * 60, tick=True):
        r = c.post(REAUTH, {"code": app.now(), "next": SENSITIVE})
    assert r.status_code == 200
    page = _error_summary(r.content.decode())
    assert "That took too long. Confirm it is you again" in page
    assert "Confirm with your council account</button>" in page
    assert _confirmed_at(c) == stale
    assert PROVIDER_PROOF_SESSION_KEY not in c.session
