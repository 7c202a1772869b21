"""Telling a real conflict from a repeated save.

A save refused as stale (`StaleEdit`) is a real conflict only when what is stored differs from
what the person sent, or someone else stored it. When the same person's own earlier request
already stored exactly this (a double click, a form sent again after a slow answer), the save
has in effect happened: the page says so instead of raising a false alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit

OUT_OF_DATE = "This form is out of date: open the page again and make your change"


def posted_version(request: Any, message: str = OUT_OF_DATE) -> int:
    """The version a confirm page or a button sent back; DomainError(message) if it sent none
    or something that is not a version."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    if version < 1:
        raise DomainError(message, field="version")
    return version


def _same(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def already_saved(
    error: StaleEdit, user: Any, *, saved: Mapping[str, Any], sent: Mapping[str, Any]
) -> bool:
    """Whether `user` made the newer version and it holds what they sent now (field by field,
    ignoring surrounding spaces, which the domain strips)."""
    if error.changed_by is None or getattr(user, "pk", None) != error.changed_by.pk:
        return False
    return all(_same(saved.get(name)) == _same(value) for name, value in sent.items())
