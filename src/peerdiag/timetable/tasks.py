"""Background work of the timetable app (thin: each task calls a domain function)."""

from __future__ import annotations

from django_tasks import task
from django_tasks.base import TaskContext

from .domain.generate import run_generation


@task(takes_context=True)
def generate_timetable(context: TaskContext, job_id: int) -> str:
    """Solve a diagnostic's week and make the result its draft (a generate run's Job)."""
    return run_generation(job_id, task_id=str(context.task_result.id))
