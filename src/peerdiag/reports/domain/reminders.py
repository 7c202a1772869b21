"""The written feedback's clock: due one calendar month after the feedback meeting (day 7).

`send_reminders(day)` e-mails the PCM and the lead peer 14 and 3 calendar days before the due
date, each reminder once per diagnostic (WrittenFeedback.reminders_sent), until the written
feedback is issued. `overdue_written(day)` lists what is past its due date and not issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction

from peerdiag.common import outbox
from peerdiag.common.models import MailKind
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.domain.keydates import written_feedback_due
from peerdiag.diagnostics.enums import ENDED, Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember

from ..enums import REMINDER_DAYS, WrittenState
from ..models import WrittenFeedback
from .content import written_for

# Stages where nobody is writing the feedback, so no reminder goes.
QUIET = sorted({*ENDED, Stage.POSTPONED})


@dataclass(frozen=True)
class SentReminder:
    reference: str
    days_before: int
    due_on: date
    to: tuple[str, ...]


@dataclass(frozen=True)
class Overdue:
    diagnostic: Diagnostic
    due_on: date
    days_overdue: int


def _open_unissued() -> list[Diagnostic]:
    return list(
        Diagnostic.objects.filter(day1__isnull=False, written_feedback_issued_on__isnull=True)
        .exclude(stage__in=QUIET)
        .exclude(written_feedback__state=WrittenState.ISSUED)
        .order_by("reference")
    )


def days_left(diagnostic: Diagnostic, today: date) -> int | None:
    """Calendar days until the written feedback is due (negative once overdue)."""
    if diagnostic.day1 is None:
        return None
    return (written_feedback_due(diagnostic.day1) - today).days


def overdue_written(today: date) -> list[Overdue]:
    """Open diagnostics whose written feedback is past its due date and not issued, most
    overdue first. It is overdue from the day after the due date."""
    out = []
    for d in _open_unissued():
        assert d.day1 is not None
        due = written_feedback_due(d.day1)
        if due < today:
            out.append(Overdue(d, due, (today - due).days))
    return sorted(out, key=lambda o: (-o.days_overdue, o.diagnostic.reference))


def _recipients(diagnostic: Diagnostic) -> tuple[str, ...]:
    members = TeamMember.objects.filter(
        diagnostic=diagnostic, role__in=[TeamRole.PEER_CHALLENGE_MANAGER, TeamRole.LEAD_PEER]
    ).select_related("person")
    return tuple(sorted({m.person.email for m in members if m.person.email}))


def _sent(written: WrittenFeedback) -> set[int]:
    return {int(n) for n in written.reminders_sent.split(",") if n.strip().isdigit()}


def _body(d: Diagnostic, due: date, days: int) -> str:
    when = f"{due:%A} {due.day} {due:%B %Y}"
    return "\n".join(
        [
            f"The written feedback for {d.reference} ({d.title}) is due on {when}, in {days} days.",
            "",
            "It still has to pass the PCM check and the council's factual-accuracy check "
            "before it is issued, so leave time for both.",
            "",
            f"{settings.SITE_URL}/diagnostics/{d.reference}/written-feedback/",
        ]
    )


def send_reminders(today: date) -> list[SentReminder]:
    """E-mail the PCM and lead peer of each diagnostic whose written feedback falls due 14 or
    3 days from `today` and is not issued. Each reminder goes once.

    Returns what was sent. Side effects: e-mail; WrittenFeedback.reminders_sent; an audit
    entry per reminder.
    """
    out = []
    for d in _open_unissued():
        assert d.day1 is not None
        due = written_feedback_due(d.day1)
        days = (due - today).days
        if days not in REMINDER_DAYS:
            continue
        with transaction.atomic():
            written = WrittenFeedback.objects.select_for_update().get(pk=written_for(d).pk)
            sent = _sent(written)
            if days in sent:
                continue
            to = _recipients(d)
            if not to:
                continue
            written.reminders_sent = ",".join(str(n) for n in sorted(sent | {days}, reverse=True))
            written.save(update_fields=["reminders_sent", "updated_at"])
            audit.record(
                d,
                by=None,
                action="written_feedback",
                summary=f"Reminded the PCM and lead peer: written feedback due in {days} days",
            )
        outbox.send(
            kind=MailKind.FEEDBACK_REMINDER,
            subject=f"{d.reference}: written feedback due in {days} days",
            body=_body(d, due, days),
            to=list(to),
            diagnostic=d,
        )
        out.append(SentReminder(d.reference, days, due, to))
    return out


def due_on(diagnostic: Diagnostic) -> date | None:
    return written_feedback_due(diagnostic.day1) if diagnostic.day1 else None


__all__ = ["Overdue", "SentReminder", "days_left", "due_on", "overdue_written", "send_reminders"]
