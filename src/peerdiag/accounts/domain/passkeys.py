"""Passkeys (WebAuthn) as a second factor, beside the authenticator app.

A passkey cannot be phished: the browser signs each challenge together with the address of the
site asking, so a look-alike site gets a signature that is no use here. The ceremonies use
py_webauthn (the `webauthn` package). The pages keep each challenge in the session and hand it
back exactly once (`take_challenge`), so an answer cannot be replayed.

The relying party (the site the passkey belongs to) comes from the settings
PEERDIAG_WEBAUTHN_RP_ID and PEERDIAG_WEBAUTHN_ORIGIN; when they are empty, from the host and
scheme of the request (see docs/operations.md, "Passkeys").

Every function takes `now` so tests can fix the clock; pages leave it out.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from peerdiag.common.errors import DomainError

from ..models import Passkey, RecoveryCode, User
from .tokens import revoke_all_tokens
from .two_factor import RESET_REASON, _replace_recovery_codes, has_second_factor

log = logging.getLogger("peerdiag.accounts")

RP_NAME = "peerdiag"
NAME_MAX = 60
MAX_PASSKEYS = 10
# How long the browser waits for the person, and how long the server keeps the challenge.
TIMEOUT_MS = 120_000
CHALLENGE_SECONDS = 5 * 60
CHALLENGE_SESSION_KEY = "passkey_challenge"
REGISTER = "register"
SIGN_IN = "sign_in"

NOT_CHECKED = "The passkey could not be checked. Try again, or use another way to sign in"
# Errors the ceremony can raise on a malformed or forged answer.
_BAD_ANSWER = (WebAuthnException, ValueError, TypeError, KeyError)


@dataclass(frozen=True)
class RelyingParty:
    """The site passkeys are made for: its id (a domain name) and the origin pages load from."""

    id: str
    origin: str
    name: str = RP_NAME


def relying_party(*, host: str, secure: bool) -> RelyingParty:
    """The relying party from the settings, or else from the request's host and scheme.

    `host` is the request's host (with its port, if any), as Django's `get_host()` gives it.
    """
    rp_id = getattr(settings, "PEERDIAG_WEBAUTHN_RP_ID", "") or _hostname(host)
    origin = getattr(settings, "PEERDIAG_WEBAUTHN_ORIGIN", "") or (
        f"{'https' if secure else 'http'}://{host}"
    )
    return RelyingParty(id=rp_id, origin=origin.rstrip("/"))


def _hostname(host: str) -> str:
    if host.startswith("["):  # an IPv6 literal; browsers refuse it as an id anyway
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


# Challenges in the session ----------------------------------------------------------------------


def keep_challenge(
    session: Any, challenge: bytes, *, purpose: str, user: User, now: float | None = None
) -> None:
    """Remember `challenge` in the session for one answer (replacing any earlier one)."""
    session[CHALLENGE_SESSION_KEY] = {
        "challenge": bytes_to_base64url(challenge),
        "purpose": purpose,
        "user": user.pk,
        "at": time.time() if now is None else now,
    }


def take_challenge(
    session: Any, *, purpose: str, user: User, now: float | None = None
) -> bytes | None:
    """The challenge kept for `purpose` and `user`, removed from the session: it works once.

    None when there is none, it was for something else, or it is older than CHALLENGE_SECONDS.
    """
    kept = session.pop(CHALLENGE_SESSION_KEY, None)
    if not isinstance(kept, dict):
        return None
    now = time.time() if now is None else now
    if kept.get("purpose") != purpose or kept.get("user") != user.pk:
        return None
    if not 0 <= now - float(kept.get("at", 0)) <= CHALLENGE_SECONDS:
        return None
    try:
        return base64url_to_bytes(str(kept["challenge"]))
    except (KeyError, ValueError):
        return None


# Reads --------------------------------------------------------------------------------------


def passkeys_of(user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user))


def _user_handle(user: User) -> bytes:
    """A stable id for the person that names nothing about them (WebAuthn's user.id)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"peerdiag-passkey-user:{user.pk}".encode(), hashlib.sha256).digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    out = []
    for passkey in Passkey.objects.filter(user=user):
        transports = []
        for t in passkey.transports or []:
            try:
                transports.append(AuthenticatorTransport(t))
            except ValueError:
                continue
        out.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(passkey.credential_id), transports=transports or None
            )
        )
    return out


# Registration ---------------------------------------------------------------------------------


def registration_options(user: User, *, rp: RelyingParty) -> tuple[str, bytes]:
    """Options for navigator.credentials.create(), as JSON, and their challenge.

    The person's existing passkeys are excluded, so an authenticator is not added twice.
    """
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=_user_handle(user),
        user_name=user.email,
        user_display_name=user.get_full_name(),
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    return options_to_json(options), options.challenge


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter a name for the passkey", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"The name must be {NAME_MAX} characters or fewer", field="name")
    return name


def add_passkey(
    user: User,
    *,
    name: str,
    credential: str,
    challenge: bytes | None,
    rp: RelyingParty,
    now: datetime | None = None,
) -> tuple[Passkey, list[str]]:
    """Check the browser's answer to `registration_options` and keep the new passkey.

    `credential` is the JSON the page sends (PublicKeyCredential, base64url fields). Refuses
    with DomainError (field "name" or "credential") on a missing name, a challenge that was not
    kept or has been used, an answer for another site or challenge, or a passkey added already.
    Returns the passkey, and recovery codes when it is the person's first second factor
    (shown once; only their hashes are kept); otherwise an empty list.

    Side effects (atomic): creates the Passkey; for a first second factor, replaces the
    recovery codes. Logs the change to the "peerdiag.accounts" logger.
    """
    now = now or timezone.now()
    name = clean_name(name)
    if challenge is None:
        raise DomainError(
            "That took too long, or the page was sent twice. Try again", field="credential"
        )
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except _BAD_ANSWER as e:
        log.info("passkey refused for user %s: %s", user.pk, e)
        raise DomainError(
            "The passkey could not be checked. Try again", field="credential"
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    transports = [t.value for t in (parsed.response.transports or [])]
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one first factor at a time
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise DomainError("That passkey has been added already", field="credential")
        if Passkey.objects.filter(user=user).count() >= MAX_PASSKEYS:
            raise DomainError(
                f"You can have up to {MAX_PASSKEYS} passkeys. Remove one first", field="name"
            )
        first = not has_second_factor(user)
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
            created_at=now,
        )
        codes = _replace_recovery_codes(user, now) if first else []
    log.info("passkey added for user %s", user.pk)
    return passkey, codes


# Signing in -----------------------------------------------------------------------------------


def authentication_options(user: User, *, rp: RelyingParty) -> tuple[str, bytes] | None:
    """Options for navigator.credentials.get() naming the person's passkeys, as JSON, and their
    challenge; None for someone with no passkey."""
    allow = _descriptors(user)
    if not allow:
        return None
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=TIMEOUT_MS,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def check_passkey(
    user: User,
    *,
    credential: str,
    challenge: bytes | None,
    rp: RelyingParty,
    now: datetime | None = None,
) -> bool:
    """Whether `credential` is a valid answer, by one of `user`'s passkeys, to `challenge`.

    False for no challenge, a malformed answer, another person's passkey, the wrong site or
    challenge, a bad signature, or a signature counter that went backwards (a cloned key).
    Side effects: on success moves the passkey's counter on and records when it was used; the
    update is conditional on the counter read, so two racing requests cannot both pass with
    one counted answer.
    """
    now = now or timezone.now()
    if challenge is None:
        return False
    try:
        parsed = parse_authentication_credential_json(credential)
    except _BAD_ANSWER:
        return False
    passkey = Passkey.objects.filter(
        user=user, credential_id=bytes_to_base64url(parsed.raw_id)
    ).first()
    if passkey is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except _BAD_ANSWER as e:
        log.info("passkey answer refused for user %s: %s", user.pk, e)
        return False
    claimed = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=now
    )
    return claimed == 1


# Removing -------------------------------------------------------------------------------------


def remove_passkey(passkey: Passkey, *, by: User) -> bool:
    """Remove a passkey. Only its owner or an LGA administrator may do it.

    Returns True when that leaves the person with no second factor at all. Then, in the same
    transaction, their recovery codes are deleted and every API token of theirs is revoked
    (tokens.revoke_all_tokens), as for any reset of the second factor; if a rule says they must
    use two-factor sign-in, the middleware sends them to set it up again. Logs who did it.
    """
    user = passkey.user
    if by.pk != user.pk and not by.is_staff:
        raise DomainError("Only the person or an LGA administrator can remove a passkey")
    with transaction.atomic():
        Passkey.objects.filter(pk=passkey.pk).delete()
        none_left = not has_second_factor(user)
        if none_left:
            RecoveryCode.objects.filter(user=user).delete()
            revoke_all_tokens(user, reason=RESET_REASON)
    log.info("passkey removed for user %s by user %s", user.pk, by.pk)
    return none_left
