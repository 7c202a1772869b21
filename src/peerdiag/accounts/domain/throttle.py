"""Slowing down password guessing without letting anyone lock someone else out.

Failed sign-ins (a wrong password, or a wrong code after a right password) are counted three
ways, each a `SignInThrottle` row in the database so every web process sees the same numbers:

- Per e-mail address, there is no lock. The first FREE_FAILURES failures cost nothing; after
  that each failure makes the address wait before its next attempt is checked: 2 seconds,
  then 4, 8 and so on, never more than MAX_DELAY_SECONDS. An attempt that comes sooner is
  refused unchecked and neither counts nor moves the wait, so a stranger typing wrong passwords
  for someone's address can slow them by a minute at most. The count starts again after
  WINDOW minutes with no failure, or when the person signs in. When it reaches NOTICE_AFTER,
  the account's owner (if there is one) is e-mailed, once per window.
- Per IP address, MAX_PER_IP failures within WINDOW lock that IP out for LOCKOUT minutes,
  whatever it types: a noisy address is slowed, whichever accounts it tries.
- Per e-mail address from one IP address, what that person added to the IP's count: a
  successful sign-in takes it back off, so an office behind one address does not use up its
  allowance with ordinary typing mistakes.

The refusals read the same whether or not an account exists for the address. Settings
override the defaults (all optional): PEERDIAG_SIGN_IN_MAX_PER_IP,
PEERDIAG_SIGN_IN_WINDOW_MINUTES, PEERDIAG_SIGN_IN_LOCKOUT_MINUTES.
"""

from __future__ import annotations

import hashlib
import logging
import math
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import SignInThrottle, User

log = logging.getLogger("peerdiag.accounts")

MAX_PER_IP = 20
WINDOW_MINUTES = 15
LOCKOUT_MINUTES = 15
FREE_FAILURES = 5
MAX_DELAY_SECONDS = 60
NOTICE_AFTER = 8
NOTICE_SUBJECT = "Someone tried to sign in to your peerdiag account"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _now() -> datetime:
    """The throttle's clock (tests replace it rather than sleeping)."""
    return timezone.now()


def _window() -> timedelta:
    return timedelta(minutes=_setting("PEERDIAG_SIGN_IN_WINDOW_MINUTES", WINDOW_MINUTES))


def _normal(email: str) -> str:
    return email.strip().lower()


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def email_key(email: str) -> str:
    return "email:" + _hash(_normal(email))


def ip_key(ip: str) -> str:
    return "ip:" + _hash(ip.strip())


def pair_key(email: str, ip: str) -> str:
    """The key of what `email` added to `ip`'s count; it starts with the address's own part,
    so every pair row of one address can be found (and erased) without knowing the IPs."""
    return f"pair:{_hash(_normal(email))[:32]}:{_hash(ip.strip())[:32]}"


def _pair_prefix(email: str) -> str:
    return f"pair:{_hash(_normal(email))[:32]}:"


def delay_after(failures: int) -> timedelta:
    """How long an address waits after its `failures`-th failure in a window."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return timedelta(seconds=min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES)))


@dataclass(frozen=True)
class Wait:
    """Why attempts are refused unchecked just now, and until when."""

    until: datetime
    network: bool  # True: the IP is locked out; False: the address's short delay

    def message(self, now: datetime | None = None) -> str:
        """The words shown; they never say whether an account exists for the address."""
        if self.network:
            return (
                "Too many attempts to sign in from your network. For your security, try again "
                f"after {refusal_time(self.until)}"
            )
        seconds = max(1, math.ceil((self.until - (now or _now())).total_seconds()))
        unit = "second" if seconds == 1 else "seconds"
        return (
            "Too many attempts to sign in with this e-mail address. For your security, wait "
            f"{seconds} {unit}, then try again"
        )


def waiting(*, email: str | None, ip: str | None, now: datetime | None = None) -> Wait | None:
    """The wait that applies to an attempt for `email` from `ip` now, or None to check it.

    An IP's lock-out comes first (it is the longer); otherwise the address's delay.
    """
    now = now or _now()
    keys = ([ip_key(ip)] if ip else []) + ([email_key(email)] if email else [])
    rows: dict[str, datetime] = {
        key: until
        for key, until in SignInThrottle.objects.filter(key__in=keys, wait_until__gt=now)
        .values_list("key", "wait_until")
        .iterator()
        if until is not None
    }
    if ip and ip_key(ip) in rows:
        return Wait(rows[ip_key(ip)], network=True)
    if email and email_key(email) in rows:
        return Wait(rows[email_key(email)], network=False)
    return None


def record_failure(
    *, email: str | None, ip: str | None, now: datetime | None = None
) -> Wait | None:
    """Count one failed sign-in (wrong password or wrong code) for the address and the IP.

    Side effects (atomic): creates or updates the address's, the IP's and the pair's rows. The
    address's row sets its delay; the IP's row locks the IP when it reaches MAX_PER_IP (logged,
    without the address). After the transaction, e-mails the account's owner once per window
    when the address's count reaches NOTICE_AFTER. Returns the wait that now applies, if any.
    """
    now = now or _now()
    window = _window()
    lockout = timedelta(minutes=_setting("PEERDIAG_SIGN_IN_LOCKOUT_MINUTES", LOCKOUT_MINUTES))
    limit = _setting("PEERDIAG_SIGN_IN_MAX_PER_IP", MAX_PER_IP)
    result: Wait | None = None
    warn = False
    with transaction.atomic():
        if ip:
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(
                key=ip_key(ip), defaults={"window_started_at": now}
            )
            if row.wait_until is not None and row.wait_until > now:
                return Wait(row.wait_until, network=True)
            if row.window_started_at <= now - window or row.wait_until is not None:
                row.failures, row.window_started_at, row.wait_until = 0, now, None
            row.failures += 1
            row.last_failed_at = now
            if row.failures >= limit:
                row.wait_until = now + lockout
                result = Wait(row.wait_until, network=True)
                log.warning("sign-in locked for an IP address until %s", row.wait_until)
            row.save()
            if email:
                pair, _ = SignInThrottle.objects.select_for_update().get_or_create(
                    key=pair_key(email, ip), defaults={"window_started_at": row.window_started_at}
                )
                if pair.window_started_at != row.window_started_at:
                    pair.failures, pair.window_started_at = 0, row.window_started_at
                pair.failures += 1
                pair.last_failed_at = now
                pair.save()
        if email:
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(
                key=email_key(email), defaults={"window_started_at": now}
            )
            if row.last_failed_at is None or row.last_failed_at <= now - window:
                row.failures, row.window_started_at, row.warned_at = 0, now, None
            row.failures += 1
            row.last_failed_at = now
            delay = delay_after(row.failures)
            row.wait_until = now + delay if delay else None
            if row.failures >= NOTICE_AFTER and row.warned_at is None:
                row.warned_at, warn = now, True
            row.save()
            if result is None and row.wait_until is not None:
                result = Wait(row.wait_until, network=False)
    if warn and email:
        _warn_owner(email, since=row.window_started_at)
    return result


def record_success(*, email: str, ip: str | None) -> None:
    """Forget `email`'s failures after it signed in, and take them off `ip`'s count.

    Side effects (atomic): deletes the address's row and its pair row for `ip`, lowering the
    IP's count by the pair's failures if they were counted in the IP's current window. What the
    address's failures added to other IPs' counts stays there.
    """
    with transaction.atomic():
        SignInThrottle.objects.filter(key=email_key(email)).delete()
        if not ip:
            return
        pair = SignInThrottle.objects.select_for_update().filter(key=pair_key(email, ip)).first()
        if pair is None:
            return
        row = SignInThrottle.objects.select_for_update().filter(key=ip_key(ip)).first()
        if row is not None and row.window_started_at == pair.window_started_at:
            row.failures = max(0, row.failures - pair.failures)
            row.save(update_fields=["failures"])
        pair.delete()


def clear_failures(*, email: str) -> None:
    """Delete every row kept for `email` (the address's own and its pairs), e.g. on erasure.

    IPs' counts are left as they are."""
    SignInThrottle.objects.filter(
        Q(key=email_key(email)) | Q(key__startswith=_pair_prefix(email))
    ).delete()


def delete_stale(*, now: datetime | None = None) -> int:
    """Delete rows whose window and wait have both passed; returns how many went.

    Nothing depends on this for correctness (stale rows restart their count); it keeps the
    table small and can run with the daily jobs.
    """
    now = now or _now()
    old = now - _window()
    deleted, _ = SignInThrottle.objects.filter(
        Q(wait_until__isnull=True) | Q(wait_until__lte=now),
        Q(last_failed_at__isnull=True) | Q(last_failed_at__lte=old),
        window_started_at__lte=old,
    ).delete()
    return deleted


def _warn_owner(email: str, *, since: datetime) -> None:
    """E-mail the owner of `email` (if there is an active account) that failures were counted.

    A failure to send is logged and otherwise ignored: the refusal must not depend on it.
    """
    user = User.objects.filter(email__iexact=_normal(email), is_active=True).first()
    if user is None:
        return
    site = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    body = render_to_string(
        "accounts/sign_in_failures_email.txt",
        {
            "user": user,
            "since": timezone.localtime(since),
            "reset_link": site + reverse("web:password_reset"),
            "failures": NOTICE_AFTER,
        },
    )
    try:
        send_mail(NOTICE_SUBJECT, body, None, [user.email])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("failed sign-in notice to user %s not sent: %s", user.pk, exc)
        return
    log.info("failed sign-in notice sent to user %s", user.pk)


def client_ip(meta: dict[str, object]) -> str:
    """The caller's IP as the web server saw it (REMOTE_ADDR).

    Behind a reverse proxy every request comes from the proxy: configure the proxy (or the WSGI
    server) to set REMOTE_ADDR from the forwarded header it trusts, rather than reading
    X-Forwarded-For here, which any caller can forge.
    """
    return str(meta.get("REMOTE_ADDR") or "")


def refusal_time(until: datetime) -> str:
    """`until` as HH:MM in local time, rounded up: "after 10:34" must not be too early."""
    local = timezone.localtime(until.replace(microsecond=0) + timedelta(seconds=59))
    return f"{local:%H:%M}"
