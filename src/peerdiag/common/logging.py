"""Structured logs: one JSON object a line, with the request id of the request being served.

Chosen with PEERDIAG_LOG_FORMAT=json (see settings.LOGGING). Each line has `time` (UTC, ISO
8601), `level`, `logger`, `message` and `request_id` (null outside a request), then any
`extra={...}` fields the caller gave and, for errors, `exception` with the traceback. Log
collectors (journald, CloudWatch, Loki, Elastic) read these lines without a parsing rule.
"""

from __future__ import annotations

import contextvars
import json
import logging
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
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a value json cannot write (a date, a model) is written as its text.
        return json.dumps(entry, default=str, ensure_ascii=False)
