"""Helpers for tests that need a person with two-factor sign-in already set up."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
from django.utils import timezone

from peerdiag.accounts.domain.two_factor import confirm_totp, start_totp
from peerdiag.accounts.models import User


def set_up_app(user: User, *, at: datetime | None = None) -> tuple[pyotp.TOTP, list[str]]:
    """Give `user` a confirmed authenticator app; returns the app (to make codes) and the
    recovery codes. By default it is confirmed five minutes ago, so the code of the current
    time step has not been used yet and a sign-in can use it."""
    at = at or timezone.now() - timedelta(minutes=5)
    device, _ = start_totp(user, now=at)
    app = pyotp.TOTP(device.secret)
    codes = confirm_totp(user, code=app.at(at), now=at)
    return app, codes
