"""Background work of the reports app (thin: each task calls a domain function)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from .domain.exports import run_export
from .domain.reminders import send_reminders


@task(takes_context=True)
def run_export_job(context: TaskContext, job_id: int, draft: bool = False) -> str:
    """Build one export's file, writing its progress as it goes."""
    return run_export(job_id, draft, task_id=str(context.task_result.id))


@task()
def send_written_feedback_reminders(day: str | None = None) -> int:
    """The day's written feedback reminders (day as YYYY-MM-DD; default today)."""
    when = date.fromisoformat(day) if day else timezone.localdate()
    return len(send_reminders(when))
