"""The portfolio as a CSV file, built in the background with its progress on an ExportJob.

The portfolio page offers the file; building it for every diagnostic in England can take a
while, so the request only queues the job and the page polls it (reports' ExportJob, a Job of
peerdiag.common.jobs: a job whose worker died is run again by another worker).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import jobs
from peerdiag.reports.enums import ExportKind, JobState
from peerdiag.reports.models import ExportJob

from .portfolio import csv_lines, portfolio_queryset

PROGRESS_EVERY = 50
TIME_LIMIT = 600  # seconds one attempt may take before its page stops waiting


def start_portfolio_export(*, by: User | None, filters: dict[str, str]) -> ExportJob:
    """Queue the portfolio CSV with the page's filters (stage, region, type).

    Side effects: the job row; the background task once the transaction commits.
    """
    chosen = {k: str(filters.get(k) or "") for k in ("stage", "region", "type")}
    with transaction.atomic():
        job = jobs.create_job(
            ExportKind.PORTFOLIO_CSV,
            by=by,
            time_limit=TIME_LIMIT,
            filename=f"portfolio-{timezone.localdate().isoformat()}.csv",
        )
        from ..tasks import build_portfolio_export

        jobs.enqueue(job, build_portfolio_export, job.pk, chosen)
    return ExportJob.objects.get(pk=job.pk)


def run_portfolio_export(job_id: int, filters: dict[str, str], task_id: str = "") -> str:
    """The task's body: write every row, keeping the progress up to date; returns the state."""
    job = jobs.begin(job_id, task_id=task_id)
    if job is None:
        found = ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
        return found or "gone"
    try:
        qs = portfolio_queryset(**filters)
        total = qs.count()
        jobs.report(job, progress=1, message=f"Writing {total} rows")
        parts: list[str] = []
        for n, line in enumerate(csv_lines(qs.iterator(chunk_size=500), timezone.localdate())):
            parts.append(line)
            if n and n % PROGRESS_EVERY == 0:
                percent = min(95, 1 + n * 94 // max(total, 1))
                jobs.report(job, progress=percent, message=f"{n} of {total} rows written")
        job.file.save(job.filename, ContentFile("".join(parts).encode("utf-8")), save=False)
        if not jobs.finish(job, file=job.file.name, message=f"{total} rows"):
            job.file.delete(save=False)  # the job was taken from this attempt: keep no orphan
            return "superseded"
        return JobState.DONE
    except Exception as exc:  # the page must show the failure rather than wait for ever
        jobs.fail(job, f"{type(exc).__name__}: {exc}")
        raise
