"""Background work of the documents app (thin: each task calls a domain function)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from .domain.reminders import send_reminders


@task()
def send_document_reminders(on: str | None = None) -> int:
    """Send the day's key document reminders; `on` is an ISO date (today by default)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return send_reminders(day)
