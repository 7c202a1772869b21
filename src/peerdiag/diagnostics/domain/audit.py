"""The audit trail: who changed what, field by field. Every domain write calls `record`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone

from peerdiag.accounts.models import User

from ..models import AuditEntry, Diagnostic


def _display(obj: models.Model, field: models.Field[Any, Any]) -> str:
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(field, models.ForeignKey):
        return str(getattr(obj, field.name))
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return value.name if hasattr(value, "name") else str(value)
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Field name → (label, displayed value), for comparing before and after a change."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        assert isinstance(field, models.Field)
        out[name] = (str(field.verbose_name).capitalize(), _display(obj, field))
    return out


def diff(
    before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]
) -> list[dict[str, str]]:
    return [
        {"field": name, "label": label, "old": before.get(name, ("", ""))[1], "new": value}
        for name, (label, value) in after.items()
        if before.get(name, ("", ""))[1] != value
    ]


def record(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    action: str,
    summary: str,
    changes: list[dict[str, str]] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        diagnostic=diagnostic,
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        summary=summary[:300],
        changes=changes or [],
    )
