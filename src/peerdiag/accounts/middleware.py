"""Sends people who must use two-factor sign-in, and have not set it up (no authenticator app and
no passkey), to the set-up page.

Goes in settings.MIDDLEWARE after AuthenticationMiddleware (it needs `request.user`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .domain.two_factor import has_second_factor, two_factor_required

# The session key set once the second factor has been checked in this session.
VERIFIED_SESSION_KEY = "two_factor_verified"


def session_is_verified(request: HttpRequest) -> bool:
    """True when this session passed the second factor (at sign-in or while setting it up)."""
    return request.session.get(VERIFIED_SESSION_KEY) is True


class TwoFactorMiddleware:
    """Redirects every page to two-factor set-up until a person who must use it has done so.

    Left alone: the set-up pages themselves, signing out, staying signed in, static files and
    the API (which authenticates with tokens, not the session). The page names are looked up by
    URL name at request time; accounts does not import the web app.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._exempt(request.path_info)
            and not has_second_factor(user)  # type: ignore[arg-type]
            and two_factor_required(user)
        ):
            setup = reverse("web:two_factor_setup")
            if request.headers.get("HX-Request") == "true":
                # htmx would swap the set-up page into a fragment; ask it to load the page.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = setup
                return response
            return HttpResponseRedirect(setup)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("web:two_factor_setup"),
            reverse("web:logout"),
            # The idle warning's "Stay signed in": the set-up pages warn before the idle
            # sign-out too, and any request to them restarts the idle clock anyway.
            reverse("web:session_keep_alive"),
            settings.STATIC_URL or "/static/",
            "/api/",
            # Opened by token, not by account: evaluation surveys and calendar feeds.
            "/survey/",
            "/calendar/",
            "/healthz/",
            # The accessibility statement is for everyone, signed in or not.
            "/accessibility/",
        )
        return path.startswith(allowed)
