"""Middleware that keeps what people send: one-time form tokens, and requests that are too big.

OnceMiddleware: a form that creates something carries a one-time token (`{% once_token %}`).
The first post to carry it claims it in Django's cache (`cache.add`, atomic in the database
cache that production shares between workers) and runs the view. A second post with the same
token (a double click, a post sent again after a lost connection) does not run the view: it waits
briefly for the first to finish and is sent where the first was sent, so the person sees the one
thing that was made. A post with the same token but other answers is not a repeat (the back
button can show an old form page): it runs as usual. A first post that made nothing (the form
had errors) gives the token back, so the corrected form can be sent. Tokens are per user and
are forgotten after a day.

TooBigMiddleware: Django refuses a request body over settings.DATA_UPLOAD_MAX_MEMORY_SIZE
(RequestDataTooBig), which would otherwise end in the generic 400 page. Here it becomes a 413
page (or JSON for the API) that says the size was the problem and what the limit is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from peerdiag.common.once import take_turn
from peerdiag.web.templatetags.once import FIELD

ONCE_SECONDS = 24 * 60 * 60
# A first post still "running" after this long died with its worker: its token is free again.
RUNNING_SECONDS = 5 * 60
# How long a repeat waits for the first post to finish before saying it is still going.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
_GOOD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def once_key(user_pk: Any, token: str) -> str:
    return f"once:{user_pk}:{token}"


def fingerprint(request: HttpRequest) -> str:
    """What a form post says (its fields, and its files' names and sizes), as a hash."""
    digest = hashlib.sha256(request.path.encode())
    for name, values in sorted(request.POST.lists()):
        if name != "csrfmiddlewaretoken":
            digest.update(repr((name, values)).encode())
    for name, files in sorted(request.FILES.lists()):
        digest.update(repr((name, [(f.name, f.size) for f in files])).encode())
    return digest.hexdigest()


class OnceMiddleware:
    """Runs a form's view once per one-time token (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = ""
        if request.method == "POST" and request.content_type in FORM_TYPES:
            token = request.POST.get(FIELD, "")
        user = getattr(request, "user", None)
        if not token or user is None or not user.is_authenticated or not _GOOD_TOKEN.match(token):
            return self.get_response(request)
        key = once_key(user.pk, token)
        sent = fingerprint(request)
        turn = take_turn(
            key,
            sent,
            field="sent",
            running_seconds=RUNNING_SECONDS,
            wait_seconds=WAIT_SECONDS,
            poll_seconds=POLL_SECONDS,
        )
        if turn.outcome == "claimed":
            return self._first(request, key, sent)
        if turn.outcome == "done" and turn.kept is not None:
            return self._repeat(request, turn.kept["location"])
        if turn.outcome == "busy":
            return render(request, "web/once_still_saving.html", status=409)
        # free: the first made nothing and gave the token back. other: not a repeat, the same
        # form page sent again with other answers (the back button shows the page as it was).
        # Run it; never drop what was typed.
        return self.get_response(request)

    def _first(self, request: HttpRequest, key: str, sent: str) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            cache.delete(key)
            raise
        location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
        if location:
            cache.set(key, {"location": location, "sent": sent}, ONCE_SECONDS)
        else:
            cache.delete(key)
        return response

    def _repeat(self, request: HttpRequest, location: str) -> HttpResponse:
        if not url_has_allowed_host_and_scheme(location, allowed_hosts={request.get_host()}):
            location = "/"
        messages.info(request, "That form was sent more than once. It was only acted on once")
        return HttpResponseRedirect(location)


def upload_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def size_in_words(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, n // 1024):,} KB"


class TooBigMiddleware:
    """Answers a request over the size limit with 413 and a page that says so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                if request.content_type in FORM_TYPES:
                    request.POST  # noqa: B018  (reading it applies the limit)
                else:
                    request.body  # noqa: B018
            except RequestDataTooBig:
                return self.too_big(request)
        return self.get_response(request)

    def too_big(self, request: HttpRequest) -> HttpResponse:
        limit = upload_limit()
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": f"The request is larger than the limit of {limit:,} bytes "
                    "(files sent as multipart/form-data do not count towards it)"
                },
                status=413,
            )
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        return render(
            request,
            "413.html",
            {"limit": size_in_words(limit), "back": back},
            status=413,
        )
