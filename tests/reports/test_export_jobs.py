"""Exports are Jobs: a build whose worker died ends on its own page, and a late attempt that lost
its job writes nothing."""

from __future__ import annotations

import html
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.common import jobs
from peerdiag.common.models import Job, JobState, Worker
from peerdiag.reports.domain import exports
from peerdiag.reports.domain.exports import run_export, start_export
from peerdiag.reports.enums import ExportKind
from peerdiag.reports.models import ExportJob

from .helpers import drafted


def _page(world, url: str) -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.pcm)
    return html.unescape(c.get(url).content.decode())


def test_an_export_whose_worker_died_says_so_on_its_page(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    job = start_export(x.d, by=world.pcm, kind=ExportKind.PRESENTATION)  # not committed: no task
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        progress=10,
        message="Gathering the findings and recommendations",
        started_at=now - timedelta(seconds=40),
        heartbeat=now - timedelta(seconds=35),
        attempts=1,
        worker_id="gone",
    )
    Worker.objects.create(
        worker_id="gone",
        started_at=now - timedelta(minutes=5),
        last_seen=now - timedelta(seconds=35),
    )
    status = reverse("web:report_export_status", args=[x.d.reference, job.code])
    page = _page(world, status + "?seen=running")
    assert "could not be built" in page and "% done" not in page
    assert (
        "The background worker stopped before this was finished. Check that a worker is "
        "running, then ask for the file again."
    ) in page
    assert 'hx-trigger="every 1s"' not in page
    assert ExportJob.objects.get(pk=job.pk).state == JobState.FAILED
    # The list of files says the same, and nothing is shown as still building.
    listing = _page(world, reverse("web:report_exports", args=[x.d.reference]))
    assert "ask for the file again" in listing and "is ready to download" not in listing


def test_a_build_is_left_alone_while_its_worker_beats(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    job = start_export(x.d, by=world.pcm, kind=ExportKind.PRESENTATION)
    now = timezone.now()
    Worker.objects.create(worker_id="busy", started_at=now, last_seen=now)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=now - timedelta(seconds=40), worker_id="busy"
    )
    status = reverse("web:report_export_status", args=[x.d.reference, job.code])
    page = _page(world, status)
    assert 'hx-trigger="every 1s"' in page and "could not be built" not in page
    assert ExportJob.objects.get(pk=job.pk).state == JobState.RUNNING


def test_an_attempt_that_lost_its_job_keeps_no_file(world, monkeypatch):  # type: ignore[no-untyped-def]
    x = drafted(world)
    job = start_export(x.d, by=world.pcm, kind=ExportKind.REPORT_DOCX)
    real = exports.feedback_for

    def taken_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        # While this attempt builds, the sweep gives the job to another worker.
        Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED, worker_id="")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "feedback_for", taken_meanwhile)
    assert run_export(job.pk) == "superseded"
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and not job.file
    monkeypatch.setattr(exports, "feedback_for", real)
    assert run_export(job.pk) == JobState.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts, job.progress) == (JobState.DONE, 2, 100) and job.file


def test_exports_and_timetable_runs_share_one_table(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    export = start_export(x.d, by=world.pcm, kind=ExportKind.PRESENTATION)
    run = jobs.create_job("timetable", diagnostic=x.d, by=world.pcm, time_limit=20)
    assert set(Job.objects.values_list("pk", flat=True)) == {export.pk, run.pk}
    assert list(ExportJob.objects.all()) == [export], "the export list shows no timetable run"
