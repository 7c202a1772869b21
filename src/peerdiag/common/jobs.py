"""Background jobs that outlive their worker: one mechanism for timetable runs and exports.

A `Job` row (peerdiag.common.models) is what a page polls: its state (queued, running, done,
failed), progress, the best result so far, a few log lines, the file it built, who asked for it
and when. The task that does the work is a django-tasks task whose first act is `begin()` and
whose writes go through `report()`, `finish()` and `fail()`; each of those writes only while the
job is still that attempt's (an attempt the sweep took away, or a run someone cancelled, can no
longer write, so a late result never overwrites what came after it).

How a dead worker is noticed (no command needed):

- `peerdiag db_worker` (peerdiag.common.management.commands.db_worker) runs django-tasks-db's
  worker with a heartbeat thread. Every `BEAT_EVERY` seconds it writes the time to its `Worker`
  row and to the heartbeat of the job it is running, and every `SWEEP_EVERY` seconds it calls
  `sweep()`; a worker also sweeps once as it starts.
- `sweep()` looks for tasks and jobs whose worker has been silent for `WORKER_SILENT` (or that
  stopped). Such a task is put back in the queue for any worker to run again, up to
  `MAX_ATTEMPTS` attempts in all; after that, or when there is nothing to run again, the job is
  marked failed with `WORKER_LOST`, which its page shows. Generate runs and exports are safe to
  repeat: each writes its result once, at the end, in one transaction.
- `settle()`, called by the status pages themselves, ends a job the sweep could not reach (no
  worker running at all): a page never shows "in progress" more than `GRACE` past the job's
  time limit, counted from the start of the current attempt (or from when it was queued).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Job, JobKind, JobState, Worker

logger = logging.getLogger(__name__)

ACTIVE = (JobState.QUEUED, JobState.RUNNING)
BEAT_EVERY = 5.0  # seconds between heartbeats
SWEEP_EVERY = 10.0  # seconds between sweeps on each worker
WORKER_SILENT = timedelta(seconds=30)  # a worker silent this long is taken to have died
GRACE = timedelta(seconds=60)  # how far past its time limit a page may still wait
MAX_ATTEMPTS = 3
FORGET_WORKERS_AFTER = timedelta(days=7)
LOG_LINES = 50

WORKER_LOST = (
    "The background worker stopped before this was finished. Check that a worker is running, "
    "then {again}."
)
NEVER_STARTED = (
    "No background worker picked this up in time. Check that a worker is running, then {again}."
)
TOO_LONG = (
    "This did not finish within its time limit. Check that a worker is running, then {again}."
)
RETRYING = "The background worker stopped, so another worker will start this again (try {n} of {m})"
AGAIN: dict[str, str] = {JobKind.TIMETABLE: "press Generate again"}
AGAIN_FILE = "ask for the file again"

J = TypeVar("J", bound=Job)

_worker_id = ""  # set by the worker command in its own process


def current_worker() -> str:
    return _worker_id


def set_current_worker(worker_id: str) -> None:
    global _worker_id
    _worker_id = worker_id


def again(job: Job) -> str:
    return AGAIN.get(job.kind, AGAIN_FILE)


# Creating and running a job -------------------------------------------------------------------


def create_job(
    kind: str,
    *,
    diagnostic: Any = None,
    by: Any = None,
    time_limit: int = 300,
    message: str = "Waiting to start",
    filename: str = "",
) -> Job:
    """A queued job row; the caller enqueues its task with `enqueue()` in the same transaction."""
    now = timezone.now()
    return Job.objects.create(
        kind=kind,
        diagnostic=diagnostic,
        created_by=by if by is not None and by.is_authenticated else None,
        time_limit=time_limit,
        message=message,
        filename=filename,
        queued_at=now,
        heartbeat=now,
    )


def enqueue(job: Job, task: Any, *args: Any) -> None:
    """Enqueue `task(*args)` once the current transaction commits, and keep its result id."""
    job_id = job.pk

    def send() -> None:
        result = task.enqueue(*args)
        Job.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id))

    transaction.on_commit(send)


def begin(job_id: int, *, task_id: str = "") -> Job | None:
    """The task's first step: claim the queued job for this attempt. None when there is nothing
    to do (the job is gone, finished, failed or cancelled)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != JobState.QUEUED:
            return None
        now = timezone.now()
        job.state = JobState.RUNNING
        job.attempts += 1
        job.started_at = now
        job.heartbeat = now
        job.finished_at = None
        job.worker_id = current_worker()
        if task_id:
            job.task_id = task_id
        job.save(
            update_fields=[
                "state",
                "attempts",
                "started_at",
                "heartbeat",
                "finished_at",
                "worker_id",
                "task_id",
                "updated_at",
            ]
        )
    return job


def _ours(job: Job) -> Any:
    return Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts)


def still_ours(job: Job) -> bool:
    """True while this attempt still owns the job (not cancelled, failed or taken back)."""
    return _ours(job).exists()


def report(job: Job, **fields: Any) -> bool:
    """Write progress (progress=, message=, best=, log=...) for this attempt; False if it is no
    longer this attempt's job."""
    return bool(_ours(job).update(heartbeat=timezone.now(), updated_at=timezone.now(), **fields))


def finish(job: Job, **fields: Any) -> bool:
    """Mark the job done with its last fields; False (nothing written) if it is no longer ours."""
    now = timezone.now()
    fields.setdefault("progress", 100)
    return bool(
        _ours(job).update(
            state=JobState.DONE, finished_at=now, heartbeat=now, updated_at=now, **fields
        )
    )


def fail(job: Job, message: str, **fields: Any) -> bool:
    """Mark this attempt's job failed with a message for its page."""
    now = timezone.now()
    return bool(
        _ours(job).update(
            state=JobState.FAILED,
            message=message[:300],
            finished_at=now,
            heartbeat=now,
            updated_at=now,
            **fields,
        )
    )


def end(job: Job, message: str) -> bool:
    """Mark an active job failed from outside its task (cancel, sweep, status page)."""
    now = timezone.now()
    done = Job.objects.filter(pk=job.pk, state__in=ACTIVE).update(
        state=JobState.FAILED, message=message[:300], finished_at=now, updated_at=now
    )
    if done:
        job.state, job.message, job.finished_at = JobState.FAILED, message[:300], now
        _fail_task(job.task_id, message)
    return bool(done)


def log_lines(job: Job, last: int = 8) -> list[str]:
    return [line for line in job.log.splitlines() if line][-last:]


# Noticing dead workers ------------------------------------------------------------------------


def beat(worker_id: str, now: datetime | None = None) -> None:
    """One heartbeat: the worker's row and the job it is running."""
    now = now or timezone.now()
    Worker.objects.filter(worker_id=worker_id).update(last_seen=now, stopped_at=None)
    Job.objects.filter(worker_id=worker_id, state=JobState.RUNNING).update(heartbeat=now)


def register_worker(worker_id: str) -> None:
    now = timezone.now()
    Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "last_seen": now,
            "stopped_at": None,
        },
    )


def worker_stopped(worker_id: str) -> None:
    Worker.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def live_workers(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Worker.objects.filter(stopped_at=None, last_seen__gte=now - WORKER_SILENT).count()


def _silent_workers(now: datetime) -> set[str]:
    return set(
        Worker.objects.filter(
            Q(last_seen__lt=now - WORKER_SILENT) | Q(stopped_at__isnull=False)
        ).values_list("worker_id", flat=True)
    )


def _task_model() -> Any:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover (installed with peerdiag)
        return None
    return DBTaskResult


def _fail_task(task_id: str, message: str) -> None:
    """Mark a job's django-tasks result failed too, if it is still waiting or running."""
    model = _task_model()
    if model is None or not task_id:
        return
    from django_tasks.base import TaskResultStatus

    model.objects.filter(
        id=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="peerdiag.common.jobs.WorkerLost",
        traceback=message,
    )


def _recover(result: Any, job: Job | None, now: datetime) -> str:
    """A task or job whose worker died: put it back for another worker, or fail it."""
    from django_tasks.base import TaskResultStatus

    tries = job.attempts if job is not None else len(result.worker_ids if result else [])
    if result is not None and tries < MAX_ATTEMPTS and (job is None or job.active):
        result.status = TaskResultStatus.READY
        result.started_at = None
        result.run_after = now
        result.save(update_fields=["status", "started_at", "run_after"])
        if job is not None:
            job.state = JobState.QUEUED
            job.worker_id = ""
            job.queued_at = now
            job.heartbeat = now
            job.message = RETRYING.format(n=tries + 1, m=MAX_ATTEMPTS)
            job.log = "\n".join([*job.log.splitlines()[-(LOG_LINES - 1) :], job.message])
            job.save(
                update_fields=[
                    "state",
                    "worker_id",
                    "queued_at",
                    "heartbeat",
                    "message",
                    "log",
                    "updated_at",
                ]
            )
        return "retried"
    if job is not None and job.active:
        end(job, WORKER_LOST.format(again=again(job)))
    elif result is not None:
        _fail_task(str(result.id), "The worker running this task stopped.")
    return "failed"


def sweep(now: datetime | None = None, *, gone: Iterable[str] = ()) -> dict[str, str]:
    """Retry or fail the work of every worker that stopped; end jobs past their time limit.

    `gone`: worker ids to count as stopped whatever their rows say (a worker starting again
    under its old id, e.g. `--worker-id %H-1` under systemd, did not finish what it had).
    Returns task or job id → "retried" or "failed". Safe to run on many workers at once: rows
    another sweep holds are skipped.
    """
    now = now or timezone.now()
    # Rows of workers long gone only grow the table; their work was settled long ago.
    Worker.objects.filter(last_seen__lt=now - FORGET_WORKERS_AFTER).delete()
    silent = _silent_workers(now) | set(gone)
    done: dict[str, str] = {}
    model = _task_model()
    if silent:
        with transaction.atomic():
            if model is not None:
                from django_tasks.base import TaskResultStatus

                running = model.objects.select_for_update(skip_locked=True).filter(
                    status=TaskResultStatus.RUNNING
                )
                for result in running:
                    if not result.worker_ids or result.worker_ids[-1] not in silent:
                        continue
                    job = (
                        Job.objects.select_for_update(skip_locked=True)
                        .filter(task_id=str(result.id))
                        .first()
                    )
                    done[str(result.id)] = _recover(result, job, now)
            lost = Job.objects.select_for_update(skip_locked=True).filter(
                state=JobState.RUNNING, worker_id__in=silent
            )
            for job in lost:
                if job.task_id in done:
                    continue
                result = (
                    model.objects.select_for_update(skip_locked=True).filter(id=job.task_id).first()
                    if model is not None and job.task_id
                    else None
                )
                done[f"job {job.code}"] = _recover(result, job, now)
    for job in Job.objects.filter(state__in=ACTIVE):
        # workers=1: this sweep runs on a live worker, which will pick up what is queued.
        if settle(job, now, workers=1).state == JobState.FAILED:
            done[f"job {job.code}"] = "failed"
    return done


def settle(job: J, now: datetime | None = None, *, workers: int | None = None) -> J:
    """What a status page calls before showing a job: an active job past its time limit plus
    `GRACE`, or running with a silent heartbeat while no worker is alive, is marked failed
    with a message saying what to do. Returns the job (changed in place)."""
    if not job.active:
        return job
    now = now or timezone.now()
    limit = timedelta(seconds=job.time_limit) + GRACE
    since = (job.started_at if job.state == JobState.RUNNING else None) or job.queued_at
    heard = job.heartbeat or since
    if since is not None and now - since > limit:
        if job.state == JobState.QUEUED:
            end(job, NEVER_STARTED.format(again=again(job)))
        elif now - heard > WORKER_SILENT:
            end(job, WORKER_LOST.format(again=again(job)))
        else:
            end(job, TOO_LONG.format(again=again(job)))
    elif (
        job.state == JobState.RUNNING
        and now - heard > WORKER_SILENT
        and (live_workers(now) if workers is None else workers) == 0
    ):
        end(job, WORKER_LOST.format(again=again(job)))
    return job


def settle_all(jobs: Iterable[Job], now: datetime | None = None) -> None:
    now = now or timezone.now()
    workers: int | None = None
    for job in jobs:
        if job.active:
            if workers is None:
                workers = live_workers(now)
            settle(job, now, workers=workers)


# The worker's heartbeat thread ----------------------------------------------------------------


class Heartbeat(threading.Thread):
    """Beats every BEAT_EVERY seconds and sweeps every SWEEP_EVERY, until stopped."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        last_sweep = 0.0
        clock = 0.0
        while not self.stopping.wait(BEAT_EVERY):
            clock += BEAT_EVERY
            try:
                close_old_connections()
                beat(self.worker_id)
                if clock - last_sweep >= SWEEP_EVERY:
                    last_sweep = clock
                    for what, outcome in sweep().items():
                        logger.warning("Worker %s: %s %s", self.worker_id, outcome, what)
            except Exception:  # the database may be restarting: try again next beat
                logger.exception("Heartbeat of worker %s failed", self.worker_id)
                connection.close()
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
