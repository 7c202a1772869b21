"""Key documents over HTTP: requests, uploads, review and downloads.

The same permissions (documents/rules.py) and domain functions as the pages. Sensitive
versions (official-sensitive, personal data) download only for cleared members of the team,
by the same rule the web's `sensitive("documents")` gatekeeper checks, and only with a token
of the sensitive scope (auth.py), which needs a fresh second factor to make.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.documents.domain.queries import get_request, get_version, is_overdue, requests_for
from peerdiag.documents.domain.requests import (
    accept_document,
    request_document,
    return_document,
)
from peerdiag.documents.domain.uploads import reclassify_version, supply_document
from peerdiag.documents.enums import Classification
from peerdiag.documents.models import DocumentRequest

from .auth import Scope, require_scope
from .common import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS, Code, Ref, caller
from .schemas.common import Message
from .schemas.documents import (
    AcceptIn,
    DocumentRequestCreate,
    DocumentRequestOut,
    ReclassifyIn,
    ReturnIn,
    VersionOut,
)

router = Router(tags=["documents"])

VIEW = "documents.view_requests"
MANAGE = "documents.manage_requests"
SUPPLY = "documents.supply_document"
DOWNLOAD = "documents.download_document"
SENSITIVE = "diagnostics.open_sensitive_documents"
D = "/diagnostics/{ref}/documents"
# Optional, so that a caller without permission hears 403/404 before anything about the body.
NO_FILE: Any = File(None)
DEFAULT_CLASSIFICATION: Any = Form(Classification.OFFICIAL)


def _out(ask: DocumentRequest) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "code": ask.code,
        "version": ask.version,
        "title": ask.title,
        "category": ask.category,
        "notes": ask.notes,
        "due_on": ask.due_on,
        "status": ask.status,
        "return_comment": ask.return_comment,
        "overdue": is_overdue(ask, timezone.localdate()),
        "kloes": [k.code for k in ask.kloes.all()],
        "versions": sorted(ask.versions.all(), key=lambda v: -v.version),
    }


@router.get(
    D,
    response={200: list[DocumentRequestOut], **READ_ERRORS, 403: Message},
    url_name="document_list",
    operation_id="listDocumentRequests",
    summary="Key document requests, outstanding first",
)
def document_list(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=VIEW)
    return [_out(r) for r in requests_for(d)]


@router.post(
    D,
    response={201: DocumentRequestOut, **WRITE_ERRORS},
    url_name="document_request_create",
    operation_id="createDocumentRequest",
    summary="Ask the council for a key document",
)
def document_request_create(request: HttpRequest, ref: Ref, payload: DocumentRequestCreate) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=MANAGE)
    kloes = list(d.kloes.filter(code__in=payload.kloes))
    if len(kloes) != len(set(payload.kloes)):
        raise DomainError("No key line of enquiry of this diagnostic has this code", field="kloes")
    ask = request_document(
        d,
        by=caller(request),
        title=payload.title,
        category=str(payload.category),
        due_on=payload.due_on,
        notes=payload.notes,
        kloes=kloes,
    )
    return Status(201, _out(ask))


@router.get(
    D + "/{code}",
    response={200: DocumentRequestOut, **READ_ERRORS, 403: Message},
    url_name="document_detail",
    operation_id="getDocumentRequest",
    summary="One key document request and its versions",
)
def document_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=VIEW)
    return _out(get_request(d, code))


@router.post(
    D + "/{code}/versions",
    response={201: VersionOut, **WRITE_ERRORS},
    url_name="document_upload",
    operation_id="uploadDocumentVersion",
    summary="Upload a new version of a requested document (multipart form)",
)
def document_upload(
    request: HttpRequest,
    ref: Ref,
    code: Code,
    file: UploadedFile | None = NO_FILE,
    classification: str = DEFAULT_CLASSIFICATION,
) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=SUPPLY)
    ask = get_request(d, code)
    if file is None:
        raise DomainError("Choose the file to upload", field="file")
    version = supply_document(
        ask, by=caller(request), file=file, name=file.name or "", classification=classification
    )
    return Status(201, version)


@router.post(
    D + "/{code}/accept",
    response={200: DocumentRequestOut, **EDIT_ERRORS},
    url_name="document_accept",
    operation_id="acceptDocument",
    summary="Accept the latest version supplied",
)
def document_accept(request: HttpRequest, ref: Ref, code: Code, payload: AcceptIn) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=MANAGE)
    ask = accept_document(get_request(d, code), by=caller(request), version=payload.version)
    return _out(ask)


@router.post(
    D + "/{code}/return",
    response={200: DocumentRequestOut, **EDIT_ERRORS},
    url_name="document_return",
    operation_id="returnDocument",
    summary="Send a supplied document back to the council with a comment",
)
def document_return(request: HttpRequest, ref: Ref, code: Code, payload: ReturnIn) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=MANAGE)
    ask = return_document(
        get_request(d, code), by=caller(request), comment=payload.comment, version=payload.version
    )
    return _out(ask)


@router.get(
    "/diagnostics/{ref}/document-files/{code}",
    response={200: bytes, **READ_ERRORS, 403: Message},
    url_name="document_download",
    operation_id="downloadDocumentVersion",
    summary="The file of one version (sensitive versions: cleared members of the team only, "
    "with a token of the sensitive scope)",
    description="A sensitive version (official-sensitive, or containing personal data) opens "
    "only to a cleared member of the team, and only with a token of the `sensitive` scope; "
    "otherwise the answer is 403, saying which is missing.",
)
def document_download(request: HttpRequest, ref: Ref, code: Code) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref)
    version = get_version(d, code)
    # rules.has_perm, not user.has_perm: being a superuser is no clearance.
    allowed = (
        rules.has_perm(SENSITIVE, user, d) if version.sensitive else user.has_perm(DOWNLOAD, d)
    )
    if not allowed:
        raise PermissionDenied
    if version.sensitive:
        # Being cleared is not enough: the token must have been made with a fresh second
        # factor for this (the sensitive scope), as the person's pages ask for one.
        require_scope(request, Scope.SENSITIVE)
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )


@router.post(
    "/diagnostics/{ref}/document-files/{code}/classification",
    response={200: VersionOut, **WRITE_ERRORS},
    url_name="document_reclassify",
    operation_id="reclassifyDocumentVersion",
    summary="Change how one version is classified (and so which download rule applies)",
)
def document_reclassify(request: HttpRequest, ref: Ref, code: Code, payload: ReclassifyIn) -> Any:
    # Not limited to open diagnostics: restricting a file found to hold personal data must
    # stay possible after the diagnostic closes.
    d = get_diagnostic_for_user(caller(request), ref, perm=MANAGE)
    version = get_version(d, code)
    return reclassify_version(
        version, by=caller(request), classification=str(payload.classification)
    )
