"""When did this session last prove who is using it? Sensitive actions ask for a fresh proof.

Signing in (the password, and the code for people with an authenticator app) and the
re-authentication page record the time in the session; `auth_is_recent` compares it with a
limit. The view decorator that uses these lives in web/views/reauth.py.
"""

from __future__ import annotations

import time
from typing import Any

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
