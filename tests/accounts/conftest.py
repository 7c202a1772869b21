"""Fixtures for the accounts tests: who must use two-factor sign-in, and its middleware."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.domain.two_factor import register_requirement, unregister_requirement
from peerdiag.accounts.models import User

MIDDLEWARE = "peerdiag.accounts.middleware.TwoFactorMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@pytest.fixture
def must_use_two_factor() -> Iterator[set[int]]:
    """A set of user ids; a rule registered for the test says those users need two factors."""
    required: set[int] = set()

    def rule(user: User) -> bool:
        return user.pk in required

    register_requirement(rule)
    yield required
    unregister_requirement(rule)


@pytest.fixture
def two_factor_middleware(settings):  # type: ignore[no-untyped-def]
    """The middleware in place, right after AuthenticationMiddleware, whether or not
    settings.MIDDLEWARE lists it yet. Make test clients after this fixture has run."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index(AUTH_MIDDLEWARE) + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], MIDDLEWARE, *settings.MIDDLEWARE[at:]]
    return settings.MIDDLEWARE


class Clock:
    """The sign-in throttle's clock, moved by hand (no test sleeps)."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Fixes the throttle's clock at the real time now; `clock.advance(s)` moves it on."""
    fixed = Clock()
    monkeypatch.setattr(throttle, "_now", lambda: fixed.now)
    return fixed
