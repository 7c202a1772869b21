"""Keeping a session signed in: the "Stay signed in" button of the idle warning posts here.

The warning (a dialog in web/base.html, run by assets/src/app.js) opens shortly before the idle
sign-out (peerdiag.accounts.session_timeout). Posting here restarts the idle clock at once,
whenever it was last stamped, and answers 204 with no body.

Someone who is no longer signed in (the idle limit passed, or they signed out in another tab)
gets 401 with a small JSON body, never a redirect: the script then sends them to sign in. This
is why the view does not use login_required, which would redirect to the sign-in page. It
touches nothing but the caller's own session, so being signed in is the only permission.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerdiag.accounts.session_timeout import restart_idle_clock


@never_cache
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    restart_idle_clock(request)
    return HttpResponse(status=204)
