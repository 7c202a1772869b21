"""Encryption of case content at rest: Fernet tokens under keys from the environment.

PEERDIAG_CASE_KEYS holds comma-separated Fernet keys, newest first. New content is encrypted
with the first; any of them decrypts, so a new key can be put in front and the old content
re-encrypted at leisure with `peerdiag casereview rotate-keys` (`fields.rotate_keys`: the case
review's token fields and every EncryptedTextField), after which the old key can go.

The keys are read once per distinct value of the variable (cached on the value), so a test
that changes the variable gets the new keys without clearing anything.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV = "PEERDIAG_CASE_KEYS"
DEV_SECRET = "dev-only-not-secret-peerdiag"  # noqa: S105 (settings.py's development secret)


def _dev_key() -> bytes:
    # DEVELOPMENT AND TESTS ONLY: a key derived from the development SECRET_KEY, so that a
    # newcomer's `make run` works. Production must set PEERDIAG_CASE_KEYS (checked below).
    digest = hashlib.sha256(b"peerdiag-case-content:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _keyring_from(raw: str) -> tuple[MultiFernet, Fernet]:
    """Every key (to decrypt) and the newest one (to tell whether a token needs rotating)."""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        if not (settings.DEBUG or settings.SECRET_KEY == DEV_SECRET):
            raise ImproperlyConfigured(f"{ENV} must be set to at least one Fernet key")
        only = Fernet(_dev_key())
        return MultiFernet([only]), only
    try:
        fernets = [Fernet(k.encode()) for k in keys]
    except ValueError:
        raise ImproperlyConfigured(
            f"{ENV} must hold Fernet keys (make one with `python -c 'from cryptography.fernet "
            "import Fernet; print(Fernet.generate_key().decode())'`)"
        ) from None
    return MultiFernet(fernets), fernets[0]


def _keyring() -> tuple[MultiFernet, Fernet]:
    return _keyring_from(os.environ.get(ENV, ""))


def fernet() -> MultiFernet:
    return _keyring()[0]


def encrypt(text: str) -> str:
    """A token for `text` ('' stays '', so an empty field holds nothing to decrypt)."""
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            f"Case content cannot be decrypted: is its key missing from {ENV}?"
        ) from None


def opens(token: str) -> bool:
    """Whether `token` is a token that one of the keys decrypts (plain text is not)."""
    try:
        fernet().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def under_newest_key(token: str) -> bool:
    """Whether `token` was made with the newest key ('' counts: it holds nothing)."""
    if not token:
        return True
    try:
        _keyring()[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The same content under the newest key: `token` itself if it already is (so rotating
    twice changes nothing), otherwise re-encrypted. ImproperlyConfigured if no key opens it."""
    if under_newest_key(token):
        return token
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            f"Case content cannot be decrypted: is its key missing from {ENV}?"
        ) from None
