"""The `Idempotency-Key` header: a POST that creates something, sent again, creates it once.

A caller that is not sure its POST arrived (a timeout, a dropped connection) sends it again
with the same `Idempotency-Key` header. The first successful answer (status and body) is kept
for 24 hours, per token, in Django's cache (the database cache shared by every worker in
production); the same key from the same token within that time gets that answer again and
nothing is created a second time (as long as the token still works: a revoked or expired token
is refused as usual). The same key with a different body is refused with 422 (a
key names one request, not a slot). While the first is still running, a repeat waits briefly
and then gets 409. Answers other than 2xx are not kept, so a corrected request may reuse its
key. The header is optional, and honoured on the POSTs that create (those answering 201) or
start background work (202: generating a timetable, building a file).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI

from peerdiag.accounts.domain.tokens import token_for
from peerdiag.common.once import take_turn

HEADER = "Idempotency-Key"
KEEP_SECONDS = 24 * 60 * 60
# A first request still "running" after this long died with its worker: the key is free again.
RUNNING_SECONDS = 5 * 60
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
MAX_KEY_LENGTH = 255

HEADER_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Any unique value, up to 255 characters (a UUID is best). Sending the same "
    "request again with the same key within 24 hours returns the first answer and creates "
    "nothing more; the same key with a different body is refused with 422.",
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
}


STILL_RUNNING: dict[str, Any] = {
    "description": f"A request with the same {HEADER} is still being handled: ask again shortly",
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


def _refuse(status: int, detail: str) -> HttpResponse:
    if status == 422:  # like any other malformed input: the field at fault is the header
        return JsonResponse({"detail": [{"field": HEADER, "message": detail}]}, status=422)
    return JsonResponse({"detail": detail}, status=status)


def _fingerprint(request: HttpRequest) -> str:
    """What the request asks for: its path and body (a form's fields and files' contents)."""
    digest = hashlib.sha256(request.path.encode())
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for f in files:
                digest.update(repr((name, f.name, f.size)).encode())
                for chunk in f.chunks():
                    digest.update(chunk)
                f.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def cache_key(authorization: str, key: str) -> str:
    """Where the answer to `key` is kept: per bearer token, so two callers never share a key."""
    scope = hashlib.sha256(authorization.encode()).hexdigest()
    return "idem:" + hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()


def creates(operation: Any) -> bool:
    answers = getattr(operation, "response_models", None) or {}
    return "POST" in getattr(operation, "methods", ()) and (201 in answers or 202 in answers)


def idempotent(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps an operation's `run` (ninja's "view" decorator mode, before validation)."""
    operation = getattr(run, "__self__", None)
    if operation is not None and not creates(operation):
        return run

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER, "")
        if request.method != "POST" or not key:
            return run(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _refuse(422, f"The {HEADER} header must be printable and at most 255 characters")
        fingerprint = _fingerprint(request)
        kept_at = cache_key(request.headers.get("Authorization", ""), key)
        turn = take_turn(
            kept_at,
            fingerprint,
            field="fingerprint",
            running_seconds=RUNNING_SECONDS,
            wait_seconds=WAIT_SECONDS,
            poll_seconds=POLL_SECONDS,
        )
        if turn.outcome == "other":
            return _refuse(
                422,
                f"This {HEADER} was already used for a different request in the last "
                "24 hours: use a new key for a new request",
            )
        if turn.outcome == "done" and turn.kept is not None:
            if not _token_still_works(request):
                # Revoked or expired since: no replay; the operation's own check answers 401.
                return run(request, *args, **kwargs)
            kept = turn.kept
            replay = HttpResponse(
                kept["body"], status=kept["status"], content_type=kept["content_type"]
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        if turn.outcome == "busy":
            return _refuse(
                409, f"A request with this {HEADER} is still being handled: ask again shortly"
            )
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            cache.delete(kept_at)
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            cache.set(
                kept_at,
                {
                    "state": "done",
                    "fingerprint": fingerprint,
                    "status": response.status_code,
                    "body": response.content,
                    "content_type": response.get("Content-Type", "application/json"),
                },
                KEEP_SECONDS,
            )
        else:
            cache.delete(kept_at)
        return response

    return wrapper


def _token_still_works(request: HttpRequest) -> bool:
    """Whether the request's bearer token works now (a kept answer is replayed only then)."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_for(raw.strip()) is not None


def install(api: NinjaAPI) -> None:
    """Honour the header on every POST that creates, and list it in the OpenAPI document."""
    api.add_decorator(idempotent, mode="view")
    plain = api.get_openapi_schema

    def with_header(**kwargs: Any) -> Any:
        schema = plain(**kwargs)
        for operations in schema.get("paths", {}).values():
            post = operations.get("post")
            if not isinstance(post, dict):
                continue
            if {"201", "202"} & {str(s) for s in post.get("responses", {})}:
                params = post.setdefault("parameters", [])
                if not any(p.get("name") == HEADER for p in params):
                    params.append(HEADER_PARAMETER)
                post["responses"].setdefault(409, STILL_RUNNING)
        return schema

    api.get_openapi_schema = with_header  # type: ignore[method-assign]
