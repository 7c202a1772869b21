"""Entries for key documents: requests, uploads, review and downloads, pages and API."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from peerdiag.common.models import new_code
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document

from . import A_VIEW, CHANGE, CHANGE_POST, RC, VIEW, Case, R, a_change, rel

# The council supplies documents (and the PCM on its behalf); the team only reads them.
SUPPLY = rel(anon=302, admin=200, pcm=200, team=403, council=200, none=404)
A_SUPPLY_EMPTY = rel(anon=401, admin=400, pcm=400, team=403, council=400, none=404)
# Public and official files: the LGA, the team and the host council.
DOWNLOAD = rel(anon=302, admin=200, pcm=200, team=200, council=200, none=404)
A_DOWNLOAD = rel(anon=401, admin=200, pcm=200, team=200, council=200, none=404)
# Sensitive files: cleared members of the team only. Nobody in the matrix world has read a
# briefing, so all are refused; tests/diagnostics/test_sensitive_urls.py tries a cleared peer.
SENSITIVE = rel(anon=302, admin=403, pcm=403, team=403, council=403, none=404)


def _ask(d: Any) -> dict[str, str]:
    return {"code": request_document(d, by=None, title=f"Plan {new_code()}").code}


def _version(d: Any, classification: str = "official") -> dict[str, str]:
    ask = request_document(d, by=None, title=f"Plan {new_code()}")
    pdf = ContentFile(b"%PDF-1.4 matrix", name="plan.pdf")
    v = supply_document(ask, by=None, file=pdf, name="plan.pdf", classification=classification)
    return {"code": v.code}


def _sensitive_version(d: Any) -> dict[str, str]:
    return _version(d, "official_sensitive")


def _supplied_ask(d: Any) -> dict[str, str]:
    ask = request_document(d, by=None, title=f"Plan {new_code()}")
    pdf = ContentFile(b"%PDF-1.4 matrix", name="plan.pdf")
    supply_document(ask, by=None, file=pdf, name="plan.pdf")
    return {"code": ask.code}


def _new_title(d: Any) -> dict[str, str]:
    return {"title": f"Strategy {new_code()}"}


ENTRIES: dict[str, Case] = {
    "web:document_list": Case(VIEW, kwargs=R),
    "web:document_request_create": Case(CHANGE, kwargs=R),
    "web:document_seed": Case(CHANGE_POST, method="POST", kwargs=R),
    "web:document_detail": Case(VIEW, kwargs=RC, make=_ask),
    # Sent without a file, the page comes back with its error summary (200).
    "web:document_upload": Case(SUPPLY, method="POST", kwargs=RC, make=_ask),
    # Nothing supplied yet: refused with a message and a redirect to the request.
    "web:document_accept": Case(
        CHANGE_POST, method="POST", data={"version": "1"}, kwargs=RC, make=_ask
    ),
    "web:document_return": Case(CHANGE, method="POST", kwargs=RC, make=_ask),
    "web:document_download": Case(DOWNLOAD, kwargs=RC, make=_version),
    "web:document_download_sensitive": Case(SENSITIVE, kwargs=RC, make=_sensitive_version),
    # Sent without a choice, the page comes back with its error summary (200).
    "web:document_reclassify": Case(CHANGE, method="POST", kwargs=RC, make=_supplied_ask),
    "api:document_list": Case(A_VIEW, kwargs=R, api=True),
    "api:document_request_create": Case(
        a_change(201), method="POST", data=_new_title, kwargs=R, api=True
    ),
    "api:document_detail": Case(A_VIEW, kwargs=RC, make=_ask, api=True),
    "api:document_upload": Case(A_SUPPLY_EMPTY, method="POST", kwargs=RC, make=_ask, api=True),
    "api:document_accept": Case(
        a_change(400), method="POST", data={"version": 1}, kwargs=RC, make=_ask, api=True
    ),
    "api:document_return": Case(
        a_change(400),
        method="POST",
        data={"comment": "Too old", "version": 1},
        kwargs=RC,
        make=_ask,
        api=True,
    ),
    "api:document_download": Case(A_DOWNLOAD, kwargs=RC, make=_version, api=True),
    "api:document_reclassify": Case(
        a_change(200),
        method="POST",
        data={"classification": "public"},
        kwargs=RC,
        make=_version,
        api=True,
    ),
}
