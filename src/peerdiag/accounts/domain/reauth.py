"""When did this session last prove who is using it? Sensitive actions ask for a fresh proof.

Signing in (the password, and the second factor for people who have one) and the
re-authentication page record the time in the session; `auth_is_recent` compares it with a
limit. `confirm_identity` checks what the re-authentication page was given: the password,
and for people with a second factor a current code, a recovery code or a passkey as well, by
the same rules as signing in. The view decorator lives in web/views/common.py, the page
in web/views/reauth.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from peerdiag.common.errors import DomainError

from ..models import User
from . import throttle
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
        field, message = "password", WRONG_PASSWORD
    else:
        if passkey is not None and has_passkey(user):
            if passkey():
                mark_confirmed(session, now=now.timestamp() if now else None)
                throttle.record_success(email=user.email, ip=ip)
                return
            wait = throttle.record_failure(email=user.email, ip=ip, now=now)
            if wait is not None and wait.network:
                raise DomainError(wait.message(now))
            raise DomainError(PASSKEY_NOT_CHECKED)
        check = check_second_factor(user, code=code, now=now) if needs_code(user) else None
        if check is CodeCheck.USED:
            raise DomainError(USED_CODE, field="code")
        if check in (None, CodeCheck.RIGHT):
            mark_confirmed(session, now=now.timestamp() if now else None)
            throttle.record_success(email=user.email, ip=ip)
            return
        field, message = "code", WRONG_CODE
    wait = throttle.record_failure(email=user.email, ip=ip, now=now)
    if wait is not None and wait.network:
        raise DomainError(wait.message(now))
    raise DomainError(message, field=field)
