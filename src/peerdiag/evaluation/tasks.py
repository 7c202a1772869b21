"""Background work of the evaluation app (thin: each task calls a domain function)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

# The portfolio CSV task moved to the portfolio app. A job queued before the move is stored
# under this module's path ("peerdiag.evaluation.tasks.build_portfolio_export"), and the
# worker finds its task by that path, so the name stays here too (pyproject.toml lets this one
# import cross the layers). Remove it once no such job can be waiting.
from peerdiag.portfolio.tasks import build_portfolio_export

from .domain.surveys import send_due_surveys

__all__ = ["build_portfolio_export", "send_evaluation_surveys"]


@task()
def send_evaluation_surveys(on: str | None = None) -> int:
    """Send the evaluation surveys due by the day; `on` is an ISO date (today by default)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return send_due_surveys(day)
