"""Rate limits: calls a minute per token, and per IP for tokens that are not valid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from peerdiag.accounts.models import ApiToken
from peerdiag.api import ratelimit

pytestmark = pytest.mark.django_db

TOO_MANY = {"detail": ratelimit.TOO_MANY}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _me(token: str | None, ip: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get("/api/me", headers=headers, REMOTE_ADDR=ip)


def test_over_the_token_limit_the_api_answers_429_with_retry_after(world, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_API_RATE_PER_MINUTE = 3
    _, raw = ApiToken.issue(world.pcm, "script")
    _, other = ApiToken.issue(world.pcm, "another script")
    for _ in range(3):
        assert _me(raw).json()["email"] == "pcm@example.org"
    refused = _me(raw)
    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Each token has its own allowance.
    assert _me(other).json()["email"] == "pcm@example.org"


def test_the_window_turns_each_minute():
    ratelimit.hit("k", limit=1, now=120.0)
    with pytest.raises(ratelimit.RateLimited) as e:
        ratelimit.hit("k", limit=1, now=150.2)
    assert e.value.retry_after == 30  # 179.999… rounded up from 29.8
    with pytest.raises(ratelimit.RateLimited) as e:
        ratelimit.hit("k", limit=1, now=179.9)
    assert e.value.retry_after == 1
    ratelimit.hit("k", limit=1, now=180.0)  # a new minute: allowed again
    ratelimit.hit("other", limit=1, now=180.0)


def test_bad_tokens_are_limited_by_ip(world, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_API_ANON_RATE_PER_MINUTE = 2
    assert _me("pd_guess1").status_code == 401
    assert _me("pd_guess2").status_code == 401
    third = _me("pd_guess3")
    assert (third.status_code, third.json()) == (429, TOO_MANY)
    assert _me("pd_guess4", ip="198.51.100.7").status_code == 401
    # A valid token from the same IP is counted on its own.
    _, raw = ApiToken.issue(world.pcm, "script")
    assert _me(raw).json()["email"] == "pcm@example.org"


def test_calls_with_no_token_are_refused_without_counting(world, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_API_ANON_RATE_PER_MINUTE = 1
    for _ in range(3):
        r = _me(None)
        assert (r.status_code, r["WWW-Authenticate"]) == (401, 'Bearer realm="peerdiag"')


def test_a_revoked_token_counts_as_a_bad_one(world, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_API_ANON_RATE_PER_MINUTE = 1
    token, raw = ApiToken.issue(world.pcm, "script")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert _me(raw).status_code == 401
    assert _me(raw).status_code == 429


def test_the_schema_declares_429_with_retry_after_on_every_operation(db):  # type: ignore[no-untyped-def]
    spec = Client().get("/api/openapi.json").json()
    operations = [op for ops in spec["paths"].values() for op in ops.values()]
    assert len(operations) > 30
    for op in operations:
        declared = op["responses"]["429"]
        assert declared["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}
        schema = declared["content"]["application/json"]["schema"]
        assert schema["required"] == ["detail"]
