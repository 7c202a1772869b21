"""Background work of the portfolio app (thin: each task calls a domain function)."""

from __future__ import annotations

from django_tasks import task
from django_tasks.base import TaskContext


@task(takes_context=True)
def build_portfolio_export(context: TaskContext, job_id: int, filters: dict[str, str]) -> str:
    """Build the portfolio CSV of an ExportJob, reporting progress on it."""
    from .domain.portfolio_export import run_portfolio_export

    return run_portfolio_export(job_id, filters, task_id=str(context.task_result.id))
