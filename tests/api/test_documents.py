"""Key documents over the API: requests, multipart upload, review, downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from tests.documents.helpers import PDF, PNG, upload

pytestmark = pytest.mark.django_db

D = "/diagnostics/RPD-2027-001/documents"


def _upload(api, code: str, content: bytes, name: str, classification: str = "official"):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api{D}/{code}/versions",
        {"file": SimpleUploadedFile(name, content), "classification": classification},
        headers=api._headers(),
    )


def test_pcm_requests_council_uploads_pcm_accepts(world, as_user):  # type: ignore[no-untyped-def]
    pcm, council = as_user(world.pcm), as_user(world.organiser)
    r = pcm.post(D, {"title": "Improvement plan", "category": "plans", "due_on": "2020-02-10"})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json() | {"code": ""} == {
        "code": "",
        "version": 1,
        "title": "Improvement plan",
        "category": "plans",
        "notes": "",
        "due_on": "2020-02-10",
        "status": "requested",
        "return_comment": "",
        "overdue": True,
        "kloes": [],
        "versions": [],
    }
    bad = _upload(council, code, PNG, "plan.pdf")
    assert bad.status_code == 400
    assert bad.json()["detail"][0]["field"] == "file"
    ok = _upload(council, code, PDF, "plan.pdf")
    assert ok.status_code == 201, ok.content
    assert (ok.json()["version"], ok.json()["content_type"]) == (1, "application/pdf")
    assert council.get(f"{D}/{code}").json()["status"] == "supplied"
    seen = council.get(f"{D}/{code}").json()["version"]
    assert seen == 2  # the upload moved the request on
    assert council.post(f"{D}/{code}/accept", {"version": seen}).status_code == 403
    empty = pcm.post(f"{D}/{code}/return", {"comment": " ", "version": seen})
    assert (empty.status_code, empty.json()["detail"][0]["field"]) == (400, "comment")
    assert pcm.post(f"{D}/{code}/accept", {"version": seen}).json()["status"] == "accepted"
    assert [x["code"] for x in council.get(D).json()] == [code]


def test_downloads_and_the_sensitive_rule(world, as_user):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Plan")
    official = supply_document(ask, by=None, file=upload(PDF, "a.pdf"), name="a.pdf")
    secret = supply_document(
        ask, by=None, file=upload(PDF, "b.pdf"), name="b.pdf", classification="official_sensitive"
    )
    files = "/diagnostics/RPD-2027-001/document-files"
    r = as_user(world.sponsor).get(f"{files}/{official.code}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    # Not cleared (no briefing read): refused, however senior.
    for user in (world.sponsor, world.peer, world.pcm, world.admin):
        assert as_user(user).get(f"{files}/{secret.code}").status_code == 403
    assert as_user(world.other_council_user).get(f"{files}/{secret.code}").status_code == 404


def test_unknown_kloe_code_names_the_field(world, as_user):  # type: ignore[no-untyped-def]
    r = as_user(world.pcm).post(D, {"title": "Plan", "kloes": ["nosuchcode"]})
    assert r.status_code == 400
    assert r.json()["detail"][0]["field"] == "kloes"
