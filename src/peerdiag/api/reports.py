"""The written feedback and the feedback files over HTTP.

The same permissions (reports/rules.py) and domain functions as the pages in
web/views/reports.py. The host council sees the draft and the comments only from its
factual-accuracy check on (before that it hears the step and the due date, as the page shows);
checks that must refuse an LGA administrator (a superuser passes every `user.has_perm`) ask
`rules.has_perm` directly, as the pages do. Files are built in the background: starting one
answers 202 with the job, which the caller polls until it is ready.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import PathEx, Router, Status
from ninja.params import P

from peerdiag.accounts.models import User
from peerdiag.common.jobs import settle as settle_job
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import written_for
from peerdiag.reports.domain.exports import content_type, recent_jobs, start_export
from peerdiag.reports.domain.reminders import days_left, due_on
from peerdiag.reports.domain.written import (
    add_comment,
    issue_written,
    numbered_labels,
    report_items,
    unresolved_comments,
)
from peerdiag.reports.enums import WRITTEN_STEPS, JobState, WrittenState
from peerdiag.reports.models import ExportJob, FactualComment, WrittenFeedback

from .common import (
    EDIT_ERRORS,
    GUARDED_READ_ERRORS,
    READ_ERRORS,
    SAME_REF,
    WRITE_ERRORS,
    Code,
    Ref,
    caller,
    diagnostic_for,
    links,
)
from .schemas.reports import (
    CommentIn,
    CommentOut,
    FeedbackFileIn,
    FeedbackFileOut,
    FileFormat,
    IssueIn,
    WrittenFeedbackOut,
)

router = Router(tags=["reports"])

VIEW = "reports.view_written"
COMMENT = "reports.comment"
ISSUE = "reports.issue"
EXPORT = "reports.export"
VIEW_INTERNAL = "diagnostics.view_internal"

D = "/diagnostics/{ref}"
F = D + "/feedback-files"
W = D + "/written-feedback"
SAME_FILE = {"ref": SAME_REF, "code": "$response.body#/code"}

NOT_YET_SHOWN = (
    "The council sees the written feedback and its comments once the factual-accuracy check begins"
)
NOT_COMMENTING = (
    "Only the host council comments, and only during its factual-accuracy check of the "
    "written feedback"
)
NOT_ISSUING = "Only the peer challenge manager or an LGA administrator issues the written feedback"

# The issued files: which field holds each format (a report: Word and PDF; slides: one file).
ISSUED_FILES = {
    FileFormat.DOCX: "issued_file",
    FileFormat.PPTX: "issued_file",
    FileFormat.PDF: "issued_pdf",
}


def _council_view(user: User, d: Diagnostic) -> bool:
    return not user.has_perm(VIEW_INTERNAL, d)


def _visible(written: WrittenFeedback, council: bool) -> bool:
    return not council or written.state in (WrittenState.COUNCIL_CHECK, WrittenState.ISSUED)


# --- Feedback files -----------------------------------------------------------------------


def _file(job: ExportJob) -> dict[str, Any]:
    return {
        "code": job.code,
        "kind": job.kind,
        "kind_label": job.get_kind_display(),
        "filename": job.filename,
        "state": job.state,
        "state_label": job.get_state_display(),
        "progress": job.progress,
        "message": job.message,
        "ready": job.state == JobState.DONE and bool(job.file),
        "requested_by": job.created_by.get_full_name() if job.created_by else None,
        "queued_at": job.queued_at,
        "finished_at": job.finished_at,
    }


def _job(d: Diagnostic, code: str) -> ExportJob:
    job = ExportJob.objects.filter(diagnostic=d, code=code).select_related("created_by").first()
    if job is None:
        raise Http404("No such file")
    return settle_job(job)  # a job whose worker stopped is ended here, with the reason


@router.get(
    F,
    response={200: list[FeedbackFileOut], **GUARDED_READ_ERRORS},
    url_name="feedback_file_list",
    operation_id="listFeedbackFiles",
    summary="The presentation and report files built lately, newest first (the last ten)",
)
def feedback_file_list(request: HttpRequest, ref: Ref) -> Any:
    """The ten latest files of the diagnostic; a build whose worker stopped is ended here."""
    d = diagnostic_for(request, ref, EXPORT)
    return [_file(job) for job in recent_jobs(d)]


@router.post(
    F,
    response={202: FeedbackFileOut, **WRITE_ERRORS},
    url_name="feedback_file_start",
    operation_id="buildFeedbackFile",
    summary="Start building the presentation or the report (Word or PDF) in the background",
    description="Answers 202 with the new file's `code`: ask `getFeedbackFile` for its progress "
    "until `ready` is true (or `state` is `failed`), then download it.",
    openapi_extra=links(202, getFeedbackFile=SAME_FILE, downloadFeedbackFile=SAME_FILE),
)
def feedback_file_start(request: HttpRequest, ref: Ref, payload: FeedbackFileIn) -> Any:
    """Queue the file; the task runs once the request is done (202, then poll)."""
    d = diagnostic_for(request, ref, EXPORT)
    job = start_export(d, by=caller(request), kind=str(payload.kind), draft=payload.draft)
    return Status(202, _file(job))


@router.get(
    F + "/{code}",
    response={200: FeedbackFileOut, **GUARDED_READ_ERRORS},
    url_name="feedback_file_detail",
    operation_id="getFeedbackFile",
    summary="One file's progress: its state, per cent done and what it is doing",
)
def feedback_file_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """One file's progress, settled as the files page settles it."""
    d = diagnostic_for(request, ref, EXPORT)
    return _file(_job(d, code))


@router.get(
    F + "/{code}/file",
    response={200: bytes, **GUARDED_READ_ERRORS},
    url_name="feedback_file_download",
    operation_id="downloadFeedbackFile",
    summary="Download a built file (404 until it is ready)",
)
def feedback_file_download(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """The built file, once it is ready; 404 before."""
    d = diagnostic_for(request, ref, EXPORT)
    job = _job(d, code)
    if job.state != JobState.DONE or not job.file:
        raise Http404("The file is not ready")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=content_type(job.filename),
    )


# --- The written feedback -----------------------------------------------------------------


def _steps(written: WrittenFeedback) -> list[dict[str, Any]]:
    at = WRITTEN_STEPS.index(WrittenState(written.state))
    out = []
    for i, step in enumerate(WRITTEN_STEPS):
        if step == WrittenState.ISSUED and at == i:
            status = "done"
        else:
            status = "done" if i < at else "current" if i == at else "todo"
        out.append({"state": step, "label": step.label, "status": status})
    return out


def _parts(d: Diagnostic, written: WrittenFeedback) -> list[dict[str, str]]:
    """What a council comment may point at, in the order of the report."""
    out = [
        {"key": p.key, "kind": "section", "label": p.heading}
        for p in written.paragraphs.all().order_by("order", "pk")
    ]
    items = report_items(d)
    for it, label in zip(items, numbered_labels(items), strict=True):
        out.append({"key": it.key, "kind": it.kind, "label": f"{label}: {it.item.text}"})
    return out


def _issued_files(written: WrittenFeedback) -> list[FileFormat]:
    if written.state != WrittenState.ISSUED:
        return []
    return [
        fmt
        for fmt, field in ISSUED_FILES.items()
        if getattr(written, field) and getattr(written, field).name.endswith(f".{fmt.value}")
    ]


def _written(d: Diagnostic, written: WrittenFeedback, user: User) -> dict[str, Any]:
    visible = _visible(written, _council_view(user, d))
    return {
        "state": written.state,
        "state_label": WrittenState(written.state).label,
        "version": written.version,
        "format": d.written_feedback_format or None,
        "due_on": due_on(d),
        "days_left": days_left(d, timezone.localdate()),
        "steps": _steps(written),
        "submitted_at": written.submitted_at,
        "pcm_checked_at": written.pcm_checked_at,
        "sent_to_council_at": written.sent_to_council_at,
        "council_returned_at": written.council_returned_at,
        "issued_at": written.issued_at,
        "draft_visible": visible,
        "unresolved_comments": unresolved_comments(written) if visible else None,
        "parts": _parts(d, written) if visible else [],
        "files": _issued_files(written),
    }


@router.get(
    W,
    response={200: WrittenFeedbackOut, **READ_ERRORS},
    url_name="written_feedback_detail",
    operation_id="getWrittenFeedback",
    summary="Where the written feedback is: its step, due date, the date of each step and the "
    "parts that may be commented on",
)
def written_feedback_detail(request: HttpRequest, ref: Ref) -> Any:
    """The step, due date and step dates; the draft's parts only to those who may read it."""
    user = caller(request)
    d = diagnostic_for(request, ref, VIEW)
    return _written(d, written_for(d), user)


@router.get(
    W + "/files/{which}",
    response={200: bytes, **GUARDED_READ_ERRORS},
    url_name="written_feedback_download",
    operation_id="downloadWrittenFeedback",
    summary="An issued file of the written feedback: the report in Word or PDF, or the slides",
)
def written_feedback_download(
    request: HttpRequest,
    ref: Ref,
    which: PathEx[FileFormat, P(description="docx, pdf or pptx")],
) -> Any:
    """An issued file in `which` format; 404 until issued, or for a format not issued."""
    d = diagnostic_for(request, ref, VIEW)
    fmt = FileFormat(which)
    written = WrittenFeedback.objects.filter(diagnostic=d).first()
    if written is None or fmt not in _issued_files(written):
        raise Http404("No such file")
    stored = getattr(written, ISSUED_FILES[fmt])
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{d.reference}-written-feedback.{fmt.value}",
        content_type=content_type(f"x.{fmt.value}"),
    )


def _comment(c: FactualComment) -> dict[str, Any]:
    return {
        "code": c.code,
        "version": c.version,
        "paragraph_key": c.paragraph_key,
        "text": c.text,
        "author": c.author.get_full_name() if c.author else "Someone at the council",
        "created_at": c.created_at,
        "response": c.response,
        "resolved": c.resolved_at is not None,
        "resolved_at": c.resolved_at,
    }


@router.get(
    W + "/comments",
    response={200: list[CommentOut], **GUARDED_READ_ERRORS},
    url_name="factual_comment_list",
    operation_id="listFactualComments",
    summary="The council's factual-accuracy comments and the responses, oldest first",
)
def factual_comment_list(request: HttpRequest, ref: Ref) -> Any:
    """The comments, oldest first; the council sees them from its check on (else 403)."""
    user = caller(request)
    d = diagnostic_for(request, ref, VIEW)
    written = written_for(d)
    if not _visible(written, _council_view(user, d)):
        raise PermissionDenied(NOT_YET_SHOWN)
    return [_comment(c) for c in written.comments.select_related("author")]


@router.post(
    W + "/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    url_name="factual_comment_add",
    operation_id="addFactualComment",
    summary="The council's comment on one part of the written feedback, during its check",
)
def factual_comment_add(request: HttpRequest, ref: Ref, payload: CommentIn) -> Any:
    """`paragraph_key` is the `key` of one of the written feedback's `parts`."""
    user = caller(request)
    d = diagnostic_for(request, ref, VIEW)
    # The rule itself, with no superuser short cut: an LGA administrator does not comment.
    if not rules.has_perm(COMMENT, user, d):
        raise PermissionDenied(NOT_COMMENTING)
    comment = add_comment(
        written_for(d), by=user, paragraph_key=payload.paragraph_key, text=payload.text
    )
    return Status(201, _comment(comment))


@router.post(
    W + "/issue",
    response={200: WrittenFeedbackOut, **EDIT_ERRORS},
    url_name="written_feedback_issue",
    operation_id="issueWrittenFeedback",
    summary="Issue the written feedback after the council's check: builds and keeps the final "
    "files",
    description="Refused (400) while a council comment is unresolved, before the council's "
    "check, or when the format (report or slides) is not chosen; 409 when `version` is stale.",
)
def written_feedback_issue(request: HttpRequest, ref: Ref, payload: IssueIn) -> Any:
    """Issue it from the version read: the same gate as the page's Issue button."""
    user = caller(request)
    d = diagnostic_for(request, ref, VIEW)
    if not user.has_perm(ISSUE, d):
        raise PermissionDenied(NOT_ISSUING)
    written = issue_written(written_for(d), by=user, version=payload.version)
    return _written(d, written, user)
