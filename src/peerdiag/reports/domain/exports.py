"""Feedback files built in the background, with their progress on an ExportJob row.

`start_export` records a queued job and enqueues the task once the transaction commits; the
task calls `run_export`, which writes the progress (gathering, building, saving, done) as it
goes so the page polling the job can show it, and keeps a failure's message for the page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..enums import ExportKind, JobState
from ..models import ExportJob
from ..render.model import Feedback
from .content import feedback_for

ACTIVE = (JobState.QUEUED, JobState.RUNNING)

CONTENT_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "text/csv",
}


def _presentation(fb: Feedback) -> bytes:
    from ..render.pptx import build_presentation

    return build_presentation(fb)


def _report_docx(fb: Feedback) -> bytes:
    from ..render.docx import build_report

    return build_report(fb)


def _report_pdf(fb: Feedback) -> bytes:
    from ..render.pdf import build_report_pdf

    return build_report_pdf(fb)


# kind → (file name after the reference, extension, renderer)
Builder = Callable[[Feedback], bytes]
BUILDERS: dict[str, tuple[str, str, Builder]] = {
    ExportKind.PRESENTATION: ("feedback", "pptx", _presentation),
    ExportKind.REPORT_DOCX: ("written-feedback", "docx", _report_docx),
    ExportKind.REPORT_PDF: ("written-feedback", "pdf", _report_pdf),
}
DIAGNOSTIC_KINDS = tuple(BUILDERS)


def content_type(filename: str) -> str:
    return CONTENT_TYPES.get(filename.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def filename_for(diagnostic: Diagnostic, kind: str, *, draft: bool) -> str:
    stem, ext, _ = BUILDERS[kind]
    return f"{diagnostic.reference}-{stem}{'-draft' if draft else ''}.{ext}"


def start_export(
    diagnostic: Diagnostic, *, by: User | None, kind: str, draft: bool = False
) -> ExportJob:
    """Queue a file for the diagnostic: the presentation, or the report in Word or PDF; a draft
    includes findings not yet approved and is marked as such.

    Side effects: the job row; the background task (on commit); audit entry.
    """
    if kind not in BUILDERS:
        raise DomainError("Choose the presentation or the report", field="kind")
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its feedback files can no longer be built")
    with transaction.atomic():
        job = ExportJob.objects.create(
            diagnostic=diagnostic,
            kind=kind,
            state=JobState.QUEUED,
            message="Waiting to start",
            filename=filename_for(diagnostic, kind, draft=draft),
            created_by=by if by is not None and by.is_authenticated else None,
        )
        audit.record(
            diagnostic,
            by=by,
            action="export",
            summary=f"Started building {job.filename}",
        )

    from ..tasks import run_export_job

    job_id = job.pk
    transaction.on_commit(lambda: run_export_job.enqueue(job_id, draft))
    return job


def _progress(job: ExportJob, progress: int, message: str, **extra: object) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress=progress, message=message, **extra)


def run_export(job_id: int, draft: bool = False) -> str:
    """The task's body: build the job's file and store it. Returns the final state.

    Progress: 10% gathering the content, 50% building the file, 90% saving it, 100% done. Any
    failure leaves the job failed with the reason, so the page never waits for ever.
    """
    job = ExportJob.objects.select_related("diagnostic").get(pk=job_id)
    if job.state not in ACTIVE:
        return job.state
    ExportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    try:
        if job.kind not in BUILDERS or job.diagnostic is None:
            raise DomainError("This kind of file cannot be built for a diagnostic")
        _, _, build = BUILDERS[job.kind]
        _progress(job, 10, "Gathering the findings and recommendations")
        fb = feedback_for(job.diagnostic, draft=draft)
        _progress(job, 50, "Building the file")
        content = build(fb)
        _progress(job, 90, "Saving the file")
        name = job.filename or filename_for(job.diagnostic, job.kind, draft=draft)
        job.file.save(name, ContentFile(content), save=False)
        _progress(
            job,
            100,
            "Ready to download",
            state=JobState.DONE,
            file=job.file.name,
            filename=name,
            finished_at=timezone.now(),
        )
        return JobState.DONE
    except Exception as exc:  # the page must say the build failed rather than wait for ever
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        ExportJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED,
            message=f"The file could not be built: {message}"[:300],
            finished_at=timezone.now(),
        )
        return JobState.FAILED


def recent_jobs(diagnostic: Diagnostic, limit: int = 10) -> list[ExportJob]:
    return list(
        ExportJob.objects.filter(diagnostic=diagnostic)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
