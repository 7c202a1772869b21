"""The portfolio as a CSV file, built in the background with its progress on an ExportJob.

The portfolio page offers the file; building it for every diagnostic in England can take a
while, so the request only queues the job and the page polls it (reports' ExportJob model).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.reports.enums import ExportKind, JobState
from peerdiag.reports.models import ExportJob

from .portfolio import csv_lines, portfolio_queryset

PROGRESS_EVERY = 50


def start_portfolio_export(*, by: User | None, filters: dict[str, str]) -> ExportJob:
    """Queue the portfolio CSV with the page's filters (stage, region, type).

    Side effects: the job row; the background task once the transaction commits.
    """
    chosen = {k: str(filters.get(k) or "") for k in ("stage", "region", "type")}
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=ExportKind.PORTFOLIO_CSV,
            created_by=by if by is not None and by.is_authenticated else None,
            message="Waiting to start",
            filename=f"portfolio-{timezone.localdate().isoformat()}.csv",
        )
    from ..tasks import build_portfolio_export

    transaction.on_commit(lambda: build_portfolio_export.enqueue(job.pk, chosen))
    return job


def _update(job: ExportJob, **fields: object) -> None:
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def run_portfolio_export(job_id: int, filters: dict[str, str]) -> str:
    """The task's body: write every row, keeping the progress up to date; returns the state."""
    job = ExportJob.objects.get(pk=job_id)
    if job.state != JobState.QUEUED:
        return job.state
    try:
        qs = portfolio_queryset(**filters)
        total = qs.count()
        _update(job, state=JobState.RUNNING, progress=1, message=f"Writing {total} rows")
        parts: list[str] = []
        for n, line in enumerate(csv_lines(qs.iterator(chunk_size=500), timezone.localdate())):
            parts.append(line)
            if n and n % PROGRESS_EVERY == 0:
                percent = min(95, 1 + n * 94 // max(total, 1))
                _update(job, progress=percent, message=f"{n} of {total} rows written")
        job.file.save(job.filename, ContentFile("".join(parts).encode("utf-8")), save=False)
        _update(
            job,
            file=job.file.name,
            state=JobState.DONE,
            progress=100,
            message=f"{total} rows",
            finished_at=timezone.now(),
        )
        return JobState.DONE
    except Exception as exc:  # the page must show the failure rather than wait for ever
        _update(
            job,
            state=JobState.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:300],
            finished_at=timezone.now(),
        )
        raise
