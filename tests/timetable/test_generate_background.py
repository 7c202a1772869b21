"""Generate never runs inside the request: with the database task backend the page's POST only
queues the run, and a worker process picks it up and reports progress until it is done."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings

from peerdiag.timetable.domain.generate import job_view, start_generation
from peerdiag.timetable.enums import JobState
from peerdiag.timetable.models import Session, Timetable

from .helpers import planned_week

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_run_is_queued_then_a_worker_solves_it(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own)
    with override_settings(TASKS=DB_TASKS):
        with TestCase.captureOnCommitCallbacks(execute=True):
            t = start_generation(w.d, by=world.pcm, seconds=5)
        t.refresh_from_db()
        assert t.job_state == JobState.QUEUED
        view = job_view(t)
        assert view.active and view.seconds_left is not None and 0 < view.seconds_left <= 5
        assert not Session.objects.filter(diagnostic=w.d, type="interview", day__isnull=False)
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    t = Timetable.objects.get(pk=t.pk)
    assert t.job_state == JobState.DONE, t.job_error
    assert t.job_log, "the solver's progress lines are kept for the page"
    assert not Session.objects.filter(diagnostic=w.d, day__isnull=True).exists()


def test_a_second_run_is_refused_while_one_is_going(world):  # type: ignore[no-untyped-def]
    from peerdiag.common.errors import DomainError

    w = planned_week(world.own)
    t = start_generation(w.d, by=world.pcm, seconds=5)  # on_commit never fires here: stays queued
    assert t.job_state == JobState.QUEUED
    with pytest.raises(DomainError, match="already being generated"):
        start_generation(w.d, by=world.pcm, seconds=5)
    with pytest.raises(DomainError) as err:
        Timetable.objects.filter(pk=t.pk).update(job_state=JobState.DONE)
        w.d.__dict__.pop("_pd_timetable", None)
        start_generation(w.d, by=world.pcm, seconds=500)
    assert err.value.field == "seconds"


def test_a_week_that_cannot_be_a_problem_is_refused_before_queuing(world):  # type: ignore[no-untyped-def]
    from peerdiag.common.errors import DomainError

    w = planned_week(world.own)
    Session.objects.filter(pk=w.interviews[0].pk).update(minutes=900)
    with pytest.raises(DomainError, match="Conversation 1"):
        start_generation(w.d, by=world.pcm, seconds=5)
    assert Timetable.objects.get(diagnostic=w.d).job_state == JobState.IDLE


def test_a_run_that_fails_says_so(world, monkeypatch):  # type: ignore[no-untyped-def]
    import peerdiag.timetable.domain.generate as gen

    w = planned_week(world.own)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(gen, "solve", broken)
    # The task backend records the exception; the run's state must say it failed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        start_generation(w.d, by=world.pcm, seconds=5)
    t = Timetable.objects.get(diagnostic=w.d)
    assert t.job_state == JobState.FAILED and "solver crashed" in t.job_error
    assert not job_view(t).active
