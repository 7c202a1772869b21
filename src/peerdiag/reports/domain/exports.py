"""Feedback files built in the background, with their progress on an ExportJob (a Job).

`start_export` records a queued job and enqueues the task once the transaction commits; the
task calls `run_export`, which writes the progress (gathering, building, saving, done) as it
goes so the page polling the job can show it, and keeps a failure's message for the page.
Building a file is safe to repeat, so a job whose worker died is run again by another worker
(peerdiag.common.jobs); a late attempt that lost the job writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common import jobs
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..enums import ExportKind, JobState
from ..models import ExportJob
from ..render.model import Feedback
from .content import feedback_for

ACTIVE = jobs.ACTIVE
# Seconds one attempt at building a file may take before its page stops waiting.
TIME_LIMIT = 300

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
        job = jobs.create_job(
            kind,
            diagnostic=diagnostic,
            by=by,
            time_limit=TIME_LIMIT,
            filename=filename_for(diagnostic, kind, draft=draft),
        )
        audit.record(
            diagnostic,
            by=by,
            action="export",
            summary=f"Started building {job.filename}",
        )
        from ..tasks import run_export_job

        jobs.enqueue(job, run_export_job, job.pk, draft)
    return ExportJob.objects.get(pk=job.pk)


def run_export(job_id: int, draft: bool = False, task_id: str = "") -> str:
    """The task's body: build the job's file and store it. Returns the final state.

    Progress: 10% gathering the content, 50% building the file, 90% saving it, 100% done. Any
    failure leaves the job failed with the reason, so the page never waits for ever.
    """
    job = jobs.begin(job_id, task_id=task_id)
    if job is None:
        found = ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
        return found or "gone"
    try:
        if job.kind not in BUILDERS or job.diagnostic_id is None:
            raise DomainError("This kind of file cannot be built for a diagnostic")
        diagnostic = Diagnostic.objects.get(pk=job.diagnostic_id)
        _, _, build = BUILDERS[job.kind]
        jobs.report(job, progress=10, message="Gathering the findings and recommendations")
        fb = feedback_for(diagnostic, draft=draft)
        jobs.report(job, progress=50, message="Building the file")
        content = build(fb)
        jobs.report(job, progress=90, message="Saving the file")
        name = job.filename or filename_for(diagnostic, job.kind, draft=draft)
        job.file.save(name, ContentFile(content), save=False)
        if not jobs.finish(job, message="Ready to download", file=job.file.name, filename=name):
            job.file.delete(save=False)  # the job was taken from this attempt: keep no orphan
            return "superseded"
        return JobState.DONE
    except Exception as exc:  # the page must say the build failed rather than wait for ever
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        jobs.fail(job, f"The file could not be built: {message}")
        return JobState.FAILED


def recent_jobs(diagnostic: Diagnostic, limit: int = 10) -> list[ExportJob]:
    """The diagnostic's latest files, settled (a job whose worker is gone is ended)."""
    found = list(
        ExportJob.objects.filter(diagnostic=diagnostic)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
    jobs.settle_all(found)
    return found
