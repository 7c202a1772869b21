"""Saving what several people can edit without losing anybody's words.

Every editable model carries `Versioned` (a version number, who changed it and when). A page or
API call that edits it sends back the version it showed; the domain function calls `claim()`
inside its transaction, which moves the row to the next version only if it is still at the one
the person saw. If someone else saved in between, `claim()` raises `StaleEdit` and nothing is
written: the page then shows what is saved now beside what the person typed (kept, unsaved), and
the API answers 409 with the current version. Nothing is merged silently and nothing is
overwritten unseen.

`claim()` is one conditional UPDATE (`... WHERE pk = %s AND version = %s`), so it is safe
between processes on PostgreSQL (the second writer waits for the first's row lock, then finds the
version moved on) and on SQLite (one writer at a time).

Findings, recommendations and written feedback sections also keep every saved state as a
`Revision` (`record_revision`), so a past wording can be read and put back. We keep our own small
model rather than django-reversion or django-pghistory: pghistory needs PostgreSQL triggers and we
also run on SQLite, and reversion would snapshot whole objects (foreign keys, every field) when we
want only the text a person wrote, readable in a template and covered by the personal-data
inventory like every other field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils import timezone

from .errors import DomainError
from .models import Revision, Versioned

# Internal writes (the demo loader, retention, commands) pass this instead of a version: the row
# still moves to its next version, so a page open elsewhere learns of the change, but nothing is
# compared. Pages and the API always pass the version they showed.
UNCHECKED: int | None = None


def _who(user: Any) -> str:
    if user is None:
        return "Someone"
    name = (getattr(user, "get_full_name", lambda: "")() or "").strip()
    return name or getattr(user, "email", "") or "Someone"


def when_text(at: datetime | None) -> str:
    if at is None:
        return "a time not recorded"
    local = timezone.localtime(at)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


class StaleEdit(DomainError):
    """A save based on a version that is no longer the latest. Carries the object as it is saved
    now, so the page can show it beside the person's own (unsaved) words."""

    def __init__(self, current: Versioned, *, noun: str = "this") -> None:
        self.current = current
        self.current_version = current.version
        self.changed_by = current.changed_by
        self.changed_by_name = _who(current.changed_by)
        self.changed_at = current.changed_at
        super().__init__(
            f"{self.changed_by_name} changed {noun} at {when_text(current.changed_at)}, after "
            "you opened it, so your changes have not been saved. What they saved is now in the "
            "form; your own text is shown beside it. Copy across what you want to keep and save "
            "again",
            field="version",
        )


def _actor(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def claim(obj: Versioned, *, version: int | None, by: Any, noun: str = "this") -> None:
    """Move `obj` to its next version if it is still at `version`; call inside the transaction
    that writes the change, before writing it.

    Raises StaleEdit (nothing written) when someone saved since. `version=UNCHECKED` skips the
    comparison for internal writes. Sets `obj.version`, `changed_by` and `changed_at`, which the
    caller's save then writes again unchanged.
    """
    model = type(obj)
    now = timezone.now()
    actor = _actor(by)
    rows = model._default_manager.filter(pk=obj.pk)  # type: ignore[attr-defined]
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1, changed_by=actor, changed_at=now):
        current = (
            model._default_manager.select_related("changed_by")  # type: ignore[attr-defined]
            .filter(pk=obj.pk)
            .first()
        )
        if current is None:
            raise DomainError(f"{noun[0].upper()}{noun[1:]} has been deleted")
        raise StaleEdit(current, noun=noun)
    obj.version = (
        version + 1
        if version is not None
        else model._default_manager.values_list("version", flat=True).get(pk=obj.pk)  # type: ignore[attr-defined]
    )
    obj.changed_by = actor
    obj.changed_at = now


def created_by(by: Any) -> dict[str, Any]:
    """Keyword arguments for `create()`: version 1 was made by `by`, now."""
    return {"changed_by": _actor(by), "changed_at": timezone.now()}


VERSION_FIELDS = ["version", "changed_by", "changed_at"]


def with_version_fields(fields: Iterable[str]) -> list[str]:
    """`update_fields` for a save after `claim()`."""
    return [*fields, *VERSION_FIELDS]


# --- History ----------------------------------------------------------------------------------


def record_revision(
    obj: Versioned, *, data: dict[str, Any], by: Any, restored_from: int | None = None
) -> Revision:
    """Keep `data` (the object's editable text as just saved) as the revision of obj.version.
    Call in the same transaction as the save."""
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        version=obj.version,
        data=data,
        saved_by=_actor(by),
        saved_at=obj.changed_at or timezone.now(),
        restored_from=restored_from,
    )


def revisions_of(obj: models.Model) -> list[Revision]:
    """Every kept revision of `obj`, newest first, with who saved each."""
    return list(
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        )
        .select_related("saved_by")
        .order_by("-version", "-pk")
    )


def revision_of(obj: models.Model, version: int) -> Revision:
    found = (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            version=version,
        )
        .order_by("-pk")
        .first()
    )
    if found is None:
        raise DomainError("There is no such earlier version", field="version")
    return found
