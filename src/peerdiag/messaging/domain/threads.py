"""The messages thread of a diagnostic (issue 17): the council and the LGA team write to each
other here, so questions stop living in e-mail.

- No children's data: every message (and every reason for hiding one) goes through the case
  list's name and date check (peerdiag.common.childdata) before it is saved. A refusal says
  why but never repeats the words it caught. Words of the names of the people on this
  diagnostic and of the host council's name are allowed, and so are a few everyday words that
  are also first names ("will", "may", "hope"...), since a message is prose, not a table cell.
- Each message e-mails the other side (the council's → the PCM and the lead peer; the LGA
  team's → the sponsor and the organiser) with its text and a link back.
- Its author may change a message for EDIT_MINUTES after posting it (versioned: a change made
  from an older version is refused). Nobody deletes a message; the PCM may hide one, with a
  reason, kept in the audit trail.
- The thread reads oldest first, newest last, PAGE_SIZE to a page; each person's read mark
  gives the unread count on the diagnostic's overview.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.childdata import has_forename, looks_like_date, words
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.versioning import claim, created_by, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.enums import CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import Diagnostic

from ..models import Message, Side, ThreadRead
from ..rules import is_council_contact, is_lga_side

log = logging.getLogger(__name__)

MAX_TEXT = 5000
MAX_REASON = 500
EDIT_MINUTES = 15
PAGE_SIZE = 50
NOUN = "this message"

# Everyday words that are also in the first-name list; in prose they are nearly always the
# word, not a name ("We will send...", "in May").
EVERYDAY = frozenset(
    [
        "will",
        "may",
        "mark",
        "hope",
        "grant",
        "frank",
        "rich",
        "major",
        "miles",
        "chance",
        "page",
        "art",
        "son",
        "max",
        "van",
        "drew",
        "august",
        "lane",
        "king",
        "victor",
        "bill",
        "joy",
        "grace",
        "dawn",
        "june",
        "april",
        "summer",
        "don",
        "guy",
        "pat",
        "ray",
        "sue",
        "chase",
        "dale",
        "glen",
        "dean",
        "earl",
        "ken",
        "jack",
        "holly",
        "ivy",
        "lily",
        "amber",
        "ruby",
        "pearl",
        "faith",
        "star",
        "sunny",
        "penny",
        "crystal",
        "reed",
        "lee",
        "wade",
        "cliff",
        "bud",
        "ned",
        "sandy",
        "hunter",
        "harmony",
        "willow",
        "misty",
    ]
)

WARNING = (
    "Never write anything that could identify a child: no names, dates of birth or case "
    "details. Use the council's case reference if you must refer to a case."
)


# Who is on which side ---------------------------------------------------------------------


def side_of(user: Any, diagnostic: Diagnostic) -> str | None:
    """'lga', 'council', or None for someone who may not use the thread."""
    if is_lga_side(user, diagnostic):
        return Side.LGA
    if is_council_contact(user, diagnostic):
        return Side.COUNCIL
    return None


def recipients(diagnostic: Diagnostic, side: str) -> list[str]:
    """The other side's addresses: a council message goes to the PCM and the lead peer, an LGA
    team message to the sponsor and the organiser."""
    if side == Side.COUNCIL:
        people = [
            m.person
            for m in diagnostic.team.filter(
                role__in=[TeamRole.PEER_CHALLENGE_MANAGER, TeamRole.LEAD_PEER]
            ).select_related("person__user")
        ]
    else:
        people = [
            r.person
            for r in diagnostic.council_roles.filter(
                role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
            ).select_related("person__user")
        ]
    out = set()
    for p in people:
        email = p.email or (p.user.email if p.user is not None else "")
        if email:
            out.add(email)
    return sorted(out)


# The check ----------------------------------------------------------------------------------


class ChildDataRefused(DomainError):
    """Text refused because it could identify a child: pages must not show it back."""


def allowed_words(diagnostic: Diagnostic) -> frozenset[str]:
    """Words of the names of the people on this diagnostic (team and council roles) and of the
    host council's name, and the everyday words above."""
    names = list(diagnostic.team.values_list("person__full_name", flat=True))
    names += list(diagnostic.council_roles.values_list("person__full_name", flat=True))
    if diagnostic.host_council_id:
        names.append(diagnostic.host_council.name)
    return EVERYDAY | frozenset(w for n in names for w in words(n or ""))


def child_data_problem(text: str, *, allowed: frozenset[str]) -> str | None:
    """Why `text` may not be saved (never repeating what it caught), or None."""
    if looks_like_date(text):
        return (
            "holds something that looks like a date. A date of birth must never be written "
            "here: for a meeting, write the day and the time instead (for example "
            "“Tuesday at 2pm” or “delivery day 3”)"
        )
    if has_forename(text, allowed=allowed):
        return (
            "holds a word that is a common first name. Never name a child: use the council's "
            "case reference. If you meant someone working on the diagnostic, use their role "
            "(the sponsor, the lead peer)"
        )
    return None


def _checked(text: str, diagnostic: Diagnostic, *, field: str, noun: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(f"Enter your {noun}", field=field)
    if len(text) > limit:
        raise DomainError(
            f"Your {noun} can be up to {limit:,} characters; it has {len(text):,}", field=field
        )
    problem = child_data_problem(text, allowed=allowed_words(diagnostic))
    if problem:
        raise ChildDataRefused(f"Your {noun} was not saved: it {problem}", field=field)
    return text


# Writing ------------------------------------------------------------------------------------


def post_message(diagnostic: Diagnostic, *, by: User, text: str) -> Message:
    """Save a message from `by` and e-mail the other side."""
    side = side_of(by, diagnostic)
    if side is None:
        raise DomainError("Only the council's sponsor and organiser and the LGA team write here")
    text = _checked(text, diagnostic, field="text", noun="message", limit=MAX_TEXT)
    with transaction.atomic():
        message = Message.objects.create(
            diagnostic=diagnostic, author=by, side=side, text=text, **created_by(by)
        )
        record(
            diagnostic,
            by=by,
            action="message_posted",
            summary=f"Message {message.code} posted by {Side(side).label.lower()}",
        )
        _mark(diagnostic, by, message.pk)
    notify(message)
    return message


def may_edit(message: Message, user: Any, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        message.author_id is not None
        and message.author_id == getattr(user, "pk", None)
        and message.hidden_at is None
        and now - message.created_at <= timedelta(minutes=EDIT_MINUTES)
    )


def edit_message(
    message: Message, *, by: User, text: str, version: int | None, now: datetime | None = None
) -> Message:
    """Change a message: its author only, within EDIT_MINUTES of posting, from the version the
    page showed (StaleEdit otherwise, nothing saved). Not e-mailed again."""
    if message.author_id != by.pk:
        raise DomainError("Only the person who wrote a message can change it")
    if message.hidden_at is not None:
        raise DomainError("This message has been hidden and can no longer be changed")
    if not may_edit(message, by, now=now):
        raise DomainError(
            f"A message can be changed only in the {EDIT_MINUTES} minutes after it is sent: "
            "write a new message instead"
        )
    text = _checked(text, message.diagnostic, field="text", noun="message", limit=MAX_TEXT)
    with transaction.atomic():
        claim(message, version=version, by=by, noun=NOUN)
        message.text = text
        message.edited_at = timezone.now()
        message.save(update_fields=with_version_fields(["text", "edited_at", "updated_at"]))
        record(
            message.diagnostic,
            by=by,
            action="message_edited",
            summary=f"Message {message.code} changed by its author",
        )
    return message


def hide_message(message: Message, *, by: User, reason: str, version: int | None) -> Message:
    """The PCM hides a message from the thread, giving a reason (kept in the audit trail)."""
    if not by.has_perm("messaging.hide_message", message.diagnostic):
        raise DomainError("Only the peer challenge manager can hide a message")
    if message.hidden_at is not None:
        raise DomainError("This message is already hidden")
    reason = _checked(reason, message.diagnostic, field="reason", noun="reason", limit=MAX_REASON)
    with transaction.atomic():
        claim(message, version=version, by=by, noun=NOUN)
        message.hidden_at = timezone.now()
        message.hidden_by = by
        message.hidden_reason = reason
        message.save(
            update_fields=with_version_fields(
                ["hidden_at", "hidden_by", "hidden_reason", "updated_at"]
            )
        )
        record(
            message.diagnostic,
            by=by,
            action="message_hidden",
            summary=f"Message {message.code} hidden: {reason}",
            changes=[
                {"field": "hidden_reason", "label": "Reason", "old": "", "new": reason},
            ],
        )
    return message


# E-mail ------------------------------------------------------------------------------------


def thread_url(diagnostic: Diagnostic) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("web:messages", args=[diagnostic.reference])


def notify(message: Message) -> bool:
    """E-mail the other side; True if sent. The text goes only if it passes the check now."""
    d = message.diagnostic
    to = recipients(d, message.side)
    to = [a for a in to if not (message.author and a == message.author.email)]
    if not to:
        return False
    sender = "the council" if message.side == Side.COUNCIL else "the LGA team"
    safe = child_data_problem(message.text, allowed=allowed_words(d)) is None
    body = f"There is a new message from {sender} on diagnostic {d.reference} ({d.title}).\n\n"
    if safe:
        body += f"{message.text}\n\n"
    body += f"Read it and reply here:\n{thread_url(d)}\n"
    try:
        # The outbox keeps the notice, not the message: that stays in the thread.
        outbox.send(
            kind=MailKind.MESSAGE_NOTICE,
            subject=f"{d.reference}: new message from {sender}",
            body=body,
            to=to,
            diagnostic=d,
            by=message.author,
            stored_body=body.replace(f"{message.text}\n\n", "(The message is in the thread.)\n\n")
            if safe
            else body,
        )
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("message %s not e-mailed: %s", message.code, exc)
        return False
    return True


# Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadPage:
    messages: list[Message]
    number: int
    pages: int
    total: int


def thread_page(diagnostic: Diagnostic, page: int | None = None) -> ThreadPage:
    """One page of the thread, oldest first; without `page`, the last (newest). Two queries."""
    total = Message.objects.filter(diagnostic=diagnostic).count()
    pages = max(1, -(-total // PAGE_SIZE))
    number = pages if page is None else min(max(1, page), pages)
    start = (number - 1) * PAGE_SIZE
    items = list(
        Message.objects.filter(diagnostic=diagnostic)
        .select_related("author", "hidden_by")
        .order_by("created_at", "pk")[start : start + PAGE_SIZE]
    )
    for m in items:
        m.diagnostic = diagnostic
    return ThreadPage(items, number, pages, total)


def _mark(diagnostic: Diagnostic, user: Any, upto: int) -> None:
    """One UPDATE that never moves the mark backwards; an INSERT the first time."""
    mine = ThreadRead.objects.filter(diagnostic=diagnostic, user_id=user.pk)
    if not mine.update(last_read=Greatest(F("last_read"), Value(upto))):
        ThreadRead.objects.get_or_create(
            diagnostic=diagnostic, user_id=user.pk, defaults={"last_read": upto}
        )


def mark_read(diagnostic: Diagnostic, user: Any, upto: int) -> None:
    """Remember that `user` has read the thread up to message id `upto` (never backwards)."""
    with transaction.atomic():
        _mark(diagnostic, user, upto)


def unread_count(diagnostic: Diagnostic, user: Any) -> int:
    """Visible messages by others that `user` has not read yet. One query."""
    seen = ThreadRead.objects.filter(diagnostic=diagnostic, user_id=user.pk).values("last_read")
    return (
        Message.objects.filter(diagnostic=diagnostic, hidden_at__isnull=True)
        .filter(pk__gt=Coalesce(Subquery(seen), Value(0)))
        .exclude(author_id=user.pk)
        .count()
    )
