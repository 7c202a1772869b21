"""The API's Idempotency-Key header: a POST that creates, sent again with the same key, creates
once and gets the first answer back; the same key with a different body is refused (422)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from peerdiag.api import idempotency
from peerdiag.diagnostics.models import Kloe
from peerdiag.reports.models import ExportJob
from tests.reports.helpers import drafted

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
KLOES = "/api/diagnostics/RPD-2027-001/kloes"


def _post(api: ApiClient, body: Any, key: str | None, path: str = KLOES) -> Any:
    headers = api._headers()
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_a_replay_with_the_same_key_returns_the_first_answer_and_creates_once(world):  # type: ignore[no-untyped-def]
    api = ApiClient(world.pcm)
    first = _post(api, {"text": "Voice of the child"}, "key-1")
    again = _post(api, {"text": "Voice of the child"}, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and first.json()["text"] == "Voice of the child"
    assert again["Idempotent-Replayed"] == "true"
    assert Kloe.objects.filter(diagnostic=world.own).count() == 1
    # Without the header, or with a new key, the same body is a new request.
    _post(api, {"text": "Voice of the child"}, "key-2")
    assert Kloe.objects.filter(diagnostic=world.own).count() == 2


def test_the_same_key_with_a_different_body_is_422_naming_the_header(world):  # type: ignore[no-untyped-def]
    api = ApiClient(world.pcm)
    _post(api, {"text": "Voice of the child"}, "key-1")
    response = _post(api, {"text": "Early help"}, "key-1")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "Idempotency-Key" and "different request" in error["message"]
    assert list(Kloe.objects.values_list("text", flat=True)) == ["Voice of the child"]


def test_keys_belong_to_their_token(world):  # type: ignore[no-untyped-def]
    """Two callers that happen to choose the same key each get their own request."""
    _post(ApiClient(world.pcm), {"text": "Voice of the child"}, "shared")
    other = _post(ApiClient(world.pcm), {"text": "Voice of the child"}, "shared")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Kloe.objects.filter(diagnostic=world.own).count() == 2


def test_a_refused_request_keeps_no_answer_so_a_corrected_one_may_reuse_the_key(world):  # type: ignore[no-untyped-def]
    api = ApiClient(world.pcm)
    refused = _post(api, {"text": ""}, "key-1")
    assert refused.status_code == 400 and not Kloe.objects.exists()
    again = _post(api, {"text": ""}, "key-1")
    assert again.status_code == 400  # the same bad request is simply refused again
    fixed = _post(api, {"text": "Voice of the child"}, "key-1")
    assert fixed.status_code == 201
    assert list(Kloe.objects.values_list("text", flat=True)) == ["Voice of the child"]


def test_a_repeat_while_the_first_still_runs_is_409(world, monkeypatch):  # type: ignore[no-untyped-def]
    """Another worker is still running the first request: the repeat waits, then says so."""
    api = ApiClient(world.pcm)
    body = {"text": "Voice of the child"}
    request = RequestFactory().post(KLOES, json.dumps(body), content_type="application/json")
    running = {"state": "running", "fingerprint": idempotency._fingerprint(request)}
    cache.set(idempotency.cache_key(f"Bearer {api.token}", "key-1"), running, 60)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.0)
    response = _post(api, body, "key-1")
    assert response.status_code == 409 and "still being handled" in response.json()["detail"]
    assert not Kloe.objects.exists()


def test_a_build_started_twice_with_one_key_builds_one_file(world):  # type: ignore[no-untyped-def]
    drafted(world)
    lead = ApiClient(world.peer)
    path = "/api/diagnostics/RPD-2027-001/feedback-files"
    body = {"kind": "presentation", "draft": True}
    first = _post(lead, body, "build-1", path)
    again = _post(lead, body, "build-1", path)
    assert first.status_code == again.status_code == 202
    assert again.json()["code"] == first.json()["code"]
    assert ExportJob.objects.count() == 1
    _post(lead, body, "build-2", path)
    assert ExportJob.objects.count() == 2


def test_the_header_is_only_honoured_on_posts_that_create_and_is_documented(world):  # type: ignore[no-untyped-def]
    schema = ApiClient(world.pcm).client.get("/api/openapi.json").json()
    create = schema["paths"]["/api/diagnostics/{ref}/kloes"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    build = schema["paths"]["/api/diagnostics/{ref}/feedback-files"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in build["parameters"])
    advance = [
        op
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method == "post" and not {"201", "202"} & {str(s) for s in op.get("responses", {})}
    ]
    assert advance, "some POSTs do not create"
    assert all(
        all(p.get("name") != "Idempotency-Key" for p in op.get("parameters", [])) for op in advance
    )
