"""Background work of the evaluation app (thin: each task calls a domain function)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from .domain.surveys import send_due_surveys


@task()
def send_evaluation_surveys(on: str | None = None) -> int:
    """Send the evaluation surveys due by the day; `on` is an ISO date (today by default)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return send_due_surveys(day)


@task(takes_context=True)
def build_portfolio_export(context: TaskContext, job_id: int, filters: dict[str, str]) -> str:
    """Build the portfolio CSV of an ExportJob, reporting progress on it."""
    from .domain.portfolio_export import run_portfolio_export

    return run_portfolio_export(job_id, filters, task_id=str(context.task_result.id))
