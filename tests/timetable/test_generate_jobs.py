"""The sweep that notices a dead worker, and the status page's own fallback, with the clock set
by hand: every moment below is `now` plus or minus a stated number of seconds."""

from __future__ import annotations

import html
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peerdiag.common import jobs
from peerdiag.common.models import Job, JobKind, JobState, Worker

NOW = timezone.now()


def _ago(seconds: float):  # type: ignore[no-untyped-def]
    return NOW - timedelta(seconds=seconds)


def _worker(worker_id: str, *, silent_for: float) -> Worker:
    return Worker.objects.create(
        worker_id=worker_id, started_at=_ago(600), last_seen=_ago(silent_for)
    )


def _running(d, worker_id: str, *, attempts: int = 1, started: float = 20) -> Job:  # type: ignore[no-untyped-def]
    task = DBTaskResult.objects.create(
        task_path="peerdiag.timetable.tasks.generate_timetable",
        args_kwargs={"args": [0], "kwargs": {}},
        backend_name="default",
        run_after=_ago(started),
        status=TaskResultStatus.RUNNING,
        started_at=_ago(started),
        worker_ids=[worker_id],
    )
    return Job.objects.create(
        kind=JobKind.TIMETABLE,
        diagnostic=d,
        state=JobState.RUNNING,
        time_limit=60,
        queued_at=_ago(started + 1),
        started_at=_ago(started),
        heartbeat=_ago(started),
        attempts=attempts,
        task_id=str(task.id),
        worker_id=worker_id,
        log="Looking",
    )


def _task(job: Job) -> DBTaskResult:
    return DBTaskResult.objects.get(id=job.task_id)


def test_the_sweep_puts_back_the_job_of_a_silent_worker_for_another_to_run(world):  # type: ignore[no-untyped-def]
    _worker("dead", silent_for=31)
    _worker("alive", silent_for=2)
    lost = _running(world.own, "dead")
    kept = _running(world.other, "alive")

    done = jobs.sweep(NOW)

    assert done == {lost.task_id: "retried"}
    lost.refresh_from_db()
    assert (lost.state, lost.worker_id, lost.attempts) == (JobState.QUEUED, "", 1)
    assert lost.message == (
        "The background worker stopped, so another worker will start this again (try 2 of 3)"
    )
    assert lost.message in lost.log and "Looking" in lost.log
    assert _task(lost).status == TaskResultStatus.READY and _task(lost).started_at is None
    kept.refresh_from_db()
    assert kept.state == JobState.RUNNING and _task(kept).status == TaskResultStatus.RUNNING
    # The next attempt claims it, and the worker that dies then is not the last word.
    again = jobs.begin(lost.pk)
    assert again is not None and again.attempts == 2 and again.state == JobState.RUNNING


def test_a_worker_is_not_taken_for_dead_until_it_has_been_silent_for_30_seconds(world):  # type: ignore[no-untyped-def]
    _worker("slow", silent_for=29)
    job = _running(world.own, "slow")
    assert jobs.sweep(NOW) == {}
    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    assert jobs.sweep(NOW + timedelta(seconds=2)) == {job.task_id: "retried"}


def test_after_three_attempts_the_job_fails_with_the_reason_for_its_page(world):  # type: ignore[no-untyped-def]
    _worker("dead", silent_for=45)
    job = _running(world.own, "dead", attempts=3)
    assert jobs.sweep(NOW) == {job.task_id: "failed"}
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert job.message == (
        "The background worker stopped before this was finished. Check that a worker is "
        "running, then press Generate again."
    )
    assert _task(job).status == TaskResultStatus.FAILED, "no task is left RUNNING for ever"


def test_a_worker_that_stopped_cleanly_mid_task_counts_as_gone_at_once(world):  # type: ignore[no-untyped-def]
    Worker.objects.create(worker_id="done", started_at=_ago(60), last_seen=_ago(1), stopped_at=NOW)
    job = _running(world.own, "done")
    assert jobs.sweep(NOW) == {job.task_id: "retried"}


def test_the_status_fallback_ends_a_run_nobody_is_beating_for_when_no_worker_is_alive(world):  # type: ignore[no-untyped-def]
    job = _running(world.own, "gone", started=31)  # no Worker row at all: no worker is running
    jobs.settle(job, NOW)
    assert job.state == JobState.FAILED and "background worker stopped" in job.message
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED

    # With a live worker the page leaves it to that worker's sweep.
    _worker("alive", silent_for=1)
    other = _running(world.other, "gone", started=31)
    jobs.settle(other, NOW)
    assert Job.objects.get(pk=other.pk).state == JobState.RUNNING


def test_the_page_never_waits_past_the_time_limit_plus_a_minute(world):  # type: ignore[no-untyped-def]
    _worker("alive", silent_for=1)
    job = _running(world.own, "alive", started=60 + 59)
    Job.objects.filter(pk=job.pk).update(heartbeat=NOW)
    job.refresh_from_db()
    assert jobs.settle(job, NOW).state == JobState.RUNNING
    assert jobs.settle(job, NOW + timedelta(seconds=2)).state == JobState.FAILED
    assert job.message.startswith("This did not finish within its time limit.")

    waiting = Job.objects.create(
        kind=JobKind.TIMETABLE, diagnostic=world.other, time_limit=20, queued_at=_ago(81)
    )
    jobs.settle(waiting, NOW)
    assert waiting.state == JobState.FAILED
    assert waiting.message.startswith("No background worker picked this up in time.")


def test_the_generate_page_itself_ends_a_run_whose_worker_died(world):  # type: ignore[no-untyped-def]
    from peerdiag.timetable.domain.week import timetable_for

    timetable_for(world.own)
    now = timezone.now()
    job = Job.objects.create(
        kind=JobKind.TIMETABLE,
        diagnostic=world.own,
        created_by=world.pcm,
        state=JobState.RUNNING,
        time_limit=20,
        queued_at=now - timedelta(seconds=50),
        started_at=now - timedelta(seconds=50),
        heartbeat=now - timedelta(seconds=40),
        best="12 of 14 placed",
    )
    c = Client()
    c.force_login(world.pcm)
    url = reverse("web:schedule_progress", args=[world.own.reference])
    page = html.unescape(c.get(url + "?seen=running").content.decode())
    assert "The last run failed" in page and "In progress" not in page
    assert "The background worker stopped before this was finished." in page
    assert 'hx-trigger="every 1s"' not in page, "the panel stops polling"
    assert 'hx-swap-oob="innerHTML">The last run failed' in page
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED


def test_a_worker_restarted_under_its_old_id_puts_back_what_it_left(world):  # type: ignore[no-untyped-def]
    _worker("host-1", silent_for=3)  # killed three seconds ago, now starting again
    job = _running(world.own, "host-1")
    assert jobs.sweep(NOW) == {}, "on its own, a worker that beat 3 seconds ago looks alive"
    assert jobs.sweep(NOW, gone=["host-1"]) == {job.task_id: "retried"}
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.worker_id == ""
