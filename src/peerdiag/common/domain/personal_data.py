"""What the common app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import Policy, destroyed, not_personal

# The timetable's retention step (peerdiag.timetable.domain.retention.STEP), by name: common
# imports no app above it.
_RUN_TEXT = destroyed(
    "timetable.delivery_week",
    how="blanked on a diagnostic's generate runs (the scheduler's messages name people); an "
    "export's lines say only how far it got",
)

_OUTBOX = destroyed(
    "diagnostics.outbox",
    how="the stored copies of a diagnostic's e-mails lose their text, calendar files, "
    "addresses and the mail server's answers; kind, subject, time and status stay",
)

FIELDS: dict[str, dict[str, Policy]] = {
    "Revision": {
        "data": not_personal(
            "earlier wordings of a diagnostic's outputs (findings, recommendations, written "
            "feedback sections): about the service, never naming a child; kept as long as the "
            "object they belong to and deleted with it"
        ),
    },
    "Job": {
        "kind": not_personal("a fixed choice"),
        "state": not_personal("a fixed choice"),
        "message": _RUN_TEXT,
        "best": _RUN_TEXT,
        "log": _RUN_TEXT,
        "file": not_personal("a built presentation, report or portfolio list"),
        "filename": not_personal(),
        "task_id": not_personal("the background task's identifier"),
        "worker_id": not_personal("the worker process's identifier"),
    },
    "Worker": {
        "worker_id": not_personal("the worker process's identifier"),
        "hostname": not_personal("the machine's name"),
    },
    # A diagnostic's outbox (issue 18); its step is diagnostics.domain.outbox.RETENTION_STEP.
    "OutboxMessage": {
        "kind": not_personal("a fixed choice"),
        "status": not_personal("a fixed choice"),
        "from_email": not_personal("the service's own sending address"),
        "subject": not_personal(
            "the diagnostic's reference and what the e-mail is about, first names taken out"
        ),
        "recipients": _OUTBOX,
        "reply_to": _OUTBOX,
        "body": _OUTBOX,
        "attachments": _OUTBOX,
        "error": _OUTBOX,
    },
}
