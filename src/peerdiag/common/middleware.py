"""Middleware for every response: a request id, and the Content-Security-Policy header.

RequestIdMiddleware goes first in settings.MIDDLEWARE, so every log line written while serving a
request (see common/logging.py) carries its id. ContentSecurityPolicyMiddleware sets the
policy in settings.PEERDIAG_CSP, with a fresh nonce each request: templates mark the few
inline <style> blocks they need with nonce="{{ csp_nonce }}" (context processor below).
Django 5.2 has no Content-Security-Policy support of its own.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .logging import request_id_var

log = logging.getLogger("peerdiag.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An id passed on by a proxy or load balancer is kept only if it is short and plain.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
NONCE_PLACEHOLDER = "{nonce}"


class RequestIdMiddleware:
    """Gives each request an id: the caller's X-Request-ID if sensible, otherwise a new one.

    The id is on `request.request_id`, in every log line of the request and in the response's
    X-Request-ID header, so a person reporting a problem can quote it. One INFO line per
    request (logger peerdiag.request) gives the route name, not the path: paths can carry
    tokens (invitations, password resets, calendar feeds).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _GOOD_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if log.isEnabledFor(logging.INFO):
                match = request.resolver_match
                log.info(
                    "%s %s %s",
                    request.method,
                    match.view_name if match else "-",
                    response.status_code,
                    extra={
                        "method": request.method,
                        "route": match.view_name if match else None,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_id_var.reset(token)


def build_policy(directives: dict[str, list[str]], nonce: str) -> str:
    """The header value: directives joined by '; ', with {nonce} filled in."""
    parts = []
    for name, sources in directives.items():
        values = " ".join(s.replace(NONCE_PLACEHOLDER, nonce) for s in sources)
        parts.append(f"{name} {values}".strip())
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (or the -Report-Only one) to every response.

    A view that sets its own policy keeps it. The nonce is made per request and is on
    `request.csp_nonce`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "PEERDIAG_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        directives: dict[str, list[str]] = getattr(settings, "PEERDIAG_CSP", {})
        if directives and header not in response:
            response[header] = build_policy(directives, nonce)
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Template context processor: `csp_nonce`, for <style nonce="{{ csp_nonce }}">."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
