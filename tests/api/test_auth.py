"""Bearer tokens are the only way in; /me says whose token it is."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import timezone

from peerdiag.accounts.models import ApiToken
from peerdiag.api.auth import BearerToken
from peerdiag.api.errors import UNAUTHORISED
from peerdiag.api.urls import api
from tests.factories import UserFactory

from .conftest import ApiClient

REFUSED = {"detail": UNAUTHORISED}


def test_no_token_is_refused_with_401_and_a_challenge(world, anonymous):
    response = anonymous.get("/diagnostics")
    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response["WWW-Authenticate"] == 'Bearer realm="peerdiag"'


@pytest.mark.parametrize(
    "header", ["Basic cGNtOnBhc3N3b3Jk", "Bearer", "Bearer pd_not-a-real-token", "pd_x"]
)
def test_a_malformed_or_unknown_token_is_refused(world, header):
    response = Client().get("/api/diagnostics", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == REFUSED


def test_a_revoked_token_is_refused(world):
    token, raw = ApiToken.issue(world.pcm, "laptop")
    api_client = ApiClient(world.pcm, token=raw)
    assert api_client.get("/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = api_client.get("/me")
    assert response.status_code == 401
    assert response.json() == REFUSED


def test_a_deactivated_users_token_is_refused(world, as_user):
    api_client = as_user(world.pcm)
    world.pcm.is_active = False
    world.pcm.save()
    assert api_client.get("/me").status_code == 401


def test_a_signed_in_browser_session_is_not_accepted(world):
    client = Client()
    client.force_login(world.pcm)
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json() == REFUSED


def test_token_writes_need_no_csrf_token(world, as_user):
    # ApiClient enforces CSRF checks, as a browser would: a token is enough on its own.
    response = as_user(world.pcm).post(
        f"/diagnostics/{world.own.reference}/kloes", {"text": "How safe are children?"}
    )
    assert response.status_code == 201


def test_the_token_user_becomes_request_user(world):
    _, raw = ApiToken.issue(world.peer, "laptop")
    request = RequestFactory().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    request.user = AnonymousUser()
    assert BearerToken()(request) == world.peer
    assert request.user == world.peer


def test_using_a_token_records_when_it_was_last_used(world):
    token, raw = ApiToken.issue(world.pcm, "laptop")
    assert token.last_used_at is None
    ApiClient(world.pcm, token=raw).get("/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_every_operation_needs_a_token(world, anonymous):
    schema = api.get_openapi_schema(path_prefix="")
    calls = 0
    for path, operations in schema["paths"].items():
        concrete = (
            path.replace("{ref}", world.own.reference)
            .replace("{code}", "abc")
            .replace("{to_stage}", "scoped")
        )
        for method in operations:
            send = getattr(anonymous.client, method)
            response = send("/api" + concrete)
            assert response.status_code == 401, (method, path)
            assert response.json() == REFUSED
            calls += 1
    # Every operation in the document was tried (the document grows with each capability).
    assert calls == sum(len(ops) for ops in schema["paths"].values())
    assert calls >= 33


def test_me_names_the_caller_and_their_organisation(world, as_user):
    response = as_user(world.sponsor).get("/me")
    assert response.status_code == 200
    council = world.own.host_council
    assert response.json() == {
        "email": "sponsor@example.org",
        "name": world.sponsor.full_name,
        "organisation": {
            "code": council.code,
            "name": "Council A",
            "kind": "council",
            "region": "north_west",
        },
    }


def test_me_for_an_account_with_no_person_has_no_organisation(db, as_user):
    user = UserFactory(email="robot@example.org", full_name="")
    response = as_user(user).get("/me")
    assert response.json() == {
        "email": "robot@example.org",
        "name": "robot@example.org",
        "organisation": None,
    }
