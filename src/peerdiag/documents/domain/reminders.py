"""Reminders to the council about key documents it has not supplied.

`reminders_due` is pure: given requests and a date it says which reminders fall due that day
(a few working days before the due date, and the working day after it). `send_reminders`
e-mails each diagnostic's council organiser one message listing them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from peerdiag.common import outbox
from peerdiag.common.models import MailKind
from peerdiag.common.workdays import add_working_days
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, CouncilRoleKind
from peerdiag.diagnostics.models import CouncilRole

from ..enums import OUTSTANDING
from ..models import DocumentRequest

BEFORE_DUE = 5  # working days before the due date
AFTER_DUE = 1  # working days after it


@dataclass(frozen=True)
class Reminder:
    kind: str  # "due_soon" or "overdue"
    code: str
    title: str
    due_on: date


def reminders_due(requests: Iterable[Any], today: date) -> list[Reminder]:
    """The reminders that fall due on `today` for requests still waiting on the council."""
    out = []
    for r in requests:
        if r.status not in OUTSTANDING or r.due_on is None:
            continue
        if today == add_working_days(r.due_on, -BEFORE_DUE):
            out.append(Reminder("due_soon", r.code, r.title, r.due_on))
        elif today == add_working_days(r.due_on, AFTER_DUE):
            out.append(Reminder("overdue", r.code, r.title, r.due_on))
    return out


def _body(reference: str, title: str, items: list[Reminder]) -> str:
    lines = [f"Key documents for {reference} ({title}):", ""]
    for item in items:
        when = f"{item.due_on:%A} {item.due_on.day} {item.due_on:%B %Y}"
        if item.kind == "overdue":
            lines.append(f"- {item.title}: was due on {when} and has not arrived")
        else:
            lines.append(f"- {item.title}: due on {when}")
    lines += ["", f"Upload them at {settings.SITE_URL}/diagnostics/{reference}/documents/"]
    return "\n".join(lines)


def send_reminders(today: date) -> int:
    """E-mail each open diagnostic's council organiser the reminders due today.

    Returns the number of e-mails sent. Side effects: e-mail; an audit entry per diagnostic.
    """
    asks = (
        DocumentRequest.objects.filter(status__in=sorted(OUTSTANDING), due_on__isnull=False)
        .exclude(diagnostic__stage__in=sorted(ENDED))
        .select_related("diagnostic")
    )
    by_diagnostic: dict[int, list[DocumentRequest]] = defaultdict(list)
    for ask in asks:
        by_diagnostic[ask.diagnostic_id].append(ask)
    organisers = {
        role.diagnostic_id: role.person
        for role in CouncilRole.objects.filter(
            diagnostic_id__in=list(by_diagnostic), role=CouncilRoleKind.ORGANISER
        ).select_related("person")
    }
    sent = 0
    for diagnostic_id, group in by_diagnostic.items():
        items = reminders_due(group, today)
        organiser = organisers.get(diagnostic_id)
        if not items or organiser is None or not organiser.email:
            continue
        d = group[0].diagnostic
        outbox.send(
            kind=MailKind.DOCUMENT_REMINDER,
            subject=f"{d.reference}: key documents reminder",
            body=_body(d.reference, d.title, items),
            to=[organiser.email],
            diagnostic=d,
        )
        audit.record(
            d,
            by=None,
            action="document",
            summary=f"Reminded {organiser} about {len(items)} key document(s)",
        )
        sent += 1
    return sent
