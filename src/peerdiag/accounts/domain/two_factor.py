"""Two-factor sign-in: an authenticator app (time-based codes) or passkeys (domain/passkeys.py),
backed by single-use recovery codes.

Who has to use it is decided outside this app (accounts imports nothing above it): other apps
register a rule with `register_requirement`, and `two_factor_required` asks every rule.

Every function takes `now` so tests can fix the clock; pages and the API leave it out.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import pyotp
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peerdiag.common.errors import DomainError

from ..models import Passkey, RecoveryCode, TotpDevice, User, normalise_recovery_code
from .tokens import revoke_all_tokens

log = logging.getLogger("peerdiag.accounts")

# Why API tokens are revoked when a second factor goes (see tokens.revoke_all_tokens).
RESET_REASON = "two-factor reset"

ISSUER = "peerdiag"
STEP_SECONDS = 30
DIGITS = 6
# One step either side: the phone's clock may be a little out, or the code typed just as it turned.
TOLERANCE_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Recovery codes are typed from paper, so leave out characters that look alike (0/O, 1/l/I).
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_HALF = 5

Requirement = Callable[[Any], bool]
_requirements: list[Requirement] = []


# Who must use it ------------------------------------------------------------------------------


def register_requirement(fn: Requirement) -> Requirement:
    """Add a rule saying which logins must use two-factor sign-in. Usable as a decorator.

    Registering the same function twice has no further effect.
    """
    if fn not in _requirements:
        _requirements.append(fn)
    return fn


def unregister_requirement(fn: Requirement) -> None:
    """Remove a rule added with `register_requirement` (tests use this to clean up)."""
    if fn in _requirements:
        _requirements.remove(fn)


def two_factor_required(user: Any) -> bool:
    """True when any registered rule says this signed-in person must use two-factor sign-in."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(fn(user) for fn in _requirements)


def is_administrator(user: Any) -> bool:
    """LGA administrators and superusers see every council and decide who may see what, so
    they always sign in with a second factor (registered in AccountsConfig.ready)."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def confirmed_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_confirmed_device(user: User) -> bool:
    """Whether the person has a confirmed authenticator app (so a code can be asked for)."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def has_passkey(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


def has_second_factor(user: User) -> bool:
    """Whether the person has any second factor: a confirmed authenticator app or a passkey."""
    return has_confirmed_device(user) or has_passkey(user)


# Reads that pages show ------------------------------------------------------------------------


def secret_for_display(secret: str) -> str:
    """The key in groups of four, as people type it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=device.user.email, issuer_name=ISSUER
    )


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# Writes ---------------------------------------------------------------------------------------


def start_totp(user: User, *, now: datetime | None = None) -> tuple[TotpDevice, str]:
    """Begin setting up an authenticator app: returns the device and its otpauth:// address.

    Side effects: creates an unconfirmed TotpDevice with a new random secret. If an unconfirmed
    one exists already it is returned unchanged, so reloading the set-up page keeps showing the
    QR code the person may have scanned. Refuses if a confirmed device exists.
    """
    now = now or timezone.now()
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.is_confirmed:
            raise DomainError("Two-factor sign-in is set up already")
        if device is None:
            device = TotpDevice.objects.create(
                user=user, secret=pyotp.random_base32(), created_at=now
            )
    return device, otpauth_uri(device)


def confirm_totp(user: User, *, code: str, now: datetime | None = None) -> list[str]:
    """Finish setting up the authenticator app with a code it shows; returns recovery codes.

    Side effects (atomic): marks the device confirmed, remembers the code's time step so it
    cannot be used again, and replaces the person's recovery codes with RECOVERY_CODE_COUNT
    new ones. The codes are returned once, in plain text; only their hashes are stored.
    Logs the change to the "peerdiag.accounts" logger.
    """
    now = now or timezone.now()
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise DomainError("Start setting up two-factor sign-in first", field="code")
        if device.is_confirmed:
            raise DomainError("Two-factor sign-in is set up already", field="code")
        step = _matching_step(device, code, now)
        if step is None:
            raise DomainError(
                "The code is not right. Check the time on your phone and try the newest code",
                field="code",
            )
        device.confirmed_at = now
        device.last_used_step = step
        device.save(update_fields=["confirmed_at", "last_used_step"])
        codes = _replace_recovery_codes(user, now)
    log.info("two-factor sign-in set up for user %s", user.pk)
    return codes


class CodeCheck(StrEnum):
    """What `check_second_factor` found."""

    RIGHT = "right"
    WRONG = "wrong"
    # An app code that was right in its time step but has been used already: not a guess.
    USED = "used"


def check_second_factor(user: User, *, code: str, now: datetime | None = None) -> CodeCheck:
    """Whether `code` proves the second factor: an app code or an unused recovery code.

    Side effects: an app code moves the device's last used step forward, so the same code (or
    an older one) is refused afterwards; a recovery code is marked used. Both updates are
    conditional single statements, so two requests racing with one code cannot both succeed.
    Returns USED for an app code that matches a time step within the tolerance that has been
    used already (the loser of such a race included), WRONG for anything else that fails, and
    WRONG for a person with no second factor. A used recovery code is WRONG, as before.
    Someone whose only second factor is a passkey can still use a recovery code.
    """
    now = now or timezone.now()
    device = confirmed_device(user)
    candidate = "".join(code.split())
    if candidate.isdigit() and len(candidate) == DIGITS:
        if device is None:
            return CodeCheck.WRONG
        step = _matching_step(device, candidate, now)
        if step is None:
            return CodeCheck.USED if _matches_used_step(device, candidate, now) else CodeCheck.WRONG
        claimed = TotpDevice.objects.filter(
            Q(last_used_step__isnull=True) | Q(last_used_step__lt=step), pk=device.pk
        ).update(last_used_step=step)
        return CodeCheck.RIGHT if claimed == 1 else CodeCheck.USED
    if not normalise_recovery_code(candidate):
        return CodeCheck.WRONG
    if device is None and not has_passkey(user):
        return CodeCheck.WRONG
    used = RecoveryCode.objects.filter(
        user=user, used_at__isnull=True, code_hash=RecoveryCode.hash_code(candidate)
    ).update(used_at=now)
    if used:
        log.info("recovery code used by user %s", user.pk)
    return CodeCheck.RIGHT if used == 1 else CodeCheck.WRONG


def verify_second_factor(user: User, *, code: str, now: datetime | None = None) -> bool:
    """True when `check_second_factor` finds the code right (with the same side effects)."""
    return check_second_factor(user, code=code, now=now) is CodeCheck.RIGHT


def regenerate_recovery_codes(user: User, *, now: datetime | None = None) -> list[str]:
    """Replace every recovery code (used or not) with RECOVERY_CODE_COUNT new ones.

    Side effects (atomic): deletes the old codes, so they stop working at once; stores the
    hashes of the new ones and returns them in plain text, once. Refuses when two-factor
    sign-in is not set up (no app and no passkey). Logs the change to the "peerdiag.accounts"
    logger.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not has_second_factor(user):
            raise DomainError("Set up two-factor sign-in first")
        codes = _replace_recovery_codes(user, now)
    log.info("recovery codes replaced for user %s", user.pk)
    return codes


def remove_totp(user: User, *, by: User) -> None:
    """Remove `user`'s authenticator app (for example after losing their phone).

    Only the person themselves or an LGA administrator may do it. Side effects (atomic):
    deletes the device, and every recovery code unless a passkey is left for them to back up.
    When a confirmed app is removed, every API token of the person is revoked
    (tokens.revoke_all_tokens), so a token made before cannot outlive the reset. If a rule says
    the person must use two-factor sign-in and nothing is left, the middleware sends them to
    set it up again at their next page. Logs who did it.
    """
    if by.pk != user.pk and not by.is_staff:
        raise DomainError("Only the person or an LGA administrator can switch this off")
    with transaction.atomic():
        was_confirmed = has_confirmed_device(user)
        TotpDevice.objects.filter(user=user).delete()
        if not has_passkey(user):
            RecoveryCode.objects.filter(user=user).delete()
        if was_confirmed:
            revoke_all_tokens(user, reason=RESET_REASON)
    log.info("authenticator app removed for user %s by user %s", user.pk, by.pk)


def reset_two_factor(user: User, *, by: User) -> None:
    """Switch two-factor sign-in off for `user` entirely: app, passkeys and recovery codes.

    For an LGA administrator helping someone who lost every second factor (or the person
    themselves). Side effects (atomic): deletes them all and revokes every API token of the
    person. If a rule says the person must use two-factor sign-in, the middleware sends them to
    set it up again at their next page. Logs who did it.
    """
    if by.pk != user.pk and not by.is_staff:
        raise DomainError("Only the person or an LGA administrator can switch this off")
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        revoke_all_tokens(user, reason=RESET_REASON)
    log.info("two-factor sign-in reset for user %s by user %s", user.pk, by.pk)


# Helpers --------------------------------------------------------------------------------------


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(device: TotpDevice, code: str, now: datetime) -> int | None:
    """The time step whose code equals `code`, within the tolerance and after the last used."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    totp = pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP_SECONDS)
    current = _step(now)
    # Newest first: a code that matches two steps (it happens, one in a million) counts as the
    # later one, which refuses the most codes afterwards.
    for step in range(current + TOLERANCE_STEPS, current - TOLERANCE_STEPS - 1, -1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _matches_used_step(device: TotpDevice, code: str, now: datetime) -> bool:
    """Whether `code` is the code of a step within the tolerance that has been used already."""
    if device.last_used_step is None:
        return False
    totp = pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP_SECONDS)
    current = _step(now)
    return any(
        hmac.compare_digest(totp.generate_otp(step), code)
        for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1)
        if step <= device.last_used_step
    )


def _new_recovery_code() -> str:
    chars = [secrets.choice(_RECOVERY_ALPHABET) for _ in range(2 * _RECOVERY_HALF)]
    return "".join(chars[:_RECOVERY_HALF]) + "-" + "".join(chars[_RECOVERY_HALF:])


def _replace_recovery_codes(user: User, now: datetime) -> list[str]:
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=RecoveryCode.hash_code(c), created_at=now) for c in codes
    )
    return codes
