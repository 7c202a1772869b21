"""How refusals look on the wire. Every 4xx body has `detail`; input errors name the field.

400  {"detail": [{"field": "title", "message": "Enter a title"}]}       domain refused it
401  {"detail": "..."}                                                  no, bad or expired token
403  {"detail": "..."}                                                  may read, may not do; or
                                                                     the token's scope is narrow
404  {"detail": "Not found"}                                            nothing you may see
409  {"detail": [{"field": "to_stage", ...}], "blockers": [...]}        a gate is shut
409  {"detail": [{"field": "version", ...}], "current_version": 4,
      "changed_by": "...", "changed_at": "..."}                         someone saved first
422  {"detail": [{"field": "day1", "message": "..."}]}                  malformed input
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.stages import GateBlocked

# A domain error that names no input (none do today) is reported against the whole request,
# as Django forms do.
NON_FIELD = "__all__"
NOT_FOUND = "Not found"
FORBIDDEN = "You may see this diagnostic but not make this change"
UNAUTHORISED = "Send a valid API token in the header 'Authorization: Bearer <token>'"
# Said only to the holder of a real token (not revoked, its account on) whose time is up.
EXPIRED = (
    "This API token has expired. Make a new one on the API tokens page of your account, and "
    "send it in the header 'Authorization: Bearer <token>'"
)

# Body parameters are all called `payload` in the views; the name is an implementation detail
# that callers should not see in error locations.
BODY_PARAM = "payload"


class TokenExpired(AuthenticationError):
    """A real token past its expiry (auth.py): 401, and the body says it expired."""


def field_errors(field: str | None, message: str) -> list[dict[str, str]]:
    return [{"field": field or NON_FIELD, "message": message}]


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'kloes', 0, 'text') → 'kloes.0.text'; ('query', 'page') → 'page'."""
    source, *rest = [str(part) for part in loc] or [""]
    if source == "body" and rest[:1] == [BODY_PARAM]:
        rest = rest[1:]
    return ".".join(rest) or source or NON_FIELD


def _validation_message(error: dict[str, Any]) -> str:
    if error.get("type") == "missing":
        return "This field is required"
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own validators' words, without pydantic's prefix
    return str(error.get("msg", "This value is not valid"))


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (called once, where the API is built).

    ninja picks the handler nearest along the exception's MRO, so GateBlocked (a DomainError)
    gets its own 409 and ninja's AuthenticationError (an HttpError) its 401.
    """

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, {"detail": field_errors(exc.field, exc.message)}, status=400
        )

    @api.exception_handler(StaleEdit)
    def stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
        body = {
            "detail": field_errors("version", exc.message),
            "current_version": exc.current_version,
            "changed_by": exc.changed_by_name,
            "changed_at": exc.changed_at.isoformat() if exc.changed_at else None,
        }
        return api.create_response(request, body, status=409)

    @api.exception_handler(GateBlocked)
    def gate_blocked(request: HttpRequest, exc: GateBlocked) -> HttpResponse:
        body = {
            "detail": field_errors(exc.field, exc.message),
            "blockers": [
                {"code": b.code, "message": b.message, "fix": b.fix, "unavailable": b.unavailable}
                for b in exc.blockers
            ],
        }
        return api.create_response(request, body, status=409)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same words whatever was missing: outsiders learn nothing about what exists.
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or FORBIDDEN}, status=403)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail = [
            {"field": _location(e.get("loc", ())), "message": _validation_message(e)}
            for e in exc.errors
        ]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, TokenExpired):
            response = api.create_response(request, {"detail": EXPIRED}, status=401)
            # RFC 6750's way of saying the same to a client library.
            response["WWW-Authenticate"] = (
                'Bearer realm="peerdiag", error="invalid_token", '
                'error_description="The token has expired"'
            )
            return response
        if isinstance(exc, AuthenticationError):
            response = api.create_response(request, {"detail": UNAUTHORISED}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="peerdiag"'
            return response
        if exc.status_code == 400:
            # ninja raises this for a body that is not JSON at all.
            body: dict[str, Any] = {"detail": field_errors("body", str(exc))}
        else:
            body = {"detail": str(exc)}
        return api.create_response(request, body, status=exc.status_code)
