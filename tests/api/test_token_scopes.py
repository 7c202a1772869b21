"""What a token may do: its expiry and its scope (read, write, sensitive), enforced by the API."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from peerdiag.accounts.domain.tokens import token_for
from peerdiag.accounts.models import ApiToken
from peerdiag.api.auth import NEEDS_SCOPE
from peerdiag.api.errors import EXPIRED, FORBIDDEN, UNAUTHORISED
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.models import Kloe
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from tests.documents.helpers import PDF, upload
from tests.factories import KloeFactory

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

READ, WRITE, SENSITIVE = "read", "write", "sensitive"
EIGHT_HOURS = timedelta(hours=8)


def _client(user, scope: str, lifetime: timedelta = EIGHT_HOURS) -> ApiClient:  # type: ignore[no-untyped-def]
    _, raw = ApiToken.issue(user, f"{scope} script", scope=scope, lifetime=lifetime)
    return ApiClient(user, token=raw)


def _clear_the_peer(world) -> None:  # type: ignore[no-untyped-def]
    """The lead peer reads the briefing; the council asks for no agreement: cleared."""
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="brief.pdf", version=UNCHECKED
    )
    acknowledge_briefing(briefing, by=None, person=world.peer.person)


def _personal_data_file(world) -> str:  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Case audit")
    version = supply_document(
        ask,
        by=None,
        file=upload(PDF, "audit.pdf"),
        name="audit.pdf",
        classification="personal_data",
    )
    return f"/diagnostics/{world.own.reference}/document-files/{version.code}"


# Expiry ------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_and_told_why(world):  # type: ignore[no-untyped-def]
    token, raw = ApiToken.issue(world.pcm, "laptop", lifetime=timedelta(days=7))
    api = ApiClient(world.pcm, token=raw)
    assert api.get("/me").json()["email"] == "pcm@example.org"
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = api.get("/me")
    assert refused.status_code == 401
    assert refused.json() == {"detail": EXPIRED}
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]
    # Writes are refused the same way, before anything else is looked at.
    before = Kloe.objects.count()
    write = api.post(f"/diagnostics/{world.own.reference}/kloes", {"text": "Front door"})
    assert (write.status_code, write.json()) == (401, {"detail": EXPIRED})
    assert Kloe.objects.count() == before


def test_the_expiry_is_the_moment_itself(world):  # type: ignore[no-untyped-def]
    token, raw = ApiToken.issue(world.pcm, "laptop", lifetime=timedelta(days=7))
    assert token_for(raw, now=token.expires_at - timedelta(seconds=1)) == token
    assert token_for(raw, now=token.expires_at) is None


def test_only_a_real_tokens_holder_hears_it_expired(world):  # type: ignore[no-untyped-def]
    # An unknown token, and an expired token that was also revoked or whose account is off,
    # get the usual words: nothing about whether such a token exists.
    gone, revoked = ApiToken.issue(world.pcm, "old laptop")
    ApiToken.objects.filter(pk=gone.pk).update(
        revoked_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    off, switched_off = ApiToken.issue(world.sponsor, "script")
    ApiToken.objects.filter(pk=off.pk).update(expires_at=timezone.now() - timedelta(days=1))
    world.sponsor.is_active = False
    world.sponsor.save()
    for raw in ("pd_not-a-real-token", revoked, switched_off):
        response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
        assert (response.status_code, response.json()) == (401, {"detail": UNAUTHORISED})
        assert response["WWW-Authenticate"] == 'Bearer realm="peerdiag"'


# Read and write ----------------------------------------------------------------------------


def test_a_read_token_reads_but_every_change_is_refused_naming_the_write_scope(world):  # type: ignore[no-untyped-def]
    kloe = KloeFactory(diagnostic=world.own, order=1, text="Front door")
    api = _client(world.pcm, READ, timedelta(days=30))
    ref = world.own.reference
    assert api.get(f"/diagnostics/{ref}/kloes").json()[0]["text"] == "Front door"
    refused = {
        "POST": api.post(f"/diagnostics/{ref}/kloes", {"text": "Early help"}),
        "PATCH": api.patch(f"/diagnostics/{ref}/kloes/{kloe.code}", {"text": "X", "version": 1}),
        "DELETE": api.delete(f"/diagnostics/{ref}/kloes/{kloe.code}"),
        "POST advance": api.post(f"/diagnostics/{ref}/advance", {"to_stage": "scoped"}),
        "PUT": api.client.put(
            f"/api/diagnostics/{ref}/confidentiality",
            json.dumps({"version": 0, "required": False}),
            content_type="application/json",
            headers=api._headers(),
        ),
    }
    for method, response in refused.items():
        assert response.status_code == 403, method
        assert response.json() == {"detail": NEEDS_SCOPE[WRITE]}, method
        assert "write scope" in response.json()["detail"]
    kloe.refresh_from_db()
    assert [(k.text, k.version) for k in Kloe.objects.filter(diagnostic=world.own)] == [
        ("Front door", 1)
    ]
    world.own.refresh_from_db()
    assert world.own.stage == "enquiry"
    assert api.get(f"/diagnostics/{ref}/confidentiality").json()["required"] is None


def test_every_change_in_the_document_is_refused_to_a_read_token(world):  # type: ignore[no-untyped-def]
    """Every operation other than a read, in every area, as the OpenAPI document lists them: a
    read token is refused before anything is looked up, whatever the body."""
    api = _client(world.pcm, READ, timedelta(days=30))
    schema = api.client.get("/api/openapi.json").json()
    values = {"ref": world.own.reference, "to_stage": "scoped", "role": "lead_peer"}
    changes = []
    for template, operations in schema["paths"].items():
        path = template
        for name in re.findall(r"{(\w+)}", template):
            path = path.replace("{" + name + "}", values.get(name, "abc123"))
        for method in operations:
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
                changes.append((method.upper(), path))
    assert len(changes) >= 50, changes  # every area's changes, not a handful
    for method, path in changes:
        response = api.client.generic(
            method, path, json.dumps({}), content_type="application/json", headers=api._headers()
        )
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {"detail": NEEDS_SCOPE[WRITE]}, (method, path)


def test_a_write_token_reads_and_changes(world):  # type: ignore[no-untyped-def]
    api = _client(world.pcm, WRITE, timedelta(days=30))
    ref = world.own.reference
    made = api.post(f"/diagnostics/{ref}/kloes", {"text": "Early help"})
    assert made.status_code == 201, made.content
    assert made.json()["text"] == "Early help"
    assert [k["text"] for k in api.get(f"/diagnostics/{ref}/kloes").json()] == ["Early help"]


def test_a_read_token_still_meets_the_permission_rules(world):  # type: ignore[no-untyped-def]
    # The scope check comes first and says nothing about the diagnostic.
    api = _client(world.other_council_user, READ, timedelta(days=30))
    assert api.get(f"/diagnostics/{world.own.reference}").status_code == 404


# Sensitive files ---------------------------------------------------------------------------


def test_a_cleared_peer_needs_the_sensitive_scope_to_download_personal_data(world):  # type: ignore[no-untyped-def]
    url = _personal_data_file(world)
    _clear_the_peer(world)
    for scope in (READ, WRITE):
        refused = _client(world.peer, scope).get(url)
        assert refused.status_code == 403, scope
        assert refused.json() == {"detail": NEEDS_SCOPE[SENSITIVE]}
        assert "sensitive scope" in refused.json()["detail"]
        assert PDF not in refused.content
    allowed = _client(world.peer, SENSITIVE).get(url)
    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == PDF


def test_the_sensitive_scope_is_no_clearance(world):  # type: ignore[no-untyped-def]
    # Not cleared (no briefing read): the sensitive scope opens nothing, and the refusal is the
    # usual one, not a hint to make a wider token.
    url = _personal_data_file(world)
    for user in (world.peer, world.pcm, world.admin):
        refused = _client(user, SENSITIVE).get(url)
        assert (refused.status_code, refused.json()) == (403, {"detail": FORBIDDEN})


def test_ordinary_files_need_no_sensitive_scope(world):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Plan")
    official = supply_document(ask, by=None, file=upload(PDF, "plan.pdf"), name="plan.pdf")
    url = f"/diagnostics/{world.own.reference}/document-files/{official.code}"
    response = _client(world.sponsor, READ).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_kept_answer_is_not_replayed_to_a_token_that_stopped_working(world):  # type: ignore[no-untyped-def]
    # Idempotency-Key keeps the first answer for 24 hours; once the token is revoked or has
    # expired, sending the same request again gets 401 like any other call.
    url = f"/api/diagnostics/{world.own.reference}/kloes"
    for stop in ("revoked_at", "expires_at"):
        token, raw = ApiToken.issue(world.pcm, f"script {stop}")
        headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": f"key-{stop}"}
        body = json.dumps({"text": f"Front door {stop}"})

        def send(body: str = body, headers: dict[str, str] = headers):  # type: ignore[no-untyped-def]
            return Client().post(url, body, content_type="application/json", headers=headers)

        assert send().status_code == 201
        replay = send()
        assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
        ApiToken.objects.filter(pk=token.pk).update(**{stop: timezone.now()})
        refused = send()
        assert refused.status_code == 401
        assert "Idempotent-Replayed" not in refused
        assert f"Front door {stop}" not in refused.content.decode()
    assert Kloe.objects.filter(diagnostic=world.own).count() == 2
