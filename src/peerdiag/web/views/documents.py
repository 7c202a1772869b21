"""Key documents: the PCM's requests, the council's uploads, review and downloads.

Public and official versions download through `document_download`; official-sensitive ones and
those with personal data only through `document_download_sensitive`, behind the
`sensitive("documents")` gatekeeper (cleared members of the team).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.documents.domain.queries import (
    get_request,
    get_version,
    is_overdue,
    latest_version,
    requests_for,
)
from peerdiag.documents.domain.requests import (
    accept_document,
    default_due_on,
    request_document,
    request_standard_documents,
    requested_titles,
    return_document,
    seed_standard_requests,
    standard_list,
)
from peerdiag.documents.domain.uploads import (
    ALLOWED_WORDS,
    max_upload_bytes,
    reclassify_version,
    supply_document,
    supply_documents,
)
from peerdiag.documents.enums import OUTSTANDING, RequestStatus
from peerdiag.documents.models import DocumentRequest, DocumentVersion
from peerdiag.web.forms.documents import (
    AcceptForm,
    DocumentRequestForm,
    MultiUploadForm,
    ReclassifyForm,
    ReturnForm,
    StandardListForm,
    UploadForm,
)

from .sensitive import may_open, sensitive
from .stale import already_saved

VIEW = "documents.view_requests"
MANAGE = "documents.manage_requests"
SUPPLY = "documents.supply_document"
DOWNLOAD = "documents.download_document"


def _can(request: HttpRequest, d: Diagnostic) -> dict[str, bool]:
    open_ = d.stage not in ENDED
    return {
        "can_manage": open_ and request.user.has_perm(MANAGE, d),
        "can_supply": open_ and request.user.has_perm(SUPPLY, d),
    }


@login_required
def document_list(request: HttpRequest, ref: str) -> HttpResponse:
    """Every request, outstanding first, with due dates and overdue tags."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    today = timezone.localdate()
    asks = list(requests_for(d))
    rows = [{"r": r, "overdue": is_overdue(r, today), "latest": latest_version(r)} for r in asks]
    return render(
        request,
        "web/documents/list.html",
        {
            "d": d,
            "rows": rows,
            "outstanding": sum(1 for r in asks if r.status in OUTSTANDING),
            "default_due": default_due_on(d),
            **_can(request, d),
        },
    )


@login_required
def document_request_create(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    form = DocumentRequestForm(request.POST or None, diagnostic=d)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ask = request_document(
                d,
                by=request.user,  # type: ignore[arg-type]
                title=data["title"],
                category=data["category"],
                due_on=data["due_on"],
                notes=data["notes"],
                kloes=form.chosen_kloes(),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"‘{ask.title}’ requested from the council")
            return redirect("web:document_list", d.reference)
    return render(
        request,
        "web/documents/request_form.html",
        {"d": d, "form": form, "default_due": default_due_on(d)},
    )


@login_required
@require_POST
def document_seed(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    try:
        made = seed_standard_requests(d, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{len(made)} standard documents requested")
    return redirect("web:document_list", d.reference)


@login_required
def document_standard_create(request: HttpRequest, ref: str) -> HttpResponse:
    """The type's standard list as tick boxes: the PCM requests the missing ones in one step."""
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    items = standard_list(d.type)
    have = requested_titles(d)
    pending = [item for item in items if item.title.lower() not in have]
    form = StandardListForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = request_standard_documents(
                d,
                by=request.user,  # type: ignore[arg-type]
                chosen=form.chosen(),
                due_on=data["due_on"],
                notes=data["notes"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if made:
                n = len(made)
                messages.success(
                    request,
                    f"{n} standard document{'s' if n != 1 else ''} requested from the council",
                )
            else:
                messages.info(request, "Those documents had been requested already")
            return redirect("web:document_list", d.reference)
    return render(
        request,
        "web/documents/standard_form.html",
        {
            "d": d,
            "form": form,
            "items": items,
            "pending": pending,
            "requested": [item for item in items if item.title.lower() in have],
            "default_due": default_due_on(d),
            "open": d.stage not in ENDED,
        },
    )


@login_required
def document_multi_upload(request: HttpRequest, ref: str) -> HttpResponse:
    """One form for several files: each open request's, and documents sent without one."""
    d = get_diagnostic_for_user(request.user, ref, perm=SUPPLY)
    asks = [a for a in requests_for(d) if a.status != RequestStatus.ACCEPTED]
    for ask in asks:
        ask.diagnostic = d
    form = MultiUploadForm(request.POST or None, request.FILES or None, asks=asks)
    chosen_before: dict[str, str] = {}
    if request.method == "POST":
        if form.is_valid():
            try:
                stored = supply_documents(
                    d,
                    form.to_supply(),
                    by=request.user,  # type: ignore[arg-type]
                )
            except DomainError as e:
                form.add_domain_error(e)
            else:
                n = len(stored)
                messages.success(request, f"{n} file{'s' if n != 1 else ''} uploaded")
                return redirect("web:document_list", d.reference)
        chosen_before = form.files_chosen()
        if chosen_before:
            refused = form.errors.keys() & chosen_before.keys()
            form.add_error(
                None,
                "Nothing was uploaded"
                + (": one file was refused" if refused else "")
                + ". Your other answers are kept, but a browser cannot keep chosen files: "
                "choose the files again",
            )
    today = timezone.localdate()
    return render(
        request,
        "web/documents/multi_upload.html",
        {
            "d": d,
            "form": form,
            "rows": [
                {**row, "before": chosen_before.get(row["file"].html_name, "")}
                | ({"overdue": is_overdue(row["ask"], today)} if "ask" in row else {})
                for row in form.rows()
            ],
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "allowed": ALLOWED_WORDS,
            "can_supply": d.stage not in ENDED,
        },
    )


def _detail(
    request: HttpRequest,
    d: Diagnostic,
    ask: DocumentRequest,
    *,
    upload_form: UploadForm | None = None,
    accept_form: AcceptForm | None = None,
    return_form: ReturnForm | None = None,
    reclassify_form: ReclassifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = list(ask.versions.select_related("uploaded_by"))
    return render(
        request,
        "web/documents/detail.html",
        {
            "d": d,
            "ask": ask,
            "versions": versions,
            "overdue": is_overdue(ask, timezone.localdate()),
            "upload_form": upload_form or UploadForm(),
            # Both carry the version of the request shown, so a PCM never accepts or returns a
            # file they have not seen (the council may upload another meanwhile).
            "accept_form": accept_form or AcceptForm(initial_version=ask.version),
            "return_form": return_form or ReturnForm(initial_version=ask.version),
            "reclassify_form": reclassify_form or ReclassifyForm(versions=versions),
            # Not limited to open diagnostics: restricting a file that turns out to hold
            # personal data must stay possible after the diagnostic closes.
            "can_reclassify": request.user.has_perm(MANAGE, d),
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "may_download": request.user.has_perm(DOWNLOAD, d),
            # A sensitive version links only for those its download lets in.
            "may_open_sensitive": may_open(request, d, "documents"),
            "may_review": ask.status == RequestStatus.SUPPLIED,
            "accepted": ask.status == RequestStatus.ACCEPTED,
            **_can(request, d),
        },
        status=status,
    )


@login_required
def document_detail(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    return _detail(request, d, get_request(d, code))


@login_required
@require_POST
def document_upload(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=SUPPLY)
    ask = get_request(d, code)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = supply_document(
                ask,
                by=request.user,  # type: ignore[arg-type]
                file=upload,
                name=upload.name,
                classification=form.cleaned_data["classification"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Version {version.version} of ‘{ask.title}’ uploaded")
            return redirect("web:document_detail", d.reference, ask.code)
    return _detail(request, d, ask, upload_form=form)


@login_required
@require_POST
def document_accept(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    ask = get_request(d, code)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _detail(request, d, ask, accept_form=form)
    try:
        accept_document(
            ask,
            by=request.user,  # type: ignore[arg-type]
            version=form.sent_version(),
        )
    except StaleEdit as e:
        saved = {"status": getattr(e.current, "status", "")}
        if not already_saved(e, request.user, saved=saved, sent={"status": "accepted"}):
            form.show_stale(e)
            return _detail(request, d, get_request(d, code), accept_form=form)
        messages.success(request, f"‘{ask.title}’ accepted")
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"‘{ask.title}’ accepted")
    return redirect("web:document_detail", d.reference, ask.code)


@login_required
@require_POST
def document_return(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    ask = get_request(d, code)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            return_document(
                ask,
                by=request.user,  # type: ignore[arg-type]
                comment=form.cleaned_data["comment"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            ask = get_request(d, code)
            saved = {"status": ask.status, "comment": ask.return_comment}
            sent = {"status": RequestStatus.RETURNED, "comment": form.cleaned_data["comment"]}
            if already_saved(e, request.user, saved=saved, sent=sent):
                messages.success(request, f"‘{ask.title}’ returned to the council")
                return redirect("web:document_detail", d.reference, ask.code)
            form.show_conflict(e, current={"comment": ask.return_comment})
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"‘{ask.title}’ returned to the council")
            return redirect("web:document_detail", d.reference, ask.code)
    return _detail(request, d, ask, return_form=form)


@login_required
@require_POST
def document_reclassify(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Change the classification of one version; which download URL serves it follows."""
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    ask = get_request(d, code)
    form = ReclassifyForm(request.POST, versions=list(ask.versions.all()))
    if form.is_valid():
        version = form.chosen_version()
        version.request = ask  # carries the permission-checked diagnostic
        before = version.classification
        try:
            reclassify_version(
                version,
                by=request.user,  # type: ignore[arg-type]
                classification=form.cleaned_data["classification"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if version.classification == before:
                messages.info(
                    request,
                    f"Version {version.version} was already {version.classification_label.lower()}"
                    ": nothing changed",
                )
            else:
                messages.success(
                    request,
                    f"Version {version.version} is now classified as "
                    f"{version.classification_label.lower()}",
                )
            return redirect("web:document_detail", d.reference, ask.code)
    return _detail(request, d, ask, reclassify_form=form)


def _file(version: DocumentVersion) -> FileResponse:
    if not version.file:
        raise Http404("This file was destroyed under the retention rules")
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )


@login_required
def document_download(request: HttpRequest, ref: str, code: str) -> FileResponse:
    """A public or official version: for the LGA, the team and the host council."""
    d = get_diagnostic_for_user(request.user, ref, perm=DOWNLOAD)
    version = get_version(d, code)
    if version.sensitive:
        raise Http404("No such document")  # sensitive versions have their own, guarded URL
    return _file(version)


@login_required
@sensitive("documents")
def document_download_sensitive(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """An official-sensitive version or one with personal data: cleared team members only."""
    d = get_diagnostic_for_user(request.user, ref)
    version = get_version(d, code)
    if not version.sensitive:
        raise Http404("No such document")
    # `sensitive` is typed for HttpResponse; a FileResponse streams, which Django accepts.
    return _file(version)  # type: ignore[return-value]
