"""Slowing down password guessing: failed sign-ins are counted per e-mail address and per IP.

After MAX_PER_EMAIL failures for one address (or MAX_PER_IP from one IP address) within
WINDOW, that address (or IP) is refused for LOCKOUT, whatever it types, right or wrong. A
successful sign-in clears the address's count. The counts live in the database
(`SignInThrottle`), so every web process and machine sees the same numbers.

The refusal reads the same whether or not an account exists for the address, so the lock-out
tells a guesser nothing. Settings override the defaults (all optional):
PEERDIAG_SIGN_IN_MAX_PER_EMAIL, PEERDIAG_SIGN_IN_MAX_PER_IP, PEERDIAG_SIGN_IN_WINDOW_MINUTES,
PEERDIAG_SIGN_IN_LOCKOUT_MINUTES.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import SignInThrottle

log = logging.getLogger("peerdiag.accounts")

MAX_PER_EMAIL = 5
MAX_PER_IP = 20
WINDOW_MINUTES = 15
LOCKOUT_MINUTES = 15


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def email_key(email: str) -> str:
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def ip_key(ip: str) -> str:
    return "ip:" + hashlib.sha256(ip.strip().encode()).hexdigest()


def _keys(email: str | None, ip: str | None) -> list[tuple[str, int]]:
    keys: list[tuple[str, int]] = []
    if email:
        keys.append((email_key(email), _setting("PEERDIAG_SIGN_IN_MAX_PER_EMAIL", MAX_PER_EMAIL)))
    if ip:
        keys.append((ip_key(ip), _setting("PEERDIAG_SIGN_IN_MAX_PER_IP", MAX_PER_IP)))
    return keys


def locked_until(
    *, email: str | None, ip: str | None, now: datetime | None = None
) -> datetime | None:
    """When the later of the two lock-outs (address, IP) ends, or None if neither is locked."""
    now = now or timezone.now()
    keys = [k for k, _ in _keys(email, ip)]
    if not keys:
        return None
    ends = [
        end
        for end in SignInThrottle.objects.filter(key__in=keys, locked_until__gt=now).values_list(
            "locked_until", flat=True
        )
        if end is not None
    ]
    return max(ends, default=None)


def record_failure(
    *, email: str | None, ip: str | None, now: datetime | None = None
) -> datetime | None:
    """Count one failed sign-in (wrong password or wrong two-factor code) for both keys.

    Side effects (atomic): creates or updates a SignInThrottle row per key. A count whose
    window has passed starts again at one; a count that reaches its limit locks the key for
    LOCKOUT minutes and starts again. Logs each lock-out (without the address). Returns when
    the lock-out ends if this failure caused or met one, else None.
    """
    now = now or timezone.now()
    window = timedelta(minutes=_setting("PEERDIAG_SIGN_IN_WINDOW_MINUTES", WINDOW_MINUTES))
    lockout = timedelta(minutes=_setting("PEERDIAG_SIGN_IN_LOCKOUT_MINUTES", LOCKOUT_MINUTES))
    result: datetime | None = None
    with transaction.atomic():
        for key, limit in _keys(email, ip):
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now}
            )
            if row.locked_until is not None and row.locked_until > now:
                result = max(result or row.locked_until, row.locked_until)
                continue
            if row.window_started_at <= now - window or row.locked_until is not None:
                row.failures, row.window_started_at, row.locked_until = 0, now, None
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + lockout
                result = max(result or row.locked_until, row.locked_until)
                log.warning("sign-in locked for %s until %s", key.split(":")[0], row.locked_until)
            row.save()
    return result


def clear_failures(*, email: str) -> None:
    """Forget the failures counted for `email` (after it signed in). The IP's count stays."""
    SignInThrottle.objects.filter(key=email_key(email)).delete()


def delete_stale(*, now: datetime | None = None) -> int:
    """Delete rows whose window and lock-out have both passed; returns how many went.

    Nothing depends on this for correctness (stale rows restart their count); it keeps the
    table small and can run with the daily jobs.
    """
    now = now or timezone.now()
    window = timedelta(minutes=_setting("PEERDIAG_SIGN_IN_WINDOW_MINUTES", WINDOW_MINUTES))
    deleted, _ = SignInThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        window_started_at__lte=now - window,
    ).delete()
    return deleted


def client_ip(meta: dict[str, object]) -> str:
    """The caller's IP as the web server saw it (REMOTE_ADDR).

    Behind a reverse proxy every request comes from the proxy: configure the proxy (or the WSGI
    server) to set REMOTE_ADDR from the forwarded header it trusts, rather than reading
    X-Forwarded-For here, which any caller can forge.
    """
    return str(meta.get("REMOTE_ADDR") or "")


def refusal_message(until: datetime) -> str:
    """The words shown when signing in is refused; they never say whether the account exists."""
    return f"Too many attempts to sign in. For your security, try again after {refusal_time(until)}"


def refusal_time(until: datetime) -> str:
    """`until` as HH:MM in local time, rounded up: "after 10:34" must not be too early."""
    local = timezone.localtime(until.replace(microsecond=0) + timedelta(seconds=59))
    return f"{local:%H:%M}"
