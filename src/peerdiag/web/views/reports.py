"""The written feedback (its steps, sections, the council's comments, issued files) and the
feedback files built in the background.

The host council sees the draft only once it reaches their factual-accuracy check, and the
issued files after that; before, the page says it is being written and when it is due. Only
approved findings and recommendations are ever shown here (never notes or drafts). Checks that
must refuse an LGA admin (a superuser) ask `rules.has_perm` directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.jobs import settle as settle_job
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import feedback_for, written_for
from peerdiag.reports.domain.exports import content_type, recent_jobs, start_export
from peerdiag.reports.domain.reminders import days_left, due_on
from peerdiag.reports.domain.written import (
    COMMENT_NOUN,
    SECTION_NOUN,
    add_comment,
    council_done,
    issue_written,
    numbered_labels,
    paragraph_text,
    pass_pcm_check,
    report_items,
    resolve_comment,
    respond_to_comment,
    restore_paragraph,
    return_to_draft,
    section_history,
    submit_for_check,
    update_paragraph,
)
from peerdiag.reports.enums import WRITTEN_STEPS, JobState, WrittenState
from peerdiag.reports.models import ExportJob, FactualComment, ReportParagraph, WrittenFeedback
from peerdiag.web.forms.reports import (
    CommentForm,
    ExportForm,
    MoveForm,
    ParagraphForm,
    RespondForm,
    RestoreForm,
)
from peerdiag.web.views.common import recent_auth

VIEW = "reports.view_written"
EDIT = "reports.edit_written"
CHECK = "reports.check_written"
COMMENT = "reports.comment"
DONE = "reports.council_done"
ISSUE = "reports.issue"
EXPORT = "reports.export"

STEP_HINTS = {
    WrittenState.DRAFT: "The peer challenge manager writes the report's sections",
    WrittenState.PCM_CHECK: "The peer challenge manager checks its quality",
    WrittenState.COUNCIL_CHECK: "The council checks the facts and comments",
    WrittenState.ISSUED: "The final report or slides go to the council",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _strict(request: HttpRequest, perm: str, d: Diagnostic) -> bool:
    """The rule itself, with no superuser short cut."""
    return bool(rules.has_perm(perm, request.user, d))


def _council_view(request: HttpRequest, d: Diagnostic) -> bool:
    return not request.user.has_perm("diagnostics.view_internal", d)


def _visible(written: WrittenFeedback, council: bool) -> bool:
    return not council or written.state in (WrittenState.COUNCIL_CHECK, WrittenState.ISSUED)


# The written feedback page ---------------------------------------------------------------------


def _steps(written: WrittenFeedback) -> list[dict[str, Any]]:
    at = WRITTEN_STEPS.index(WrittenState(written.state))
    out = []
    for i, step in enumerate(WRITTEN_STEPS):
        if step == WrittenState.ISSUED and at == i:
            status = "done"
        else:
            status = "done" if i < at else "current" if i == at else "todo"
        out.append({"label": step.label, "hint": STEP_HINTS[step], "status": status})
    return out


def _actions(request: HttpRequest, d: Diagnostic, written: WrittenFeedback) -> list[str]:
    if d.stage in ENDED:
        return []
    state = written.state
    out = []
    if state == WrittenState.DRAFT and request.user.has_perm(EDIT, d):
        out.append("submit")
    if state == WrittenState.PCM_CHECK and _strict(request, CHECK, d):
        out += ["pass_check", "return"]
    if state == WrittenState.COUNCIL_CHECK:
        if written.council_returned_at is None and request.user.has_perm(DONE, d):
            out.append("council_done")
        if request.user.has_perm(ISSUE, d):
            out.append("issue")
        if _strict(request, CHECK, d):
            out.append("return")
    return out


def _comment_choices(paragraphs: list[Any], items: list[Any]) -> list[tuple[str, str]]:
    choices = [("", "Choose a part of the report")]
    choices += [(p.key, p.heading) for p in paragraphs]
    for it, label in zip(items, numbered_labels(items), strict=True):
        text = it.item.text if len(it.item.text) <= 70 else it.item.text[:67] + "..."
        choices.append((it.key, f"{label}: {text}"))
    return choices


def _page(
    request: HttpRequest,
    d: Diagnostic,
    *,
    comment_form: CommentForm | None = None,
    move_form: MoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    written = written_for(d)
    council = _council_view(request, d)
    today = timezone.localdate()
    left = days_left(d, today)
    ctx: dict[str, Any] = {
        "d": d,
        "written": written,
        "council": council,
        "visible": _visible(written, council),
        "due": due_on(d),
        "days_left": left,
        "overdue_by": -left if left is not None and left < 0 else 0,
        "steps": _steps(written),
        "issued": written.state == WrittenState.ISSUED,
    }
    if ctx["visible"]:
        feedback = feedback_for(d)
        paragraphs = list(written.paragraphs.all())
        items = report_items(d, feedback)
        by_key: dict[str, list[FactualComment]] = defaultdict(list)
        for c in written.comments.select_related("author", "resolved_by"):
            by_key[c.paragraph_key].append(c)
        can_comment = _strict(request, COMMENT, d) and d.stage not in ENDED
        ctx |= {
            "paragraphs": [{"p": p, "comments": by_key.get(p.key, [])} for p in paragraphs],
            "items": {
                kind: [
                    {"it": it, "comments": by_key.get(it.key, [])}
                    for it in items
                    if it.kind == kind
                ]
                for kind in ("strength", "area", "recommendation")
            },
            "unresolved": sum(1 for cs in by_key.values() for c in cs if c.resolved_at is None),
            "comment_count": sum(len(cs) for cs in by_key.values()),
            "can_edit": written.state == WrittenState.DRAFT
            and d.stage not in ENDED
            and request.user.has_perm(EDIT, d),
            "can_history": not council and request.user.has_perm(EDIT, d),
            "can_comment": can_comment,
            "can_respond": _strict(request, CHECK, d)
            and written.state != WrittenState.ISSUED
            and d.stage not in ENDED,
            "actions": _actions(request, d, written),
            "comment_form": comment_form
            or (CommentForm(keys=_comment_choices(paragraphs, items)) if can_comment else None),
            "move_form": move_form,
            "can_change_format": request.user.has_perm("diagnostics.change_diagnostic", d)
            and not council,
        }
    return render(request, "web/reports/written.html", ctx, status=status)


@login_required
def written_feedback(request: HttpRequest, ref: str) -> HttpResponse:
    """Where the written feedback is, when it is due, its sections and the council's comments."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    return _page(request, d)


def _stale(form: Any, current_version: int) -> bool:
    """A form with other errors that was also drawn from an older version than `current`."""
    sent = form.cleaned_data.get("version") if "version" not in form.errors else None
    return sent is not None and sent != current_version


def _section(d: Diagnostic, key: str) -> tuple[WrittenFeedback, ReportParagraph]:
    written = written_for(d)
    paragraph = written.paragraphs.select_related("changed_by").filter(key=key).first()
    if paragraph is None:
        raise Http404("No such section")
    return written, paragraph


@login_required
def written_paragraph(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    """Edit one section of the report while it is a draft. The form carries the version it was
    drawn from: a save from an older one shows the conflict panel and writes nothing."""
    d = get_diagnostic_for_user(request.user, ref, perm=EDIT)
    written, paragraph = _section(d, key)
    form = ParagraphForm(
        request.POST or None, initial=paragraph_text(paragraph), initial_version=paragraph.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_paragraph(
                written,
                by=_user(request),
                key=key,
                heading=form.cleaned_data["heading"],
                text=form.cleaned_data["text"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current=paragraph_text(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"‘{form.cleaned_data['heading']}’ saved")
            return redirect("web:written_feedback", d.reference)
    elif request.method == "POST" and _stale(form, paragraph.version):
        # Someone saved since: say so now, not only once the form is put right.
        stale = StaleEdit(paragraph, noun=SECTION_NOUN)
        form.show_conflict(stale, current=paragraph_text(paragraph))
    return render(
        request,
        "web/reports/paragraph_form.html",
        {
            "d": d,
            "paragraph": paragraph,
            "form": form,
            "editable": written.state == WrittenState.DRAFT and d.stage not in ENDED,
        },
    )


def _history_page(
    request: HttpRequest,
    d: Diagnostic,
    written: WrittenFeedback,
    paragraph: ReportParagraph,
    *,
    form: RestoreForm | None = None,
) -> HttpResponse:
    revisions = section_history(paragraph)
    return render(
        request,
        "web/reports/paragraph_history.html",
        {
            "d": d,
            "paragraph": paragraph,
            "revisions": revisions,
            "form": form,
            "editable": written.state == WrittenState.DRAFT and d.stage not in ENDED,
        },
    )


@login_required
def written_paragraph_history(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    """Every saved wording of one section, newest first, each of which can be put back."""
    d = get_diagnostic_for_user(request.user, ref, perm=EDIT)
    written, paragraph = _section(d, key)
    return _history_page(request, d, written, paragraph)


@login_required
@require_POST
def written_paragraph_restore(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    """Put an earlier wording of a section back (as a new version). The form carries the
    version the history page showed, so a section saved since is not replaced unseen."""
    d = get_diagnostic_for_user(request.user, ref, perm=EDIT)
    written, paragraph = _section(d, key)
    form = RestoreForm(request.POST)
    if form.is_valid():
        restore = form.cleaned_data["restore"]
        try:
            restored = restore_paragraph(
                written,
                by=_user(request),
                key=key,
                restore=restore,
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.add_error(
                None,
                f"{e.changed_by_name} saved this section at {when_text(e.changed_at)}, after "
                "you opened it, so nothing has been put back. The list below now shows their "
                "version: check it, then choose again",
            )
            paragraph.refresh_from_db()
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request,
                f"Version {restore} of ‘{restored.heading}’ is back, saved as version "
                f"{restored.version}",
            )
            return redirect("web:written_paragraph_history", d.reference, key)
    return _history_page(request, d, written, paragraph, form=form)


MOVES: dict[str, tuple[str, bool, str]] = {
    # action → (permission, checked strictly, message on success)
    "submit": (EDIT, False, "Sent to the peer challenge manager for checking"),
    "pass_check": (CHECK, True, "Checked: the council has been asked to check the facts"),
    "return": (CHECK, True, "Returned to the draft"),
    "council_done": (DONE, False, "Recorded that the council's factual check is finished"),
    "issue": (ISSUE, False, "The written feedback is issued"),
}


def _do(action: str, written: WrittenFeedback, by: User, reason: str, version: int) -> Any:
    calls: dict[str, Callable[[], Any]] = {
        "submit": lambda: submit_for_check(written, by=by, version=version),
        "pass_check": lambda: pass_pcm_check(written, by=by, version=version),
        "return": lambda: return_to_draft(written, by=by, reason=reason, version=version),
        "council_done": lambda: council_done(written, by=by, version=version),
        "issue": lambda: issue_written(written, by=by, version=version),
    }
    return calls[action]()


@login_required
@require_POST
@recent_auth()
def written_move(request: HttpRequest, ref: str) -> HttpResponse:
    """One step of the written feedback, named by `action`, from the version the page showed:
    a move sent from a page opened before someone else moved it on does nothing."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    form = MoveForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(
                request,
                "That page was out of date, so nothing was done. Here is the written feedback "
                "as it is now: check it and try again",
            )
        else:
            messages.error(request, "Choose what to do with the written feedback")
        return redirect("web:written_feedback", d.reference)
    action = form.cleaned_data["action"]
    perm, strict, done = MOVES[action]
    allowed = _strict(request, perm, d) if strict else request.user.has_perm(perm, d)
    if not allowed:
        raise PermissionDenied
    try:
        _do(
            action,
            written_for(d),
            _user(request),
            form.cleaned_data["reason"],
            form.sent_version(),
        )
    except StaleEdit as e:
        stale = (
            f"{e.changed_by_name} moved the written feedback on at {when_text(e.changed_at)}, "
            "after you opened it, so nothing was done. Here it is as it stands now: check it "
            "and try again if you still need to"
        )
        if action == "return" and form.cleaned_data["reason"].strip():
            # The reason they typed stays on the page, in the form, to send again.
            form.add_error(None, stale)
            return _page(request, d, move_form=form)
        messages.error(request, stale)
    except DomainError as e:
        if action == "return" and e.field == "reason":
            form.add_domain_error(e)
            return _page(request, d, move_form=form, status=400)
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    return redirect("web:written_feedback", d.reference)


@login_required
@require_POST
def written_comment_add(request: HttpRequest, ref: str) -> HttpResponse:
    """The council's comment on one part of the report, during its factual-accuracy check."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    if not _strict(request, COMMENT, d):
        raise PermissionDenied
    written = written_for(d)
    keys = _comment_choices(list(written.paragraphs.all()), report_items(d))
    form = CommentForm(request.POST, keys=keys)
    if form.is_valid():
        try:
            add_comment(
                written,
                by=_user(request),
                paragraph_key=form.cleaned_data["paragraph_key"],
                text=form.cleaned_data["text"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Your comment is saved")
            return redirect("web:written_feedback", d.reference)
    return _page(request, d, comment_form=form, status=400)


@login_required
def written_comment_respond(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """The PCM's response to a council comment, and marking it resolved."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    if not _strict(request, CHECK, d):
        raise PermissionDenied
    comment = (
        FactualComment.objects.filter(written__diagnostic=d, code=code)
        .select_related("written__diagnostic", "author")
        .first()
    )
    if comment is None:
        raise Http404("No such comment")
    comment.written.diagnostic = d
    form = RespondForm(
        request.POST or None,
        initial={"response": comment.response},
        initial_version=comment.version,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by, version = _user(request), form.sent_version()
        try:
            if data["resolve"]:
                resolve_comment(comment, by=by, response=data["response"], version=version)
            else:
                respond_to_comment(comment, by=by, response=data["response"], version=version)
        except StaleEdit as e:
            form.show_conflict(e, current={"response": e.current.response})  # type: ignore[attr-defined]
            comment.refresh_from_db()
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Comment resolved" if data["resolve"] else "Response saved")
            return redirect("web:written_feedback", d.reference)
    elif request.method == "POST" and _stale(form, comment.version):
        # Someone answered since: say so now, not only once the form is put right.
        stale = StaleEdit(comment, noun=COMMENT_NOUN)
        form.show_conflict(stale, current={"response": comment.response})
    return render(
        request,
        "web/reports/comment_respond.html",
        {"d": d, "comment": comment, "form": form},
    )


DOWNLOADS = {"docx": "issued_file", "pptx": "issued_file", "pdf": "issued_pdf"}


@login_required
def written_download(request: HttpRequest, ref: str, which: str) -> FileResponse:
    """An issued file of the written feedback (Word, PDF or slides)."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    written = WrittenFeedback.objects.filter(diagnostic=d).first()
    if which not in DOWNLOADS or written is None or written.state != WrittenState.ISSUED:
        raise Http404("No such file")
    stored = getattr(written, DOWNLOADS[which])
    if not stored or not stored.name.endswith(f".{which}"):
        raise Http404("No such file")
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{d.reference}-written-feedback.{which}",
        content_type=content_type(f"x.{which}"),
    )


# Exports --------------------------------------------------------------------------------------


def _job(d: Diagnostic, code: str) -> ExportJob:
    job = ExportJob.objects.filter(diagnostic=d, code=code).first()
    if job is None:
        raise Http404("No such file")
    return settle_job(job)  # a job whose worker stopped is ended here, with the reason


@login_required
def report_exports(request: HttpRequest, ref: str) -> HttpResponse:
    """Build the presentation or the report in the background, and the files built lately."""
    d = get_diagnostic_for_user(request.user, ref, perm=EXPORT)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = start_export(
                d,
                by=_user(request),
                kind=form.cleaned_data["kind"],
                draft=form.is_draft(),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Building {job.filename}")
            return redirect("web:report_exports", d.reference)
    jobs = recent_jobs(d)
    return render(
        request,
        "web/reports/exports.html",
        {
            "d": d,
            "form": form,
            "jobs": jobs,
            "ended": d.stage in ENDED,
            "active": [j for j in jobs if j.state in (JobState.QUEUED, JobState.RUNNING)],
        },
    )


@login_required
def report_export_status(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """One job's progress alone, for htmx to swap in every second while it runs."""
    d = get_diagnostic_for_user(request.user, ref, perm=EXPORT)
    job = _job(d, code)
    return render(
        request,
        "web/reports/exports.html#job",
        {
            "d": d,
            "job": job,
            "fragment": True,
            "status_changed": request.GET.get("seen") != job.state,
        },
    )


@login_required
def report_export_download(request: HttpRequest, ref: str, code: str) -> FileResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=EXPORT)
    job = _job(d, code)
    if job.state != JobState.DONE or not job.file:
        raise Http404("The file is not ready")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=content_type(job.filename),
    )
