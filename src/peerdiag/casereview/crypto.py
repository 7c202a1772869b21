"""Encryption of case content at rest: Fernet tokens under keys from the environment.

PEERDIAG_CASE_KEYS holds comma-separated Fernet keys, newest first. New content is encrypted
with the first; any of them decrypts, so a new key can be put in front and the old content
re-encrypted at leisure with `peerdiag casereview rotate-keys`, after which the old key can go.
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
def _keys_from(raw: str) -> MultiFernet:
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        if not (settings.DEBUG or settings.SECRET_KEY == DEV_SECRET):
            raise ImproperlyConfigured(f"{ENV} must be set to at least one Fernet key")
        return MultiFernet([Fernet(_dev_key())])
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError:
        raise ImproperlyConfigured(
            f"{ENV} must hold Fernet keys (make one with `python -c 'from cryptography.fernet "
            "import Fernet; print(Fernet.generate_key().decode())'`)"
        ) from None


def fernet() -> MultiFernet:
    return _keys_from(os.environ.get(ENV, ""))


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


def rotate(token: str) -> str:
    """The same content re-encrypted under the newest key."""
    if not token:
        return ""
    return fernet().rotate(token.encode()).decode()
