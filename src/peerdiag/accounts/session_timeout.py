"""Signs a person out after a spell without any request (an idle timeout).

The session cookie's own lifetime (settings.SESSION_COOKIE_AGE) caps a session however busy it
is; this middleware adds the shorter, idle limit: PEERDIAG_IDLE_MINUTES (default 30) without a
request and the next request finds itself signed out. The sign-in page then says why (it reads
IDLE_SIGNED_OUT_KEY). Goes in settings.MIDDLEWARE right after AuthenticationMiddleware.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

IDLE_MINUTES = 30
# When the session last saw a request (seconds since the epoch).
LAST_SEEN_KEY = "last_seen_at"
# Left in the new, empty session after an idle sign-out, for the sign-in page's message.
IDLE_SIGNED_OUT_KEY = "signed_out_idle"
# Refreshing the timestamp saves the session; once a minute is close enough and spares a
# database write on every request.
TOUCH_EVERY_SECONDS = 60


def idle_seconds() -> int:
    return int(getattr(settings, "PEERDIAG_IDLE_MINUTES", IDLE_MINUTES)) * 60


class IdleTimeoutMiddleware:
    """Signs out a session whose last request was more than the idle limit ago.

    Only signed-in sessions are touched; the API (bearer tokens, no session) never is. The
    request carries on as a visitor's, so a page that needs sign-in sends it to the sign-in page
    with ?next=, and the person comes back where they were.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int | float) and now - last > idle_seconds():
                logout(request)
                request.session[IDLE_SIGNED_OUT_KEY] = True
            elif not isinstance(last, int | float) or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def stamp_on_sign_in(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    """Start the idle clock at sign-in (user_logged_in), so the first page needs no write."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()
