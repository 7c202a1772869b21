"""The one way the service sends e-mail about a diagnostic, and its record (the outbox).

`send(...)` (or `send_message(msg, ...)` for an `EmailMessage` already built, with calendar
attachments) sends through Django's mail API and writes an `OutboxMessage` row: to whom, when,
which kind, and whether it went. A failure is recorded with the mail server's answer and then
raised again, so a caller that used to swallow SMTP errors still does (with its own `except`),
and one that let them through still does.

What is stored is scrubbed (`scrub`): a word that is a common first name becomes "[name]",
unless it belongs to the name of someone working on the diagnostic (the diagnostics app
registers who that is with `register_known_names`) or is an everyday word; a line that speaks
of a birth and holds a date is dropped. Web and e-mail addresses are left whole so a stored copy
can be sent again. A caller can store a different text from the one sent (`stored_body`, for
an e-mail that quotes something written elsewhere) or none at all (`withhold_body`, for a
safeguarding concern).

`resend_copy(row, by=...)` sends a stored copy again to the same recipients and records a new
row linked to the first one. Only the kinds in RESENDABLE can be sent again.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core import mail
from django.utils import timezone

from . import childdata
from .errors import DomainError
from .models import MailKind, MailStatus, OutboxMessage

log = logging.getLogger(__name__)

# Invitations, reminders and survey links: what someone may have missed and ask for again.
RESENDABLE = frozenset(
    {
        MailKind.INVITATION,
        MailKind.SCOPING_INVITE,
        MailKind.SURVEY_LINK,
        MailKind.DOCUMENT_REMINDER,
        MailKind.FEEDBACK_REMINDER,
    }
)

NAME = "[name]"
DROPPED_LINE = "[a line that mentioned a birth date was removed]"
WITHHELD = "(Not kept: this kind of e-mail is recorded without its text.)"

# Everyday words that are also in the first-name list; in a service's e-mail they are the word.
_EVERYDAY_WORDS = """
    will may mark hope grant frank rich major miles chance page art son max van drew
    august lane king victor bill joy grace dawn june april summer don guy pat ray sue
    chase dale glen dean earl ken jack holly ivy lily amber ruby pearl faith star sunny
    penny crystal reed lee wade cliff sunday january kit royal hunter scott clay gay
    sharon rose brook brooke hazel norman long case sky river storm early
"""
EVERYDAY = frozenset(_EVERYDAY_WORDS.split())

# A function that, given a diagnostic, gives the names of the people working on it.
NamesProvider = Callable[[Any], Iterable[str]]
_providers: list[NamesProvider] = []


def register_known_names(provider: NamesProvider) -> None:
    """Let an app above say whose names may stay in a stored copy (see the module doc)."""
    if provider not in _providers:
        _providers.append(provider)


def known_words(diagnostic: Any) -> frozenset[str]:
    if diagnostic is None:
        return EVERYDAY
    names: list[str] = []
    for provider in _providers:
        names.extend(n for n in provider(diagnostic) if n)
    return EVERYDAY | frozenset(w for n in names for w in childdata.words(n))


# Scrubbing -----------------------------------------------------------------------------------

# Left whole: links, mailto: addresses and e-mail addresses.
_KEEP = re.compile(r"(?:https?://|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BIRTH = re.compile(r"(?<![^\W\d_])(?:born|dob|d\.o\.b|birth|birthday|yob)(?![^\W\d_])", re.I)


def _scrub_words(text: str, allowed: frozenset[str]) -> str:
    names = childdata.forenames()

    def one(match: re.Match[str]) -> str:
        out = []
        for part in childdata.split_case(match.group()):
            found = [w for w in childdata.words(part) if w in names and w not in allowed]
            out.append(NAME if found else part)
        return "".join(out)

    return childdata.LETTERS.sub(one, text)


def _scrub_line(line: str, allowed: frozenset[str]) -> str:
    if _BIRTH.search(line) and childdata.looks_like_date(line):
        return DROPPED_LINE
    out, last = [], 0
    for m in _KEEP.finditer(line):
        out.append(_scrub_words(line[last : m.start()], allowed))
        out.append(m.group())
        last = m.end()
    out.append(_scrub_words(line[last:], allowed))
    return "".join(out)


def scrub(text: str, *, allowed: frozenset[str] = EVERYDAY) -> str:
    """`text` without first names (other than `allowed` words) or lines with a birth date."""
    lines = text.split("\n")
    return "\n".join(_scrub_line(line, allowed) for line in lines)


def _fold(line: str) -> str:
    """An iCalendar content line folded at 75 octets (RFC 5545 3.1)."""
    out: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += b
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def scrub_calendar(content: str, *, allowed: frozenset[str] = EVERYDAY) -> str:
    """An .ics file's text scrubbed line by line: unfolded first, so a name split by a fold is
    still seen, then folded again."""
    unfolded = re.sub(r"\r?\n[ \t]", "", content)
    lines = [line for line in re.split(r"\r?\n", unfolded) if line]
    return "".join(_fold(_scrub_line(line, allowed)) + "\r\n" for line in lines)


# Sending -------------------------------------------------------------------------------------


def _attachments(msg: mail.EmailMessage, allowed: frozenset[str]) -> list[dict[str, Any]]:
    kept = []
    for a in msg.attachments:
        if isinstance(a, tuple):
            name, content, mimetype = a[0], a[1], a[2] or ""
        else:  # a MIME part
            name, content, mimetype = a.get_filename() or "", None, a.get_content_type()
        stored = None
        if mimetype.startswith("text/calendar") and content is not None:
            text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
            stored = scrub_calendar(text, allowed=allowed)
        kept.append({"name": name or "", "mimetype": mimetype, "content": stored})
    return kept


def _deliver(
    msg: mail.EmailMessage,
    *,
    kind: MailKind | str,
    diagnostic: Any,
    by: Any,
    stored_body: str | None,
    withhold_body: bool,
    resent_from: OutboxMessage | None,
) -> tuple[OutboxMessage, BaseException | None]:
    status, error = MailStatus.SENT, ""
    failure: BaseException | None = None
    try:
        msg.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        status, error, failure = MailStatus.FAILED, f"{type(exc).__name__}: {exc}", exc
        log.warning("%s e-mail not sent: %s", kind, error)
    allowed = known_words(diagnostic)
    text = msg.body if stored_body is None else stored_body
    row = OutboxMessage.objects.create(
        diagnostic=diagnostic,
        kind=str(kind),
        recipients=list(msg.to) + list(msg.cc) + list(msg.bcc),
        from_email=msg.from_email or "",
        reply_to=list(msg.reply_to),
        subject=scrub(str(msg.subject), allowed=allowed)[:300],
        body="" if withhold_body else scrub(str(text), allowed=allowed),
        body_withheld=withhold_body,
        attachments=[] if withhold_body else _attachments(msg, allowed),
        sent_at=timezone.now(),
        status=status,
        error=error[:2000],
        sent_by=by if getattr(by, "pk", None) else None,
        resent_from=resent_from,
    )
    return row, failure


def send_message(
    msg: mail.EmailMessage,
    *,
    kind: MailKind | str,
    diagnostic: Any = None,
    by: Any = None,
    stored_body: str | None = None,
    withhold_body: bool = False,
) -> OutboxMessage:
    """Send `msg` and record it. An SMTP (or network) failure is recorded, then raised again.

    `stored_body` replaces the body in the stored copy (still scrubbed); `withhold_body` keeps
    no body at all. `by` is whoever caused the e-mail (None for the daily jobs)."""
    row, failure = _deliver(
        msg,
        kind=kind,
        diagnostic=diagnostic,
        by=by,
        stored_body=stored_body,
        withhold_body=withhold_body,
        resent_from=None,
    )
    if failure is not None:
        raise failure
    return row


def send_messages(
    messages: Iterable[mail.EmailMessage], *, kind: MailKind | str, diagnostic: Any = None
) -> list[OutboxMessage]:
    """Send several messages (each recorded); a failed one does not stop the others, and the
    first failure is raised again once all are tried."""
    rows, first = [], None
    connection = mail.get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        connection = None  # each message then tries on its own and records its failure
    try:
        for msg in messages:
            if connection is not None:
                msg.connection = connection
            row, failure = _deliver(
                msg,
                kind=kind,
                diagnostic=diagnostic,
                by=None,
                stored_body=None,
                withhold_body=False,
                resent_from=None,
            )
            rows.append(row)
            first = first or failure
    finally:
        if connection is not None:
            connection.close()
    if first is not None:
        raise first
    return rows


def send(
    *,
    kind: MailKind | str,
    subject: str,
    body: str,
    to: Sequence[str],
    diagnostic: Any = None,
    by: Any = None,
    from_email: str | None = None,
    reply_to: Sequence[str] = (),
    stored_body: str | None = None,
    withhold_body: bool = False,
) -> OutboxMessage:
    """Like `django.core.mail.send_mail(subject, body, from_email, to)`, and recorded."""
    msg = mail.EmailMessage(
        subject=subject, body=body, from_email=from_email, to=list(to), reply_to=list(reply_to)
    )
    return send_message(
        msg,
        kind=kind,
        diagnostic=diagnostic,
        by=by,
        stored_body=stored_body,
        withhold_body=withhold_body,
    )


def resend_copy(row: OutboxMessage, *, by: Any) -> OutboxMessage:
    """Send the stored copy of `row` again, to the same recipients; the new row points at the
    first e-mail of the chain. A failure is recorded on the new row and not raised."""
    if row.kind not in RESENDABLE:
        raise DomainError(f"A {row.get_kind_display().lower()} e-mail cannot be sent again")
    if row.body_withheld or not row.recipients:
        raise DomainError("There is no stored copy to send again")
    msg = mail.EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email or None,
        to=list(row.recipients),
        reply_to=list(row.reply_to),
    )
    for a in row.attachments:
        if a.get("content") is not None:
            msg.attach(a["name"], a["content"], a["mimetype"])
    first = row.resent_from if row.resent_from_id else row
    new, _ = _deliver(
        msg,
        kind=row.kind,
        diagnostic=row.diagnostic,
        by=by,
        stored_body=None,
        withhold_body=False,
        resent_from=first,
    )
    return new
