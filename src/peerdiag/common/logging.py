"""Logs: secrets kept out, and one JSON object a line with the request id when asked.

Redaction. Paths can carry secrets: calendar-feed, survey and invitation tokens, password-reset
links, API tokens, and query strings of any kind. Django's request and server loggers write the
raw path on every 4xx and 5xx, and gunicorn's access log writes every request line. So every
record is redacted as it is made (`install_redaction`, run by `configure`, which is
settings.LOGGING_CONFIG), whichever logger made it and whichever handler writes it: the message
with its arguments, extra fields, the `request` Django attaches, and the traceback. Each handler
in settings.LOGGING also carries `RedactFilter`, which does the same, for records made some
other way. A redacted record says `[redacted]` where the secret was and drops query strings.

Format. Chosen with PEERDIAG_LOG_FORMAT=json (see settings.LOGGING). Each line has `time` (UTC,
ISO 8601), `level`, `logger`, `message` and `request_id` (null outside a request), then any
`extra={...}` fields the caller gave and, for errors, `exception` with the traceback. Log
collectors (journald, CloudWatch, Loki, Elastic) read these lines without a parsing rule.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

# The id of the request this thread or task is serving; set by RequestIdMiddleware.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "peerdiag_request_id", default=None
)

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
    # Django's request logger passes the request object; its text adds nothing to the message.
    "request",
}


class RequestIdFilter(logging.Filter):
    """Copies the current request id onto each record, for any formatter to use."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_text:  # set (and redacted) by redact_record
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a value json cannot write (a date, a model) is written as its text.
        return json.dumps(entry, default=str, ensure_ascii=False)


# --- Redaction ------------------------------------------------------------------------------

REDACTED = "[redacted]"
# One segment of a path: stops at the next slash, whitespace, quote, bracket or query string.
_SEG = r"[^/\s?#\"'<>]+"
_END = r"(?=[/\s?#\"'<>]|$)"
# A query string after anything path-like (a "/" earlier in the same word): dropped whole.
_QUERY = re.compile(r"(/[^\s?#\"'<>]*)\?[^\s\"'<>]*")
_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # /calendar/<token>.ics (but not the signed-in page /account/calendar/...).
    (re.compile(rf"(?<!/account)(/calendar/){_SEG}?(?=\.ics\b|[/\s?#\"'<>]|$)"), rf"\1{REDACTED}"),
    # /survey/<token>/ and /invitation/<token>/
    (re.compile(rf"(/(?:survey|invitation)/){_SEG}"), rf"\1{REDACTED}"),
    # /password-reset/<uidb64>/<token>/ (its own pages "sent" and "complete" stay readable).
    (
        re.compile(rf"(/password-reset/)(?!(?:sent|complete){_END}){_SEG}(/{_SEG})?"),
        lambda m: m.group(1) + REDACTED + (f"/{REDACTED}" if m.group(2) else ""),
    ),
    # API tokens wherever they appear, and any long random-looking path segment (every token
    # the service makes is 43 characters; public codes and references are short).
    (re.compile(r"\bpd_[A-Za-z0-9_-]{8,}"), f"pd_{REDACTED}"),
    (re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=[/\s?#\"'<>.]|$)"), REDACTED),
]


def redact(text: str) -> str:
    """The text with query strings dropped and the secret parts of paths replaced."""
    if "/" not in text and "pd_" not in text:
        return text
    text = _QUERY.sub(r"\1", text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _redact_request(request: Any) -> Any:
    # Django's request loggers attach the HttpRequest; handlers get "METHOD path" instead. (The
    # development server attaches its socket, which holds no path, and is left alone.)
    path = getattr(request, "path", None)
    if isinstance(path, str):
        return f"{getattr(request, 'method', '') or ''} {redact(path)}".strip()
    return request


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redacts a record in place (once): message and arguments, extras, request, traceback."""
    if getattr(record, "_peerdiag_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:
        # Arguments that do not fit the message: both kept, redacted, so nothing is lost.
        record.msg, record.args = redact(f"{record.msg} {record.args!r}"), ()
    else:
        # Formatted first, then redacted: a token split between the message and its
        # arguments ("/calendar/%s.ics", token) is caught too. Nothing is left in args.
        record.msg, record.args = redact(message), ()
    for key, value in list(record.__dict__.items()):
        if key in _STANDARD and key != "request":
            continue
        if key == "request":
            record.request = _redact_request(value)
        elif isinstance(value, str):
            setattr(record, key, redact(value))
    if record.exc_info:
        # The traceback as text, redacted; the exception itself (whose message may hold a
        # path) goes, and every formatter writes the text instead.
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._peerdiag_redacted = True
    return record


class RedactFilter(logging.Filter):
    """On every handler in settings.LOGGING: the record redacted before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_make_record = logging.Logger.makeRecord


def _make_redacted_record(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
    return redact_record(_make_record(self, *args, **kwargs))


def install_redaction() -> None:
    """Redact every record as it is made, by every logger, for every handler (idempotent).

    Done where the record is made (after `extra=` is applied, hence not a LogRecord factory)
    so that handlers peerdiag does not configure (gunicorn's access log, pytest's log capture)
    never see a secret either.
    """
    if logging.Logger.makeRecord is not _make_redacted_record:  # type: ignore[comparison-overlap]
        setattr(logging.Logger, "makeRecord", _make_redacted_record)  # noqa: B010


def configure(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: Django's dictConfig, with redaction installed first."""
    install_redaction()
    logging.config.dictConfig(config)
