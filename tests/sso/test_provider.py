"""The test OpenID provider (tests/sso/provider.mjs) behaves like a real one, without peerdiag.

A code flow is done here by hand (requests and a PKCE verifier), so the single sign-on tests can
trust what the fixture gives them: discovery, PKCE enforced, the typed claims in a signed ID
token, and RP-initiated logout.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.sso.conftest import CALLBACK_PATH, Provider, ProviderError, running_provider

# The provider runs its own server and uses no database.
pytestmark = pytest.mark.own_database

REDIRECT_URI = f"http://testserver{CALLBACK_PATH}"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _authorize_url(provider: Provider, **params: str) -> str:
    query = {
        "client_id": provider.client_id,
        "response_type": "code",
        "scope": "openid email profile",
        "redirect_uri": REDIRECT_URI,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        **params,
    }
    query = {key: value for key, value in query.items() if value}
    return f"{provider.discovery['authorization_endpoint']}?{urlencode(query)}"


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _exchange(provider: Provider, code: str, verifier: str) -> requests.Response:
    return provider.http().post(
        provider.discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(provider.client_id, provider.client_secret),
        timeout=10,
    )


def _keys(provider: Provider) -> KeySet:
    response = provider.http().get(provider.discovery["jwks_uri"], timeout=10)
    response.raise_for_status()
    return KeySet.import_key_set(response.json())


def test_discovery_lists_the_endpoints_and_s256(oidc_provider: Provider) -> None:
    discovery = oidc_provider.discovery
    issuer = oidc_provider.issuer
    assert discovery["issuer"] == issuer
    assert issuer.startswith("http://127.0.0.1:")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(f"{issuer}/"), endpoint
    assert oidc_provider.end_session_url() == discovery["end_session_endpoint"]
    assert oidc_provider.end_session_url().startswith(f"{issuer}/")
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert {"email", "email_verified", "name"} <= set(discovery["claims_supported"])


def test_settings_entry_describes_the_provider_and_takes_overrides(
    oidc_provider: Provider,
) -> None:
    entry = oidc_provider.settings_entry(domains=["other.test"], enforces_mfa=True)
    assert entry["key"] == "test"
    assert entry["issuer"] == oidc_provider.issuer
    assert entry["client_id"] == "peerdiag-test"
    assert entry["client_secret"] == oidc_provider.client_secret
    assert entry["domains"] == ["other.test"]
    assert entry["enforces_mfa"] is True
    assert oidc_provider.settings_entry()["domains"] == ["council.test"]


def test_an_authorization_request_without_pkce_is_refused(oidc_provider: Provider) -> None:
    back = oidc_provider.sign_in(_authorize_url(oidc_provider), email="amy@council.test")
    assert back.startswith(REDIRECT_URI)
    query = _query(back)
    assert query["error"] == "invalid_request"
    assert "PKCE" in query["error_description"]
    assert "code" not in query


def test_an_unregistered_redirect_uri_is_refused(oidc_provider: Provider) -> None:
    _, challenge = _pkce()
    url = _authorize_url(
        oidc_provider,
        redirect_uri="http://elsewhere.test/sign-in/sso/test/callback/",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    with pytest.raises(ProviderError, match="redirect_uri"):
        oidc_provider.sign_in(url, email="amy@council.test")


def test_a_loopback_callback_matches_at_any_port(oidc_provider: Provider) -> None:
    _, challenge = _pkce()
    callback = f"http://127.0.0.1:54321{CALLBACK_PATH}"
    url = _authorize_url(
        oidc_provider,
        redirect_uri=callback,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    back = oidc_provider.sign_in(url, email="amy@council.test")
    assert back.startswith(f"{callback}?")
    assert "code" in _query(back)


@pytest.mark.parametrize(
    ("amr", "email_verified"),
    [(["pwd", "mfa", "otp"], True), (["pwd"], False)],
)
def test_a_code_flow_gives_a_signed_id_token_with_the_typed_claims(
    oidc_provider: Provider, amr: list[str], email_verified: bool
) -> None:
    verifier, challenge = _pkce()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = _authorize_url(
        oidc_provider,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method="S256",
    )

    back = oidc_provider.sign_in(
        url, email="amy@council.test", email_verified=email_verified, name="Amy Pond", amr=amr
    )

    assert back.startswith(f"{REDIRECT_URI}?")
    query = _query(back)
    assert query["state"] == state
    assert query["iss"] == oidc_provider.issuer
    response = _exchange(oidc_provider, query["code"], verifier)
    assert response.status_code == 200, response.text
    token = jwt.decode(response.json()["id_token"], _keys(oidc_provider))
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": oidc_provider.issuer},
        aud={"essential": True, "value": oidc_provider.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(token.claims)
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] == oidc_provider.signing_key["kid"]
    assert token.claims["sub"] == "amy@council.test"
    assert token.claims["email"] == "amy@council.test"
    assert token.claims["email_verified"] is email_verified
    assert token.claims["name"] == "Amy Pond"
    assert token.claims["amr"] == amr


def test_the_code_needs_the_right_verifier_and_works_once(oidc_provider: Provider) -> None:
    verifier, challenge = _pkce()
    url = _authorize_url(oidc_provider, code_challenge=challenge, code_challenge_method="S256")
    code = _query(oidc_provider.sign_in(url, email="amy@council.test"))["code"]

    wrong = _exchange(oidc_provider, code, _pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # A failed attempt does not consume the code; a second use does.
    assert _exchange(oidc_provider, code, verifier).status_code == 200
    again = _exchange(oidc_provider, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_tampered_id_token_fails_the_signature_check(oidc_provider: Provider) -> None:
    verifier, challenge = _pkce()
    url = _authorize_url(oidc_provider, code_challenge=challenge, code_challenge_method="S256")
    code = _query(oidc_provider.sign_in(url, email="amy@council.test"))["code"]
    id_token = _exchange(oidc_provider, code, verifier).json()["id_token"]
    header, payload, signature = id_token.split(".")
    claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    forged = claims.replace(b'"amy@council.test"', b'"bob@council.test"')
    assert forged != claims
    tampered = base64.urlsafe_b64encode(forged).rstrip(b"=").decode("ascii")

    with pytest.raises(BadSignatureError):
        jwt.decode(f"{header}.{tampered}.{signature}", _keys(oidc_provider))


def test_rp_initiated_logout_returns_to_the_post_logout_uri(oidc_provider: Provider) -> None:
    verifier, challenge = _pkce()
    browser = oidc_provider.http()
    url = _authorize_url(oidc_provider, code_challenge=challenge, code_challenge_method="S256")
    code = _query(oidc_provider.sign_in(url, email="amy@council.test", session=browser))["code"]
    id_token = _exchange(oidc_provider, code, verifier).json()["id_token"]
    # Signed in at the provider: a second authorization skips the login page (what is typed is
    # not used), and the ID token is still Amy's.
    assert _signed_in_as(oidc_provider, browser, "x@council.test", verifier, challenge) == (
        "amy@council.test"
    )

    end = (
        oidc_provider.end_session_url()
        + "?"
        + urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": "http://testserver/sign-in/",
                "state": "after-logout",
            }
        )
    )
    back = oidc_provider.sign_out(end, session=browser)

    assert back.startswith("http://testserver/sign-in/?")
    assert _query(back)["state"] == "after-logout"
    # Signed out at the provider: the login page is shown again.
    assert _signed_in_as(oidc_provider, browser, "bob@council.test", verifier, challenge) == (
        "bob@council.test"
    )


def _signed_in_as(
    provider: Provider, browser: requests.Session, email: str, verifier: str, challenge: str
) -> str:
    url = _authorize_url(provider, code_challenge=challenge, code_challenge_method="S256")
    code = _query(provider.sign_in(url, email=email, session=browser))["code"]
    id_token = _exchange(provider, code, verifier).json()["id_token"]
    return str(jwt.decode(id_token, _keys(provider)).claims["email"])


def test_running_provider_takes_a_shorter_id_token_lifetime(tmp_path: Path) -> None:
    with running_provider(tmp_path, id_token_ttl=5) as provider:
        verifier, challenge = _pkce()
        url = _authorize_url(provider, code_challenge=challenge, code_challenge_method="S256")
        code = _query(provider.sign_in(url, email="amy@council.test"))["code"]
        id_token = _exchange(provider, code, verifier).json()["id_token"]
        claims = jwt.decode(id_token, _keys(provider)).claims
    assert claims["exp"] - claims["iat"] == 5


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_a_missing_oidc_provider_package_skips_locally_and_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr("tests.sso.conftest.NODE_PACKAGE", tmp_path / "oidc-provider")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="make assets"), running_provider(tmp_path):
        pass
