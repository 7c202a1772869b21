"""Telling a real conflict from a repeated save.

A save refused as stale (`StaleEdit`) is a real conflict only when what is stored differs from
what the person sent, or someone else stored it. When the same person's own earlier request
already stored exactly this (a double click, a form sent again after a slow answer), the save
has in effect happened: the page says so instead of raising a false alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peerdiag.common.versioning import StaleEdit


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
