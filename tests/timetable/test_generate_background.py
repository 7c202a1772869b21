"""Generate never runs inside the request: with the database task backend the page's POST only
queues the run, and a worker process picks it up and reports progress until it is done. While
a run is going, the week's sessions cannot be changed by hand."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from peerdiag.common import jobs
from peerdiag.common.errors import DomainError
from peerdiag.common.models import Job, JobKind, JobState
from peerdiag.common.versioning import UNCHECKED
from peerdiag.timetable.domain.generate import (
    cancel_generation,
    job_view,
    latest_run,
    run_generation,
    start_generation,
)
from peerdiag.timetable.domain.placements import move_session
from peerdiag.timetable.domain.sessions import SessionDetails, add_session, cancel_session
from peerdiag.timetable.models import Session

from .helpers import planned_week

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_run_is_queued_then_a_worker_solves_it(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    with override_settings(TASKS=DB_TASKS):
        with TestCase.captureOnCommitCallbacks(execute=True):
            run = start_generation(w.d, by=world.pcm, seconds=5)
        run.refresh_from_db()
        assert run.state == JobState.QUEUED and run.task_id, "the task's id is kept on the job"
        assert not Session.objects.filter(diagnostic=w.d, type="interview", day__isnull=False)
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    run.refresh_from_db()
    assert run.state == JobState.DONE, run.message
    assert run.attempts == 1 and run.worker_id, "the worker that ran it is recorded"
    assert run.log, "the solver's progress lines are kept for the page"
    assert not Session.objects.filter(diagnostic=w.d, day__isnull=True).exists()


def test_a_second_run_is_refused_while_one_is_going(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    run = start_generation(w.d, by=world.pcm, seconds=5)  # on_commit never fires: stays queued
    assert run.state == JobState.QUEUED
    view = job_view(latest_run(w.d))
    assert view.active and view.by == str(world.pcm)
    with pytest.raises(DomainError, match="already being generated"):
        start_generation(w.d, by=world.pcm, seconds=5)
    Job.objects.filter(pk=run.pk).update(state=JobState.DONE)
    with pytest.raises(DomainError) as err:
        start_generation(w.d, by=world.pcm, seconds=500)
    assert err.value.field == "seconds"
    assert start_generation(w.d, by=world.pcm, seconds=5).pk != run.pk


def test_a_week_that_cannot_be_a_problem_is_refused_before_queuing(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    Session.objects.filter(pk=w.interviews[0].pk).update(minutes=900)
    with pytest.raises(DomainError, match="Conversation 1"):
        start_generation(w.d, by=world.pcm, seconds=5)
    assert latest_run(w.d) is None
    assert job_view(None).state == "idle"


def test_a_run_that_fails_says_so(world, monkeypatch):  # type: ignore[no-untyped-def]
    import peerdiag.timetable.domain.generate as gen

    w = planned_week(world.own)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(gen, "solve", broken)
    # The task backend records the exception; the run's state must say it failed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        start_generation(w.d, by=world.pcm, seconds=5)
    run = latest_run(w.d)
    assert run is not None
    assert run.state == JobState.FAILED and "solver crashed" in run.message
    assert not job_view(run).active and "solver crashed" in job_view(run).error


def test_hand_changes_are_refused_while_a_run_is_going_and_name_it(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    session = w.interviews[0]
    run = start_generation(w.d, by=world.pcm, seconds=5)  # queued: no worker here
    when = timezone.localtime(run.created_at).strftime("%H:%M")
    expected = f"{world.pcm} started generating the timetable at {when}"
    with pytest.raises(DomainError, match=expected) as moved:
        move_session(session, by=world.pcm, day=1, start=time(10, 0), version=UNCHECKED)
    assert "Wait for it to finish, or cancel it" in moved.value.message
    with pytest.raises(DomainError, match=expected):
        cancel_session(session, by=world.pcm, version=UNCHECKED)
    details = SessionDetails.of(session)
    with pytest.raises(DomainError, match=expected):
        add_session(w.d, by=world.pcm, details=details)
    session.refresh_from_db()
    assert session.day is None and session.status != "cancelled"
    assert Session.objects.filter(diagnostic=w.d, title=session.title).count() == 1

    # Once the run is cancelled the same move goes through, and the late result is thrown away.
    assert cancel_generation(w.d, by=world.pcm, run_code=run.code)
    run.refresh_from_db()
    assert run.state == JobState.FAILED and "cancelled this run" in run.message
    assert run_generation(run.pk) == "superseded"
    move_session(session, by=world.pcm, day=1, start=time(10, 0), version=UNCHECKED)
    session.refresh_from_db()
    assert (session.day, session.start) == (1, time(10, 0))


@pytest.mark.django_db(transaction=True)
def test_a_run_started_after_the_first_check_still_stops_the_hand_change(world, monkeypatch):  # type: ignore[no-untyped-def]
    """The race the early check cannot see: the run is queued after a hand change passed its
    first check but before it writes. The check made under the week's lock, inside the write,
    refuses it, so no run can undo a change that was told it succeeded."""
    import peerdiag.timetable.domain.placements as placements
    import peerdiag.timetable.domain.sessions as sessions

    w = planned_week(world.own)
    session = w.interviews[0]
    # A run queued and waiting for a worker (made directly: no task is sent here).
    jobs.create_job(JobKind.TIMETABLE, diagnostic=w.d, by=world.pcm, time_limit=60)
    # As if each early check had run a moment before the run was queued.
    monkeypatch.setattr(placements, "refuse_while_generating", lambda d: None)
    monkeypatch.setattr(sessions, "refuse_while_generating", lambda d: None)
    with pytest.raises(DomainError, match="started generating the timetable"):
        move_session(session, by=world.pcm, day=3, start=time(11, 30), version=UNCHECKED)
    with pytest.raises(DomainError, match="started generating the timetable"):
        cancel_session(session, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="started generating the timetable"):
        add_session(w.d, by=world.pcm, details=SessionDetails.of(session))
    session.refresh_from_db()
    assert session.day is None and session.status != "cancelled"
    assert Session.objects.filter(diagnostic=w.d, title=session.title).count() == 1


def test_a_result_that_comes_after_the_run_was_given_up_writes_nothing(world, monkeypatch):  # type: ignore[no-untyped-def]
    import peerdiag.timetable.domain.generate as gen

    w = planned_week(world.own)
    run = start_generation(w.d, by=world.pcm, seconds=5)
    real = gen.solve

    def slow_and_abandoned(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(*args, **kwargs)
        # Meanwhile the status page gave up on the run (its worker looked dead).
        Job.objects.filter(pk=run.pk).update(
            heartbeat=timezone.now() - timedelta(minutes=5), started_at=timezone.now()
        )
        latest_run(w.d)
        return result

    monkeypatch.setattr(gen, "solve", slow_and_abandoned)
    assert run_generation(run.pk) == "superseded"
    run.refresh_from_db()
    assert run.state == JobState.FAILED and "background worker stopped" in run.message
    assert not Session.objects.filter(diagnostic=w.d, type="interview", day__isnull=False).exists()


def test_the_generate_page_cancels_a_run_and_says_so(world):  # type: ignore[no-untyped-def]
    import html

    from django.test import Client
    from django.urls import reverse

    w = planned_week(world.own)
    run = start_generation(w.d, by=world.pcm, seconds=5)  # queued: no worker here
    c = Client()
    c.force_login(world.pcm)
    url = reverse("web:schedule_generate", args=[w.d.reference])
    # The button names the run it was drawn for.
    assert f'name="run" value="{run.code}"' in c.get(url).content.decode()
    stale = c.post(url, {"action": "cancel", "run": "someoldrun"}, follow=True)
    assert "Nothing was cancelled: the run you saw has already ended" in html.unescape(
        stale.content.decode()
    )
    run.refresh_from_db()
    assert run.state == JobState.QUEUED, "a page drawn for another run cancels nothing"
    page = html.unescape(
        c.post(url, {"action": "cancel", "run": run.code}, follow=True).content.decode()
    )
    assert "The run was cancelled. The draft was not changed" in page
    assert f"{world.pcm} cancelled this run at" in page and "The last run failed" in page
    assert "Cancel the run" not in page and "Generate again" in page
    run.refresh_from_db()
    assert run.state == JobState.FAILED
    assert w.d.audit.filter(summary="Cancelled generating the week").exists()
