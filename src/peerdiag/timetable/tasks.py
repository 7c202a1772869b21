"""Background work of the timetable app (thin: each task calls a domain function)."""

from __future__ import annotations

from django_tasks import task

from .domain.generate import run_generation


@task()
def generate_timetable(diagnostic_id: int, token: str) -> str:
    """Solve a diagnostic's week and make the result its draft."""
    return run_generation(diagnostic_id, token)
