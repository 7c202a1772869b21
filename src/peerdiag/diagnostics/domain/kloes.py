"""Key lines of enquiry: added, edited, reordered and removed until the end of delivery day 1.

Before delivery they change freely. The overview meeting on day 1 exists to fine-tune the scope
(domain.md i.17), so they stay editable until the end of day 1 (midnight, Europe/London): each
such change is recorded in the audit trail as a day-1 change, which the sponsor's scope page
lists. After that they are locked.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, created_by

from ..enums import KLOES_EDITABLE, Stage
from ..models import Diagnostic, Kloe
from . import audit

LONDON = ZoneInfo("Europe/London")
DAY1_ACTION = "kloe_day1"  # the audit action of a change made on delivery day 1


def day1_ends(day1: date) -> datetime:
    """When delivery day 1 is over: midnight at its end, in England."""
    return datetime.combine(day1 + timedelta(days=1), time(0, 0), tzinfo=LONDON)


def on_day1(diagnostic: Diagnostic, now: datetime | None = None) -> bool:
    """Delivery has started and day 1 is not over yet: the fine-tuning window."""
    if diagnostic.stage != Stage.DELIVERY or diagnostic.day1 is None:
        return False
    return (now or timezone.now()) < day1_ends(diagnostic.day1)


def kloes_editable(diagnostic: Diagnostic, now: datetime | None = None) -> bool:
    """Before delivery, or on delivery day 1 until its end."""
    return diagnostic.stage in KLOES_EDITABLE or on_day1(diagnostic, now)


def _check_editable(diagnostic: Diagnostic, now: datetime | None = None) -> str:
    """The audit action for a change now ("kloe", or DAY1_ACTION on day 1); refused once
    locked."""
    if diagnostic.stage in KLOES_EDITABLE:
        return "kloe"
    if on_day1(diagnostic, now):
        return DAY1_ACTION
    if diagnostic.stage == Stage.DELIVERY and diagnostic.day1 is not None:
        raise DomainError(
            "Key lines of enquiry are fixed once delivery day 1 is over", field="kloes"
        )
    raise DomainError("Key lines of enquiry are fixed once delivery starts", field="kloes")


def _summary(action: str, text: str) -> str:
    return f"On delivery day 1: {text[0].lower()}{text[1:]}" if action == DAY1_ACTION else text


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError("Enter the key line of enquiry", field="text")
    if len(text) > 1000:
        raise DomainError("Keep a key line of enquiry under 1,000 characters", field="text")
    return text


def _theme(theme: str) -> str:
    theme = theme.strip()
    if len(theme) > 100:
        raise DomainError("Keep the theme under 100 characters", field="theme")
    return theme


def add_kloe(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    text: str,
    theme: str = "",
    now: datetime | None = None,
) -> Kloe:
    """Append a KLOE at the end of the list. Side effects: audit entry."""
    action = _check_editable(diagnostic, now)
    text, theme = _clean(text), _theme(theme)
    with transaction.atomic():
        last = diagnostic.kloes.aggregate(m=Max("order"))["m"] or 0
        kloe = Kloe.objects.create(
            diagnostic=diagnostic,
            text=text,
            theme=_theme(theme),
            order=last + 1,
            **created_by(by),
        )
        audit.record(
            diagnostic,
            by=by,
            action=action,
            summary=_summary(action, f"Added key line of enquiry {kloe.order}"),
            changes=[{"field": "kloe", "label": "Key line of enquiry", "old": "", "new": text}],
        )
    return kloe


def edit_kloe(
    kloe: Kloe,
    *,
    by: User | None,
    text: str,
    theme: str = "",
    version: int | None,
    now: datetime | None = None,
) -> Kloe:
    """Change a KLOE's words or theme.

    Refused with StaleEdit (nothing saved) when someone changed, moved or saved the KLOE after
    `version`. Side effects: audit entry when anything changed.
    """
    action = _check_editable(kloe.diagnostic, now)
    text, theme = _clean(text), _theme(theme)
    with transaction.atomic():
        claim(kloe, version=version, by=by, noun=f"key line of enquiry {kloe.order}")
        before = audit.snapshot(kloe, ["text", "theme"])
        kloe.text, kloe.theme = text, theme
        diff = audit.diff(before, audit.snapshot(kloe, ["text", "theme"]))
        if diff:
            kloe.save(update_fields=["text", "theme", "updated_at"])
            audit.record(
                kloe.diagnostic,
                by=by,
                action=action,
                summary=_summary(action, f"Changed key line of enquiry {kloe.order}"),
                changes=diff,
            )
    return kloe


def move_kloe(
    kloe: Kloe,
    *,
    by: User | None,
    to_order: int,
    version: int | None,
    now: datetime | None = None,
) -> Kloe:
    """Move a KLOE to position `to_order` (1-based), shifting the others.

    Refused with StaleEdit when someone changed the KLOE after `version`. Side effects: audit.
    """
    diagnostic = kloe.diagnostic
    action = _check_editable(diagnostic, now)
    with transaction.atomic():
        claim(kloe, version=version, by=by, noun=f"key line of enquiry {kloe.order}")
        kloe.order = Kloe.objects.values_list("order", flat=True).get(pk=kloe.pk)
        count = diagnostic.kloes.count()
        if not 1 <= to_order <= count:
            raise DomainError(f"Position must be between 1 and {count}", field="order")
        old = kloe.order
        if old == to_order:
            return kloe
        others = diagnostic.kloes.exclude(pk=kloe.pk)
        if to_order < old:
            others.filter(order__gte=to_order, order__lt=old).update(order=F("order") + 1)
        else:
            others.filter(order__gt=old, order__lte=to_order).update(order=F("order") - 1)
        kloe.order = to_order
        kloe.save(update_fields=["order", "updated_at"])
        audit.record(
            diagnostic,
            by=by,
            action=action,
            summary=_summary(action, f"Moved key line of enquiry from {old} to {to_order}"),
            changes=[
                {"field": "order", "label": "Position", "old": str(old), "new": str(to_order)}
            ],
        )
    return kloe


def change_kloe(
    kloe: Kloe,
    *,
    by: User | None,
    version: int | None,
    text: str | None = None,
    theme: str | None = None,
    order: int | None = None,
) -> Kloe:
    """Change any of a KLOE's words, theme and position in one go, all or nothing: what is not
    given keeps its value. Refused with StaleEdit (nothing saved) when someone changed the KLOE
    after `version`. Side effects: an audit entry for each kind of change made."""
    with transaction.atomic():
        if text is not None or theme is not None:
            kloe = edit_kloe(
                kloe,
                by=by,
                text=kloe.text if text is None else text,
                theme=kloe.theme if theme is None else theme,
                version=version,
            )
            version = kloe.version  # one request, one change: the move follows on from it
        if order is not None:
            kloe = move_kloe(kloe, by=by, to_order=order, version=version)
    return kloe


def remove_kloe(
    kloe: Kloe, *, by: User | None, version: int | None, now: datetime | None = None
) -> None:
    """Delete a KLOE and close the gap in the numbering.

    Refused with StaleEdit (nothing removed) when someone changed the KLOE after `version`.
    Side effects: audit entry.
    """
    diagnostic = kloe.diagnostic
    action = _check_editable(diagnostic, now)
    with transaction.atomic():
        claim(kloe, version=version, by=by, noun=f"key line of enquiry {kloe.order}")
        kloe.refresh_from_db(fields=["order", "text"])
        order, text = kloe.order, kloe.text
        kloe.delete()
        diagnostic.kloes.filter(order__gt=order).update(order=F("order") - 1)
        audit.record(
            diagnostic,
            by=by,
            action=action,
            summary=_summary(action, f"Removed key line of enquiry {order}"),
            changes=[{"field": "kloe", "label": "Key line of enquiry", "old": text, "new": ""}],
        )
