"""Small helpers shared by the page views, and `recent_auth`, the decorator for views that
need the person to have proved who they are in the last few minutes (its page is in
web/views/reauth.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from peerdiag.accounts.domain.reauth import DEFAULT_MINUTES, auth_is_recent
from peerdiag.diagnostics.domain.capabilities import FIX_PAGES
from peerdiag.diagnostics.models import Diagnostic


def fix_url(diagnostic: Diagnostic, fix: str) -> str:
    name = FIX_PAGES.get(fix)
    return reverse(name, args=[diagnostic.reference]) if name else ""


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` if it is an address on this site (and on HTTPS when the request is), to go
    to after signing in or confirming who someone is; otherwise ""."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked for a part of the page. When it restores a page from history that
    its cache no longer holds, htmx sends HX-Request too, but wants the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )


View = Callable[..., HttpResponse]


def recent_auth(minutes: int = DEFAULT_MINUTES) -> Callable[[View], View]:
    """Let the view run only if the person proved who they are in the last `minutes` minutes.

    Otherwise a GET goes to the re-authentication page, which comes back to the same address.
    A POST goes there too and comes back to the page the form was on (its Referer, if it is
    ours), never repeating the action: the person sees what they were about to do and submits
    it again. Signed-out visitors go to the sign-in page as with login_required.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if auth_is_recent(request.session, minutes=minutes):
                return view(request, *args, **kwargs)
            query = urlencode({"next": _return_to(request)})
            target = f"{reverse('web:reauth')}?{query}"
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)

        wrapper.recent_auth_minutes = minutes  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _return_to(request: HttpRequest) -> str:
    """Where to come back to: this address for a GET; for a POST the page that sent it."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()
