"""Signing in through an OpenID Connect provider (single sign-on), with Authlib.

`sso_start` sends the browser to the provider (authorisation code flow with PKCE S256, a
nonce, scope "openid email profile"); `sso_callback` takes it back: Authlib checks the state
(kept in the session, used up by the first callback, so a replayed callback URL is refused),
exchanges the code with the PKCE verifier and checks the ID token (signature against the
provider's keys, issuer, audience, expiry, nonce). What the claims then mean (who signs in,
whether it counts as two-factor) is accounts/domain/sso.py's. Every failure shows one refusal
page and logs a warning; nothing is signed in.

The same provider also confirms who someone is before sensitive actions ("Confirm it is you",
web/views/reauth.py): `start_reauth` asks it for a fresh sign-in (prompt=login, max_age=0) and
keeps "purpose: reauth", the user and the page to go back to with the state; the callback
sees that state and goes to `_reauth_callback` instead of signing in
(accounts/domain/reauth.py::check_fresh_sign_in decides whether the token proves the person).

Providers are read from the settings at each request (accounts/sso_config.py); each gets an
Authlib client made once per configuration and kept, with its discovery document and keys.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.contrib.auth import login
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from peerdiag.accounts.domain.reauth import (
    ProviderDidNotConfirm,
    check_fresh_sign_in,
    keep_provider_proof,
    mark_confirmed,
    needs_code,
)
from peerdiag.accounts.domain.sso import (
    SsoRefused,
    counts_as_two_factor,
    issuer_matches,
    match_sign_in,
)
from peerdiag.accounts.domain.two_factor import has_second_factor
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import User
from peerdiag.accounts.sso_config import SsoProvider, provider

# A module import both ways: auth reads end_session_link here, this calls begin_second_step.
from . import auth
from .common import safe_next

log = logging.getLogger("peerdiag.web.sso")

SCOPE = "openid email profile"
# Seconds of clock difference allowed when checking the ID token's times.
LEEWAY_SECONDS = 60
# How long to wait for the provider (discovery, keys, the token exchange).
TIMEOUT_SECONDS = 10
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Where sso_start keeps the page to go back to after signing in.
NEXT_SESSION_KEY = "sso_next"
# Set at a successful sign-in through a provider, for signing out of it too:
# {"provider": key, "id_token": the raw ID token (the hint for the end-session endpoint)}.
SSO_SESSION_KEY = "sso"
# "Confirm it is you" round trips under way, by state: {state: {"purpose": "reauth",
# "next": the page to go back to, "user": pk, "provider": key}}.
REAUTH_SESSION_KEY = "sso_reauth"
# At most this many kept at once (several tabs); the oldest goes first.
REAUTH_KEPT = 5
# Why the last round trip did not confirm who someone is, for the confirm page to say.
REAUTH_ERROR_SESSION_KEY = "sso_reauth_error"

_clients: dict[tuple[str, ...], DjangoOAuth2App] = {}
_clients_lock = threading.Lock()


@receiver(setting_changed)
def _forget_clients(*, setting: str, **kwargs: Any) -> None:
    if setting == "PEERDIAG_SSO_PROVIDERS":
        _clients.clear()


def client_for(p: SsoProvider) -> DjangoOAuth2App:
    """The Authlib client for a provider, made once per configuration (discovery is fetched
    the first time it is needed and kept)."""
    ident = (p.key, p.issuer, p.client_id, p.client_secret)
    with _clients_lock:
        client = _clients.get(ident)
        if client is None:
            oauth = OAuth()
            oauth.register(
                name=p.key,
                client_id=p.client_id,
                client_secret=p.client_secret,
                server_metadata_url=p.discovery_url,
                client_kwargs={
                    "scope": SCOPE,
                    "code_challenge_method": "S256",
                    "default_timeout": TIMEOUT_SECONDS,
                },
            )
            client = oauth.create_client(p.key)
            _clients[ident] = client
    return client


def claims_options(p: SsoProvider, client: DjangoOAuth2App) -> dict[str, Any]:
    """What the ID token's claims must say besides signature, expiry and nonce: our issuer
    (accounts/domain/sso.py::issuer_matches, Microsoft's multi-tenant form included) and our
    client id as audience. Made fresh per check (Authlib takes the hooks out of it)."""
    metadata_issuer = str(client.load_server_metadata().get("issuer", ""))

    def _iss(claims: Any, value: Any) -> bool:
        return issuer_matches(
            p.issuer, value, metadata_issuer=metadata_issuer, tid=claims.get("tid")
        )

    return {
        "iss": {"essential": True, "validate": _iss},
        "aud": {"essential": True, "values": [p.client_id]},
    }


def check_id_token(p: SsoProvider, token: dict[str, Any], *, nonce: str) -> dict[str, Any]:
    """Check a token response's ID token as the callback does, and return its claims.

    Raises joserfc's JoseError (bad signature, wrong issuer or audience, expired, nonce
    mismatch) or ValueError (no ID token). The callback gets the same checks through
    `authorize_access_token`; this is for checking a token on its own (tests, tampering).
    """
    client = client_for(p)
    if "id_token" not in token:
        raise ValueError("the provider sent no ID token")
    claims = client.parse_id_token(
        token, nonce=nonce, claims_options=claims_options(p, client), leeway=LEEWAY_SECONDS
    )
    return dict(claims)


def _provider_or_404(key: str) -> SsoProvider:
    p = provider(key)
    if p is None:
        raise Http404("No such sign-in provider")
    return p


@never_cache
@require_GET
def sso_start(request: HttpRequest, key: str) -> HttpResponse:
    """Send the browser to the provider to sign in, keeping where to go afterwards."""
    p = _provider_or_404(key)
    request.session[NEXT_SESSION_KEY] = safe_next(request, request.GET.get("next"))
    redirect_uri = request.build_absolute_uri(reverse("web:sso_callback", args=[p.key]))
    try:
        return client_for(p).authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        log.warning("single sign-on (%s): the provider could not be reached: %s", p.key, exc)
        return refusal(request, p, "unreachable", status=503)


# What the refusal page says for each kind of failure that is not a matching rule's.
FAILURES = {
    "state": (
        "This sign-in link has been used already, or it is too old. Signing in through your "
        "organisation starts again from the sign-in page."
    ),
    "provider": "Your organisation did not sign you in.",
    "token": "peerdiag could not check what your organisation sent about you.",
    "unreachable": "peerdiag could not reach your organisation's sign-in service.",
}
# What the confirm page says when a "confirm it is you" round trip fails (not a rule's).
REAUTH_FAILURES = {
    "provider": "Your organisation did not confirm it is you. Try again",
    "token": "peerdiag could not check what your organisation sent about you. Try again",
    "unreachable": (
        "peerdiag could not reach your organisation's sign-in service. Try again in a few "
        "minutes, or enter your password if you have one"
    ),
}


def refusal(
    request: HttpRequest, p: SsoProvider, code: str, *, reason: str = "", status: int = 403
) -> HttpResponse:
    """The refusal page: what happened, what to do, and a link back to sign in."""
    return render(
        request,
        "web/auth/sso_refused.html",
        {"provider": p, "reason": reason or FAILURES[code], "code": code},
        status=status,
    )


# The answer for each failure of the token exchange at sign-in.
FAILURE_STATUS = {"state": 400, "provider": 403, "token": 400, "unreachable": 503}


def _exchange(request: HttpRequest, p: SsoProvider, what: str) -> tuple[dict[str, Any], str]:
    """The provider has sent the browser back: exchange the code for tokens and check the ID
    token (Authlib: state used once, PKCE, signature, issuer, audience, expiry, nonce).

    Returns the token response (its "userinfo" the ID token's claims) and "", or an empty dict
    and what went wrong, as a key of FAILURES: "state", "provider", "token" or "unreachable".
    Each failure is logged, with `what` ("sign-in" or "reauth") saying which round trip."""
    client = client_for(p)
    try:
        options = claims_options(p, client)  # fetches discovery when not kept yet
        token = client.authorize_access_token(
            request, claims_options=options, leeway=LEEWAY_SECONDS
        )
    except MismatchingStateError:
        log.warning("single sign-on (%s) %s refused: unknown or used state", p.key, what)
        return {}, "state"
    except OAuthError as exc:
        log.warning("single sign-on (%s) %s refused: provider error %s", p.key, what, exc.error)
        return {}, "provider"
    except (JoseError, ValueError) as exc:
        log.warning("single sign-on (%s) %s refused: ID token not accepted: %r", p.key, what, exc)
        return {}, "token"
    except requests.RequestException as exc:
        log.warning("single sign-on (%s): the provider could not be reached: %s", p.key, exc)
        return {}, "unreachable"
    if not token.get("userinfo") or "id_token" not in token:
        log.warning("single sign-on (%s) %s refused: no ID token", p.key, what)
        return {}, "token"
    return token, ""


@never_cache
@require_GET
def sso_callback(request: HttpRequest, key: str) -> HttpResponse:
    """The provider sends the browser back here; sign the person in if everything checks out.

    Then, as signing in with a password: a sign-in that counts as two-factor marks the session
    verified; otherwise someone with their own second factor is asked for it; otherwise they
    are signed in as a password sign-in without a second factor would be.
    """
    p = _provider_or_404(key)
    pending = _take_reauth(request, request.GET.get("state", ""))
    if pending is not None:
        return _reauth_callback(request, p, pending)
    token, failure = _exchange(request, p, "sign-in")
    if failure:
        return refusal(request, p, failure, status=FAILURE_STATUS[failure])
    claims = token["userinfo"]
    try:
        user = match_sign_in(p, claims, now=timezone.now())
    except SsoRefused as exc:
        return refusal(request, p, exc.code, reason=exc.reason, status=403)
    next_url = request.session.pop(NEXT_SESSION_KEY, "") or resolve_url(settings.LOGIN_REDIRECT_URL)
    sso = {"provider": p.key, "id_token": token["id_token"]}
    if counts_as_two_factor(p, claims):
        login(request, user, backend=MODEL_BACKEND)
        request.session[VERIFIED_SESSION_KEY] = True
    elif has_second_factor(user):
        # Our own second factor is still asked; the session keeps who signed in where.
        request.session[SSO_SESSION_KEY] = sso
        return auth.begin_second_step(request, user, backend=MODEL_BACKEND, next=next_url)
    else:
        login(request, user, backend=MODEL_BACKEND)
    mark_confirmed(request.session)
    request.session[SSO_SESSION_KEY] = sso
    return HttpResponseRedirect(next_url)


def session_provider(request: HttpRequest) -> SsoProvider | None:
    """The provider this session signed in through (single sign-on), if it is still
    configured; None for a session that signed in with a password."""
    sso = request.session.get(SSO_SESSION_KEY)
    if not isinstance(sso, dict):
        return None
    return provider(str(sso.get("provider", "")))


def reauth_url(next_url: str) -> str:
    """The "Confirm it is you" page, coming back to `next_url` afterwards."""
    return f"{reverse('web:reauth')}?{urlencode({'next': next_url})}"


def start_reauth(request: HttpRequest, p: SsoProvider, next_url: str) -> HttpResponse:
    """Send the signed-in person to `p` to sign in again, to confirm it is them.

    As signing in (PKCE, state, nonce), plus `prompt=login` and `max_age=0`, which ask the
    provider to make the person sign in again even if it remembers them (its ID token then
    carries `auth_time`). The state is kept with "purpose: reauth", the user and `next_url`
    (which must already be a same-site address), so the callback confirms rather than signs in.
    """
    user = request.user
    redirect_uri = request.build_absolute_uri(reverse("web:sso_callback", args=[p.key]))
    client = client_for(p)
    try:
        rv = client.create_authorization_url(redirect_uri, prompt="login", max_age=0)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        log.warning("single sign-on (%s): the provider could not be reached: %s", p.key, exc)
        request.session[REAUTH_ERROR_SESSION_KEY] = REAUTH_FAILURES["unreachable"]
        return HttpResponseRedirect(reauth_url(next_url))
    client.save_authorize_data(request, redirect_uri=redirect_uri, **rv)
    kept = request.session.get(REAUTH_SESSION_KEY)
    kept = dict(kept) if isinstance(kept, dict) else {}
    kept[rv["state"]] = {
        "purpose": "reauth",
        "next": next_url,
        "user": user.pk,
        "provider": p.key,
    }
    request.session[REAUTH_SESSION_KEY] = dict(list(kept.items())[-REAUTH_KEPT:])
    return HttpResponseRedirect(rv["url"])


def _take_reauth(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """The kept "confirm it is you" round trip with this state, taken out of the session."""
    kept = request.session.get(REAUTH_SESSION_KEY)
    if not state or not isinstance(kept, dict) or state not in kept:
        return None
    kept = dict(kept)
    pending = kept.pop(state)
    request.session[REAUTH_SESSION_KEY] = kept
    return pending if isinstance(pending, dict) and pending.get("purpose") == "reauth" else None


def _reauth_refused(request: HttpRequest, next_url: str, message: str) -> HttpResponse:
    request.session[REAUTH_ERROR_SESSION_KEY] = message
    return HttpResponseRedirect(reauth_url(next_url))


def _reauth_callback(request: HttpRequest, p: SsoProvider, pending: dict[str, Any]) -> HttpResponse:
    """The provider is back from a "confirm it is you" sign-in (start_reauth).

    The ID token is checked as at sign-in (Authlib), then must prove the signed-in person
    (accounts/domain/reauth.py::check_fresh_sign_in: their address, a fresh auth_time). Then
    someone with a second factor in peerdiag whose provider did not do multi-factor
    authentication is asked for it on the confirm page; anyone else is confirmed
    (mark_confirmed) and goes back to the page they came from. Any failure goes back to the
    confirm page, which says why; nothing is confirmed and nobody is signed in or out.
    """
    user = request.user
    next_url = safe_next(request, str(pending.get("next", ""))) or resolve_url(
        settings.LOGIN_REDIRECT_URL
    )
    if not user.is_authenticated or pending.get("user") != user.pk:
        log.warning("single sign-on (%s) reauth refused: not the same signed-in user", p.key)
        if not user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('web:login')}?{urlencode({'next': next_url})}")
        return _reauth_refused(request, next_url, REAUTH_FAILURES["provider"])
    assert isinstance(user, User)
    if pending.get("provider") != p.key:
        log.warning("single sign-on (%s) reauth refused: another provider's state", p.key)
        return _reauth_refused(request, next_url, REAUTH_FAILURES["provider"])
    token, failure = _exchange(request, p, "reauth")
    if failure:
        # A used or unknown state reads, to the person, as the provider not confirming.
        message = REAUTH_FAILURES["provider" if failure == "state" else failure]
        return _reauth_refused(request, next_url, message)
    claims = token["userinfo"]
    try:
        check_fresh_sign_in(user, claims, provider=p, now=time.time())
    except ProviderDidNotConfirm as exc:
        log.warning("single sign-on (%s) reauth refused for user %s: %s", p.key, user.pk, exc.code)
        return _reauth_refused(request, next_url, exc.message)
    request.session[SSO_SESSION_KEY] = {"provider": p.key, "id_token": token["id_token"]}
    if needs_code(user) and not counts_as_two_factor(p, claims):
        keep_provider_proof(request.session, user, provider_key=p.key)
        log.info("user %s confirmed through %s; their second factor is next", user.pk, p.key)
        return HttpResponseRedirect(reauth_url(next_url))
    mark_confirmed(request.session)
    log.info("user %s confirmed it is them through single sign-on (%s)", user.pk, p.key)
    return HttpResponseRedirect(next_url)


def end_session_link(request: HttpRequest) -> dict[str, str] | None:
    """For the signed-out page: the provider's name and its end-session address (with the ID
    token hint and our sign-in page to come back to), when this session came from single
    sign-on and the provider has an end-session endpoint. Call it before signing out."""
    sso = request.session.get(SSO_SESSION_KEY)
    if not isinstance(sso, dict):
        return None
    p = provider(str(sso.get("provider", "")))
    if p is None:
        return None
    try:
        endpoint = client_for(p).load_server_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError) as exc:
        log.warning("single sign-on (%s): no end-session address: %s", p.key, exc)
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": str(sso.get("id_token", "")),
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("web:login")),
            "client_id": p.client_id,
        }
    )
    return {"name": p.name, "url": f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"}
