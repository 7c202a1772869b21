"""API tokens: issued and revoked by their owner on the account pages, checked by the API.

Only a token's hash is stored; the token itself is shown once, when it is made. Every token
expires (90 days unless its owner chooses otherwise, 180 days at most) and has a scope:

- `read`: GET calls only;
- `write`: reads and changes;
- `sensitive`: what `write` allows, plus downloading sensitive files (official-sensitive or
  containing personal data). It can be made only by someone with a second factor (an
  authenticator app or a passkey) who has confirmed it in the last few minutes, and works for
  8 hours at most.

Every token of a person stops working when their password is changed or reset, or their
second factor is reset (`revoke_all_tokens`). The owner gets an e-mail whenever a token is made.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError

from ..models import ApiToken, Passkey, TotpDevice, User, _hash_token

log = logging.getLogger("peerdiag.accounts")

Scope = ApiToken.Scope

NAME_MAX = 100
# Recording every use would write to the database on every API call; once a minute is
# precise enough for "last used" and keeps reads cheap.
LAST_USED_PRECISION = timedelta(minutes=1)

# How long a token works: the choices the page offers, and the limits the domain enforces.
DEFAULT_LIFETIME = timedelta(days=90)
LONGEST_LIFETIME = timedelta(days=180)
DAY_CHOICES = (7, 30, 90, 180)
SENSITIVE_HOUR_CHOICES = (1, 4, 8)
SENSITIVE_LONGEST = timedelta(hours=8)
# A sensitive token needs a password and code confirmed this recently in the same session.
SENSITIVE_CONFIRM_MINUTES = 5

EMAIL_SUBJECT = "A new API token was made for your peerdiag account"
NO_DEVICE = (
    "Set up two-factor sign-in (an authenticator app or a passkey) before you make a token with "
    "the sensitive scope"
)
NOT_FRESH = (
    "To make a token with the sensitive scope, confirm your password and second factor (a code "
    "from your authenticator app, or your passkey) again: it must be within the last "
    f"{SENSITIVE_CONFIRM_MINUTES} minutes"
)


def issue_token(
    user: User,
    *,
    name: str,
    by: User,
    scope: str = Scope.READ,
    lifetime: timedelta = DEFAULT_LIFETIME,
    confirmed_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a new API token for `user`; returns it and the raw token (shown once, never kept).

    Only the person themselves may do it. `lifetime` is how long it works (at most 180 days;
    at most 8 hours for the sensitive scope). A sensitive token also needs a second factor (an
    authenticator app or a passkey) and `confirmed_at`, the time the person's session last
    confirmed their password and second factor, within the last SENSITIVE_CONFIRM_MINUTES
    minutes and after the second factor was set up.

    Side effects (atomic): creates an ApiToken holding the hash and e-mails the owner that a
    token was made (never the token). If the e-mail cannot be sent, no token is made. Logs who
    made it (not the token).
    """
    now = now or timezone.now()
    if by.pk != user.pk:
        raise DomainError("You can only make API tokens for yourself")
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter a name for the token", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"The name must be {NAME_MAX} characters or fewer", field="name")
    if scope not in Scope.values:
        raise DomainError("Choose what the token may do", field="scope")
    if lifetime <= timedelta(0) or lifetime > LONGEST_LIFETIME:
        raise DomainError("Choose how long the token works for, 180 days at most", field="lifetime")
    if scope == Scope.SENSITIVE:
        _check_sensitive(user, lifetime=lifetime, confirmed_at=confirmed_at, now=now)
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name, scope=scope, lifetime=lifetime, now=now)
        _tell_owner(token)
    log.info("API token %s (%s scope) made for user %s", token.code, token.scope, user.pk)
    return token, raw


def _check_sensitive(
    user: User, *, lifetime: timedelta, confirmed_at: datetime | None, now: datetime
) -> None:
    if lifetime > SENSITIVE_LONGEST:
        raise DomainError(
            "A token with the sensitive scope can work for 8 hours at most", field="lifetime"
        )
    since = _second_factor_since(user)
    if since is None:
        raise DomainError(NO_DEVICE, field="scope")
    fresh = (
        confirmed_at is not None
        # A confirmation from before any second factor was set up was a password alone.
        and confirmed_at >= since
        and timedelta(0) <= now - confirmed_at <= timedelta(minutes=SENSITIVE_CONFIRM_MINUTES)
    )
    if not fresh:
        raise DomainError(NOT_FRESH, field="scope")


def _second_factor_since(user: User) -> datetime | None:
    """When the person's oldest second factor still set up (a confirmed authenticator app or a
    passkey) was added; None if they have none. From then on confirming who they are (signing
    in, the password page) has needed it."""
    app = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).aggregate(
        at=Min("confirmed_at")
    )["at"]
    passkey = Passkey.objects.filter(user=user).aggregate(at=Min("created_at"))["at"]
    times = [t for t in (app, passkey) if t is not None]
    return min(times) if times else None


def _tell_owner(token: ApiToken) -> None:
    """E-mail the owner that `token` was made; raises DomainError if it cannot be sent."""
    user = token.user
    site = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    body = render_to_string(
        "accounts/api_token_email.txt",
        {
            "user": user,
            "token": token,
            "scope": Scope(token.scope).label,
            "made": timezone.localtime(token.created_at),
            "expires": timezone.localtime(token.expires_at),
            "tokens_link": site + reverse("web:api_tokens"),
            "reset_link": site + reverse("web:password_reset"),
        },
    )
    try:
        send_mail(EMAIL_SUBJECT, body, None, [user.email])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("API token e-mail to user %s not sent: %s", user.pk, exc)
        raise DomainError(
            "The e-mail that tells you about a new token could not be sent, so no token was "
            "made. Try again later"
        ) from exc


def revoke_token(token: ApiToken, *, by: User, now: datetime | None = None) -> bool:
    """Stop `token` working at once. Returns False if it was revoked already (nothing changes).

    Only its owner or an LGA administrator may do it. Side effects: sets revoked_at (a single
    conditional update, so a second revocation keeps the first time). Logs who did it.
    """
    if by.pk != token.user_id and not by.is_staff:
        raise DomainError("Only the token's owner or an LGA administrator can revoke it")
    now = now or timezone.now()
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
    token.refresh_from_db(fields=["revoked_at"])
    if changed:
        log.info("API token %s revoked by user %s", token.code, by.pk)
    return changed == 1


@dataclass(frozen=True)
class TokenLookup:
    """What a raw token turned out to be: the working token, or None and whether it expired."""

    token: ApiToken | None
    expired: bool = False


def look_up_token(raw: str, *, now: datetime | None = None) -> TokenLookup:
    """The working token whose raw value is `raw` (with its user), or why there is none.

    `expired` is True only for a token that would otherwise work (not revoked, its account on),
    so it tells the holder of a real token why it stopped and tells a guesser nothing. Side
    effects: sets last_used_at on a working token when it is unset or older than
    LAST_USED_PRECISION.
    """
    if not raw:
        return TokenLookup(None)
    now = now or timezone.now()
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return TokenLookup(None)
    if found.is_expired(now):
        return TokenLookup(None, expired=True)
    # Conditional, so it changes no row (and writes nothing) within a minute of the last use;
    # issued on every call all the same, which keeps the number of queries per call constant.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
    if ApiToken.objects.filter(stale, pk=found.pk).update(last_used_at=now):
        found.last_used_at = now
    return TokenLookup(found)


def token_for(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The working token whose raw value is `raw` (with its user), or None.

    Revoked and expired tokens, and tokens of switched-off accounts, are None. Side effects as
    `look_up_token`.
    """
    return look_up_token(raw, now=now).token


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, newest first, revoked and expired ones included (the page shows
    them as such)."""
    return list(ApiToken.objects.filter(user=user))


def revoke_all_tokens(user: User, *, reason: str, now: datetime | None = None) -> int:
    """Stop every token of `user` working at once; returns how many were not revoked yet.

    Called when the person's password is changed or reset and when their second factor is
    reset, so a token made before cannot outlive the credentials that made it. Side effects: sets
    revoked_at on each token not revoked yet (one UPDATE). Logs the count and the reason.
    """
    now = now or timezone.now()
    with transaction.atomic():
        changed = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    if changed:
        log.info("%s API tokens of user %s revoked: %s", changed, user.pk, reason)
    return changed


def revoke_on_new_password(
    sender: Any, instance: User, created: bool = False, **kwargs: Any
) -> None:
    """post_save receiver for User (accounts/apps.py): a password set with set_password() on an
    existing login stops every token made before, whichever way it was set (the reset page,
    the admin site, `peerdiag changepassword`).

    Django keeps the new raw password in `_password` from set_password() until save() has
    finished, which is how a password change is told apart from any other save.
    """
    if not created and getattr(instance, "_password", None) is not None:
        revoke_all_tokens(instance, reason="password changed")
