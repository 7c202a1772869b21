"""When did this session last prove who is using it? Sensitive actions ask for a fresh proof.

Signing in (the password, and the second factor for people who have one) and the
re-authentication page record the time in the session; `auth_is_recent` compares it with a
limit. `confirm_identity` checks what the re-authentication page was given: the password,
and for people with a second factor a current code, a recovery code or a passkey as well, by
the same rules as signing in. A session that signed in through an organisation's provider
(single sign-on) may sign in there again instead of the password: `check_fresh_sign_in`,
then `confirm_second_factor` when peerdiag's own second factor is still needed. The view
decorator lives in web/views/common.py, the page in web/views/reauth.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from peerdiag.common.errors import DomainError

from ..models import User
from ..sso_config import SsoProvider
from . import throttle
from .sso import email_domain, email_is_verified
from .two_factor import CodeCheck, check_second_factor, has_passkey, has_second_factor

# Seconds since the epoch at which the session last confirmed a password (or password + code).
CONFIRMED_SESSION_KEY = "auth_confirmed_at"
DEFAULT_MINUTES = 15


def mark_confirmed(session: Any, *, now: float | None = None) -> None:
    """Record in `session` that its user has just proved who they are."""
    session[CONFIRMED_SESSION_KEY] = time.time() if now is None else now


def confirmed_at(session: Any) -> float | None:
    value = session.get(CONFIRMED_SESSION_KEY)
    return float(value) if isinstance(value, int | float) else None


def auth_is_recent(
    session: Any, *, minutes: int = DEFAULT_MINUTES, now: float | None = None
) -> bool:
    """True when the session confirmed the password within the last `minutes` minutes."""
    at = confirmed_at(session)
    now = time.time() if now is None else now
    return at is not None and 0 <= now - at <= minutes * 60


WRONG_PASSWORD = "The password is not right"  # noqa: S105 (a message, not a password)
WRONG_CODE = "The code is not right, or it has been used already"
USED_CODE = (
    "That code has been used already. Wait for your authenticator app to show a new code, "
    "then enter that one"
)


PASSKEY_NOT_CHECKED = "The passkey could not be checked. Try again, or enter a code instead"


def needs_code(user: User) -> bool:
    """Whether confirming who you are takes a second factor too: yes once an authenticator app
    or a passkey is set up (then a code, a recovery code or the passkey)."""
    return has_second_factor(user)


def confirm_identity(
    session: Any,
    user: User,
    *,
    password: str,
    code: str = "",
    passkey: Callable[[], bool] | None = None,
    ip: str | None,
    now: datetime | None = None,
) -> None:
    """Check the password (and, for someone with a second factor, the code or passkey) again.

    `passkey`, when given, checks the browser's passkey answer (the page builds it with
    passkeys.check_passkey and the challenge it kept); it is used instead of `code` for someone
    who has a passkey.

    Raises DomainError naming the field at fault ("password" or "code"), or no field while
    the IP is locked out or the address must wait (accounts/domain/throttle.py); nothing else
    is checked then. The code is checked only after a right password, so a wrong password
    never uses up a code.

    Side effects: on success marks `session` confirmed, clears the address's failed sign-ins
    and uses up the code (an app code's time step, or a recovery code), exactly as signing in
    does; a wrong password or code counts one failed sign-in for the address and IP. An app
    code used already is refused in its own words and counts as nothing.
    """
    wait = throttle.waiting(email=user.email, ip=ip, now=now)
    if wait is not None:
        raise DomainError(wait.message(now))
    if not user.check_password(password):
        _count_failure(user, ip=ip, now=now)
        raise DomainError(WRONG_PASSWORD, field="password")
    _second_factor(session, user, code=code, passkey=passkey, ip=ip, now=now)


def _confirmed(session: Any, user: User, *, ip: str | None, now: datetime | None) -> None:
    mark_confirmed(session, now=now.timestamp() if now else None)
    throttle.record_success(email=user.email, ip=ip)


def _count_failure(user: User, *, ip: str | None, now: datetime | None) -> None:
    """Count one failed sign-in; raises the lock-out message when the IP is now locked out."""
    wait = throttle.record_failure(email=user.email, ip=ip, now=now)
    if wait is not None and wait.network:
        raise DomainError(wait.message(now))


def _second_factor(
    session: Any,
    user: User,
    *,
    code: str,
    passkey: Callable[[], bool] | None,
    ip: str | None,
    now: datetime | None,
) -> None:
    """The second half of confirming (after the password, or after the provider): the passkey
    or the code when the person has a second factor; marks `session` confirmed or raises."""
    if passkey is not None and has_passkey(user):
        if passkey():
            _confirmed(session, user, ip=ip, now=now)
            return
        _count_failure(user, ip=ip, now=now)
        raise DomainError(PASSKEY_NOT_CHECKED)
    check = check_second_factor(user, code=code, now=now) if needs_code(user) else None
    if check is CodeCheck.USED:
        raise DomainError(USED_CODE, field="code")
    if check in (None, CodeCheck.RIGHT):
        _confirmed(session, user, ip=ip, now=now)
        return
    _count_failure(user, ip=ip, now=now)
    raise DomainError(WRONG_CODE, field="code")


# Confirming through the organisation that signed the person in (single sign-on) -------------
#
# A session that signed in through an OpenID Connect provider may confirm who it is by signing
# in there again (web/views/sso.py asks the provider with prompt=login and max_age=0). The
# provider's fresh ID token, once Authlib has checked it as at sign-in, proves this user when
# `check_fresh_sign_in` says so. If the person has a second factor in peerdiag and the provider
# did not do multi-factor authentication, the proof is kept in the session for a few minutes
# (`keep_provider_proof`) and the page asks for the code (`confirm_second_factor`).

# How long ago the provider may have asked the person to sign in, at most.
FRESH_SIGN_IN_SECONDS = 5 * 60
# How far in the future an auth_time may be (the two clocks differ a little).
CLOCK_LEEWAY_SECONDS = 60
# {"user": pk, "provider": key, "at": seconds since the epoch}: a provider proved who this is,
# and peerdiag's own second factor is still to come.
PROVIDER_PROOF_SESSION_KEY = "reauth_provider_proof"

NOT_FRESH = (
    "Your organisation did not ask you to sign in again, so it could not confirm it is you. "
    "Try again"
)
OTHER_PERSON = (
    "Your organisation signed in a different account ({email}), not {mine}. Nothing has been "
    "confirmed. Sign in there as {mine} and try again"
)
NO_ADDRESS = (
    "Your organisation did not send a confirmed e-mail address, so it could not confirm it is "
    "you. Nothing has been confirmed"
)
PROOF_EXPIRED = "That took too long. Confirm it is you again"


class ProviderDidNotConfirm(DomainError):
    """The provider's fresh sign-in does not prove the signed-in person. `code` is one of
    "no_address", "other_person", "not_fresh" (for the log and tests)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_fresh_sign_in(
    user: User, claims: Mapping[str, Any], *, provider: SsoProvider, now: float | None = None
) -> None:
    """Whether a provider's ID token (its claims, already checked as at sign-in: signature,
    issuer, audience, expiry, nonce) proves that `user` has just signed in there again.

    It does when: the token holds an e-mail address the provider says is verified (as at
    sign-in: `email_verified` or Entra's `xms_edov`), at a domain the provider is trusted for,
    that is `user`'s address (in any case); and its `auth_time` (when the person last signed
    in at the provider) is within the last FRESH_SIGN_IN_SECONDS (and not more than a minute
    ahead of our clock). A token without `auth_time`, or an old one, shows the provider did
    not ask again (it remembered the person), which proves nothing about who is at the
    keyboard now. Raises ProviderDidNotConfirm otherwise; nothing else happens.
    """
    now = time.time() if now is None else now
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or not email_is_verified(claims):
        raise ProviderDidNotConfirm("no_address", NO_ADDRESS)
    email = email.strip()
    if email.lower() != user.email.strip().lower() or not provider.trusts(email_domain(email)):
        raise ProviderDidNotConfirm(
            "other_person", OTHER_PERSON.format(email=email, mine=user.email)
        )
    auth_time = claims.get("auth_time")
    if (
        not isinstance(auth_time, int | float)
        or isinstance(auth_time, bool)
        or not -CLOCK_LEEWAY_SECONDS <= now - auth_time <= FRESH_SIGN_IN_SECONDS
    ):
        raise ProviderDidNotConfirm("not_fresh", NOT_FRESH)


def keep_provider_proof(
    session: Any, user: User, *, provider_key: str, now: float | None = None
) -> None:
    """Record that `provider_key` has just proved who `user` is (check_fresh_sign_in), while
    peerdiag's own second factor is still to be asked (confirm_second_factor)."""
    session[PROVIDER_PROOF_SESSION_KEY] = {
        "user": user.pk,
        "provider": provider_key,
        "at": time.time() if now is None else now,
    }


def provider_proof(session: Any, user: User, *, now: float | None = None) -> str | None:
    """The key of the provider that proved who `user` is in the last FRESH_SIGN_IN_SECONDS, if
    one did (keep_provider_proof) and no confirmation has used it yet; else None."""
    proof = session.get(PROVIDER_PROOF_SESSION_KEY)
    if not isinstance(proof, dict) or proof.get("user") != user.pk:
        return None
    at = proof.get("at")
    now = time.time() if now is None else now
    if not isinstance(at, int | float) or not 0 <= now - at <= FRESH_SIGN_IN_SECONDS:
        return None
    return str(proof.get("provider", ""))


def confirm_second_factor(
    session: Any,
    user: User,
    *,
    code: str = "",
    passkey: Callable[[], bool] | None = None,
    ip: str | None,
    now: datetime | None = None,
) -> None:
    """After a provider has proved who `user` is (provider_proof), check peerdiag's own second
    factor (the code, recovery code or passkey) as `confirm_identity` does after the password.

    Raises DomainError (PROOF_EXPIRED) when there is no such proof, or it is older than
    FRESH_SIGN_IN_SECONDS; otherwise as `confirm_identity` for the code, with the same throttle.
    On success marks `session` confirmed and uses the proof up.
    """
    wait = throttle.waiting(email=user.email, ip=ip, now=now)
    if wait is not None:
        raise DomainError(wait.message(now))
    if provider_proof(session, user, now=now.timestamp() if now else None) is None:
        session.pop(PROVIDER_PROOF_SESSION_KEY, None)
        raise DomainError(PROOF_EXPIRED)
    _second_factor(session, user, code=code, passkey=passkey, ip=ip, now=now)
    session.pop(PROVIDER_PROOF_SESSION_KEY, None)
