"""Signs a person out after a spell without any request (an idle timeout).

The session cookie's own lifetime (settings.SESSION_COOKIE_AGE) caps a session however busy it
is; this middleware adds the shorter, idle limit: PEERDIAG_IDLE_MINUTES (default 30) without a
request and the next request finds itself signed out. The sign-in page then says why (it reads
IDLE_SIGNED_OUT_KEY). Goes in settings.MIDDLEWARE right after AuthenticationMiddleware.

Every signed-in response carries IDLE_LEFT_HEADER: how many seconds the session has left if
nothing else happens. The page's script (assets/src/app.js) reads it after each htmx request,
so the warning before the sign-out counts from what the server really holds: because the
timestamp is refreshed only once a minute, a request can leave the clock where it was.
"""

from __future__ import annotations

import math
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
# The response header that tells the page's script the seconds left (see the docstring above).
IDLE_LEFT_HEADER = "Peerdiag-Idle-Seconds-Left"
# The request header the page's script sends on requests nobody asked for: polls, such as who
# else has a finding open, or a job's progress. They never restart the idle clock (a page left
# open would otherwise keep its session signed in for ever), and once the session is signed out
# they get 204 with no body, so htmx swaps nothing (not the sign-in page into a status line).
BACKGROUND_HEADER = "Peerdiag-Background"


def idle_seconds() -> int:
    # A fraction of a minute is allowed, so browser tests can use a limit of a few seconds.
    return round(float(getattr(settings, "PEERDIAG_IDLE_MINUTES", IDLE_MINUTES)) * 60)


def restart_idle_clock(request: HttpRequest) -> None:
    """Start the idle clock again from now, however recently it was last stamped."""
    request.session[LAST_SEEN_KEY] = time.time()


def idle_seconds_left(request: HttpRequest) -> int | None:
    """Whole seconds (rounded up) before this session is signed out if nothing else happens;
    None for a session that is not signed in or has no timestamp."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    last = request.session.get(LAST_SEEN_KEY)
    if not isinstance(last, int | float):
        return None
    return max(0, math.ceil(idle_seconds() - (time.time() - last)))


class IdleTimeoutMiddleware:
    """Signs out a session whose last request was more than the idle limit ago.

    Only signed-in sessions are touched; the API (bearer tokens, no session) never is. The
    request carries on as a visitor's, so a page that needs sign-in sends it to the sign-in page
    with ?next=, and the person comes back where they were. A background request (a poll, marked
    with BACKGROUND_HEADER) never restarts the clock, and a signed-out one gets 204.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        background = request.headers.get(BACKGROUND_HEADER) == "1"
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int | float) and now - last > idle_seconds():
                logout(request)
                request.session[IDLE_SIGNED_OUT_KEY] = True
            elif background:
                pass  # a poll is not the person doing something
            elif not isinstance(last, int | float) or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        now_user = getattr(request, "user", None)  # logout() above replaced it
        if background and (now_user is None or not now_user.is_authenticated):
            return HttpResponse(status=204)
        response = self.get_response(request)
        left = idle_seconds_left(request)
        if left is not None:
            response[IDLE_LEFT_HEADER] = str(left)
        return response


def stamp_on_sign_in(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    """Start the idle clock at sign-in (user_logged_in), so the first page needs no write."""
    if request is not None and hasattr(request, "session"):
        restart_idle_clock(request)
