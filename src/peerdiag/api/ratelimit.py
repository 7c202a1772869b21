"""Rate limits for the API: so many calls a minute per token, or per IP address without one.

A fixed one-minute window counted in Django's cache (`cache.add` then `cache.incr`, both atomic
in the database and Redis caches). The default local-memory cache counts per process, so with
several web processes each allows the full rate: production should point CACHES at a shared
cache (the database cache, `django.core.cache.backends.db.DatabaseCache` after
`peerdiag createcachetable`, or Redis). Over the limit the API answers 429 with a JSON body
and a Retry-After header (seconds until the window turns).

Settings (optional): PEERDIAG_API_RATE_PER_MINUTE (calls per token, default 120) and
PEERDIAG_API_ANON_RATE_PER_MINUTE (calls per IP that send a token that is not valid, default 30).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError

RATE_PER_MINUTE = 120
ANON_RATE_PER_MINUTE = 30
WINDOW_SECONDS = 60
TOO_MANY = "Too many requests: wait for the number of seconds in the Retry-After header"


class RateLimited(HttpError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(status_code=429, message=TOO_MANY)


def token_limit() -> int:
    return int(getattr(settings, "PEERDIAG_API_RATE_PER_MINUTE", RATE_PER_MINUTE))


def anon_limit() -> int:
    return int(getattr(settings, "PEERDIAG_API_ANON_RATE_PER_MINUTE", ANON_RATE_PER_MINUTE))


def hit(key: str, *, limit: int, now: float | None = None) -> None:
    """Count one call for `key`; raises RateLimited once the window's count passes `limit`."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    cache_key = f"api-rate:{key}:{window}"
    # add() does nothing if the key exists; incr() is atomic in shared caches. A key that
    # expired between the two (the window just ended) is simply started again.
    cache.add(cache_key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.add(cache_key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        raise RateLimited(retry_after)


def hit_token(key_hash: str) -> None:
    # Keyed by the token's hash, not its id: ids can be reused (SQLite, after a test's
    # rollback), hashes cannot.
    hit(f"token:{key_hash[:32]}", limit=token_limit())


def hit_anonymous(request: HttpRequest) -> None:
    ip = str(request.META.get("REMOTE_ADDR") or "")
    hit("ip:" + hashlib.sha256(ip.encode()).hexdigest()[:32], limit=anon_limit())


RESPONSE_429: dict[str, Any] = {
    "description": "Too many requests: wait as many seconds as Retry-After says",
    "headers": {
        "Retry-After": {
            "description": "Seconds until calls are accepted again",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {
        "application/json": {
            "schema": {
                "title": "Message",
                "type": "object",
                "properties": {"detail": {"title": "Detail", "type": "string"}},
                "required": ["detail"],
            }
        }
    },
}


def install(api: NinjaAPI) -> None:
    """Answer RateLimited with 429 + Retry-After, and declare 429 on every operation.

    ninja declares responses per operation (the `response=` of each decorator); adding the same
    429 to all of them by hand would be noise, so the generated document gets it here instead.
    """

    @api.exception_handler(RateLimited)
    def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = api.create_response(request, {"detail": TOO_MANY}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    plain = api.get_openapi_schema

    def with_429(**kwargs: Any) -> Any:
        schema = plain(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault(429, RESPONSE_429)
        return schema

    api.get_openapi_schema = with_429  # type: ignore[method-assign]
