"""Two people reviewing the same key document request: a review made from a page that is out of
date is refused, says who changed the request, and keeps what the person typed."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from peerdiag.common.versioning import StaleEdit
from peerdiag.documents.domain.requests import accept_document, request_document, return_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.models import DocumentRequest
from tests.api.conftest import ApiClient
from tests.documents.helpers import PDF, upload


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _name(user: Any) -> str:
    return (user.get_full_name() or "").strip() or user.email


def _versions_on(page: str) -> list[int]:
    found = [int(v) for v in re.findall(r'name="version" value="(\d+)"', page)]
    assert found, "the page's forms carry no version"
    return found


def _supplied(world: Any) -> tuple[DocumentRequest, str]:
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    supply_document(ask, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    return ask, f"/diagnostics/{world.own.reference}/documents/{ask.code}/"


def test_accepting_from_a_page_opened_before_a_new_upload_is_refused(world):  # type: ignore[no-untyped-def]
    ask, url = _supplied(world)
    pcm = _client(world.pcm)
    seen = _versions_on(pcm.get(url).content.decode())
    assert set(seen) == {ask.version}
    # The council uploads a better file while the PCM is reading the first one.
    supply_document(ask, by=world.organiser, file=upload(PDF, "b.pdf"), name="b.pdf")
    page = unescape(pcm.post(url + "accept/", {"version": seen[0]}).content.decode())
    ask.refresh_from_db()
    assert ask.status == "supplied"  # not accepted: the PCM has not seen version 2
    assert "There is a problem" in page
    assert f"{_name(world.organiser)} changed this document request at" in page
    assert "so it has not been accepted" in page
    # The page now offers the latest version to accept, and accepting it works.
    assert set(_versions_on(page)) == {ask.version}
    ok = pcm.post(url + "accept/", {"version": ask.version})
    assert ok.status_code == 302
    ask.refresh_from_db()
    assert ask.status == "accepted"


def test_a_stale_return_keeps_both_comments_and_the_first_one_stored(world):  # type: ignore[no-untyped-def]
    ask, url = _supplied(world)
    admin, pcm = _client(world.admin), _client(world.pcm)
    v_admin = _versions_on(admin.get(url).content.decode())[0]
    v_pcm = _versions_on(pcm.get(url).content.decode())[0]
    assert v_admin == v_pcm == ask.version
    first = admin.post(url + "return/", {"comment": "This is last year's plan", "version": v_admin})
    assert first.status_code == 302
    stale = pcm.post(url + "return/", {"comment": "Pages 4 to 9 are missing", "version": v_pcm})
    page = unescape(stale.content.decode())
    ask.refresh_from_db()
    assert (ask.status, ask.return_comment) == ("returned", "This is last year's plan")
    assert ask.changed_by == world.admin
    assert "Saved by someone else" in page
    assert f"{_name(world.admin)} saved a change at" in page
    # Theirs shown as saved, ours kept beside it, read-only, to copy into a new comment once
    # the council sends another file (the request is returned now, so it cannot be returned).
    assert re.search(r'pd-preserve-lines"[^>]*>This is last year\'s plan</div>', page)
    assert re.search(r"<textarea[^>]*readonly[^>]*>Pages 4 to 9 are missing</textarea>", page)
    assert re.search(r"Status</dt>\s*<dd[^>]*>Returned</dd>", page)


def test_the_api_answers_409_with_the_current_version(world):  # type: ignore[no-untyped-def]
    ask, _ = _supplied(world)
    base = f"/diagnostics/{world.own.reference}/documents/{ask.code}"
    admin, pcm = ApiClient(world.admin), ApiClient(world.pcm)
    seen = pcm.get(base).json()["version"]
    assert (
        admin.post(base + "/return", {"comment": "Wrong year", "version": seen}).status_code == 200
    )
    stale = pcm.post(base + "/accept", {"version": seen})
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == seen + 1
    assert body["changed_by"] == _name(world.admin)
    assert body["detail"][0]["field"] == "version"
    ask.refresh_from_db()
    assert (ask.status, ask.return_comment) == ("returned", "Wrong year")
    missing = pcm.post(base + "/accept", {})
    assert (missing.status_code, missing.json()["detail"][0]["field"]) == (422, "version")


def test_the_domain_refuses_a_stale_version(world):  # type: ignore[no-untyped-def]
    ask, _ = _supplied(world)
    seen = ask.version
    return_document(ask, by=world.admin, comment="Wrong year", version=seen)
    other = DocumentRequest.objects.get(pk=ask.pk)
    with pytest.raises(StaleEdit) as refused:
        accept_document(other, by=world.pcm, version=seen)
    assert refused.value.current_version == seen + 1 and refused.value.changed_by == world.admin
    assert DocumentRequest.objects.get(pk=ask.pk).status == "returned"


def test_the_same_review_sent_twice_is_not_called_a_conflict(world):  # type: ignore[no-untyped-def]
    ask, url = _supplied(world)
    pcm = _client(world.pcm)
    data = {"comment": "Wrong year", "version": ask.version}
    assert pcm.post(url + "return/", data).status_code == 302
    page = unescape(pcm.post(url + "return/", data, follow=True).content.decode())
    assert "returned to the council" in page and "There is a problem" not in page
    ask.refresh_from_db()
    assert (ask.status, ask.return_comment, ask.version) == ("returned", "Wrong year", 3)
