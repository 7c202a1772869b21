"""A diagnostic's outbox (issue 18): what the diagnostics app adds to peerdiag.common.outbox.

- Whose names may stay in a stored copy: the people on the peer team and in the council's
  roles, and the host council's name (`people_names`, registered from the app's `ready`).
  Every other first name is replaced when a copy is stored.
- `resend`: the PCM or an LGA administrator sends a stored invitation, reminder or survey link
  again, to the same recipients; the new e-mail is recorded (linked to the first) and the audit
  trail says who sent it again.
- Retention: on the destroy-by date (decision 9) the stored copies lose their text, calendar
  files, recipients and the server's answers; what kind went, when, and whether it was
  delivered stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.models import MailKind, MailStatus, OutboxMessage

from ..models import Diagnostic
from . import audit
from .retention import REMOVED, register_retention_step, sweep

RETENTION_STEP = "diagnostics.outbox"
PAGE_SIZE = 25


def people_names(diagnostic: Any) -> Iterable[str]:
    names = list(diagnostic.team.values_list("person__full_name", flat=True))
    names += list(diagnostic.council_roles.values_list("person__full_name", flat=True))
    if diagnostic.host_council_id:
        names.append(diagnostic.host_council.name)
    return names


def outbox_for(diagnostic: Diagnostic, *, kind: str = "") -> QuerySet[OutboxMessage]:
    """Every e-mail recorded for `diagnostic`, newest first, optionally of one kind."""
    qs = OutboxMessage.objects.filter(diagnostic=diagnostic).select_related(
        "sent_by", "resent_from"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-sent_at", "-pk")


def may_resend(row: OutboxMessage) -> bool:
    return row.kind in outbox.RESENDABLE and not row.body_withheld and bool(row.recipients)


def resend(row: OutboxMessage, *, by: User) -> OutboxMessage:
    """Send the stored copy of `row` again to the same recipients. Returns the new row (its
    status says whether it went). Side effects: the e-mail; an outbox row; an audit entry."""
    d = row.diagnostic
    with transaction.atomic():
        new = outbox.resend_copy(row, by=by)
        if d is not None:
            went = "sent again" if new.status == MailStatus.SENT else "could not be sent again"
            audit.record(
                d,
                by=by,
                action="email_resent",
                summary=f"{row.get_kind_display()} e-mail {row.code} {went} "
                f"to {len(new.recipients)} recipient(s)",
            )
    return new


# Retention -------------------------------------------------------------------------------


def destroy_stored_copies(diagnostic: Diagnostic) -> dict[str, int]:
    """Blank the stored text, calendar files and recipients of the diagnostic's e-mails."""
    rows = OutboxMessage.objects.filter(diagnostic=diagnostic).exclude(body=REMOVED)
    changed = 0
    for row in rows:
        row.body = REMOVED
        row.recipients = []
        row.reply_to = []
        row.attachments = [{**a, "content": None} for a in row.attachments]
        row.error = ""  # a server's answer often repeats the address
        row.save(
            update_fields=["body", "recipients", "reply_to", "attachments", "error", "updated_at"]
        )
        changed += 1
    return {"stored e-mails": changed}


def destroy_due_stored_copies(today: date, by: User | None) -> list[tuple[str, str]]:
    ids = set(
        OutboxMessage.objects.filter(diagnostic__isnull=False)
        .exclude(body=REMOVED)
        .values_list("diagnostic_id", flat=True)
    )
    return sweep(
        ids,
        today=today,
        by=by,
        what="stored copies of e-mails",
        action="outbox_destroyed",
        destroy=destroy_stored_copies,
    )


def register() -> None:
    outbox.register_known_names(people_names)
    register_retention_step(destroy_due_stored_copies, name=RETENTION_STEP)


__all__ = [
    "PAGE_SIZE",
    "MailKind",
    "destroy_stored_copies",
    "may_resend",
    "outbox_for",
    "people_names",
    "register",
    "resend",
]
