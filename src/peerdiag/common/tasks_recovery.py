"""Putting back tasks that a dead worker left half-done, by hand (`peerdiag tasks requeue-stale`).

django-tasks-db marks a task RUNNING when a worker claims it and only marks it finished when
the worker finishes it. A worker killed outright (kill -9, out of memory, the machine lost)
leaves the task RUNNING. `peerdiag db_worker` notices that by itself (heartbeats and a sweep,
see peerdiag.common.jobs), so this command is only a manual extra: for tasks run by a worker
without a heartbeat, or to put work back at once. It puts such tasks back to READY so the next
worker runs them again, and their jobs back to waiting.

Only a task that has been running longer than `older_than` is touched, so choose a value well
above the longest a task ever takes (our longest, the timetable solver, is bounded at a few
minutes): a task still running on a live worker must not be run twice. Tasks are written to be
safe to run again from the start (they commit their result at the end, in one transaction).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Job, JobState


def requeue_stale_tasks(*, older_than: timedelta) -> list[str]:
    """Put every task RUNNING for longer than `older_than` back to READY; returns their ids."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        stale = list(
            DBTaskResult.objects.select_for_update(skip_locked=True).filter(
                status=TaskResultStatus.RUNNING, started_at__lt=cutoff
            )
        )
        for result in stale:
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.run_after = timezone.now()
            result.save(update_fields=["status", "started_at", "run_after"])
        # The job of each task waits again, so the next attempt may claim it.
        Job.objects.filter(
            task_id__in=[str(r.id) for r in stale], state__in=[JobState.QUEUED, JobState.RUNNING]
        ).update(state=JobState.QUEUED, worker_id="", queued_at=timezone.now())
    return [str(r.id) for r in stale]
