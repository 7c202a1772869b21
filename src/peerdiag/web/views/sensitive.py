"""Gatekeeping for pages that show sensitive documents or children's data.

Decorate such a view with `@sensitive("documents")` or `@sensitive("child_data")`. The view is
then reachable only by a member of the team who is cleared (briefing acknowledged and, where
required, agreement signed, while the diagnostic is open); children's data also needs the
child-data roles and a session confirmed with two-factor sign-in. The decorator marks the view
so that tests find every sensitive URL by itself (tests/diagnostics/test_sensitive_urls.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user

PERMS = {
    "documents": "diagnostics.open_sensitive_documents",
    "child_data": "diagnostics.view_child_data",
}


def session_two_factor_verified(request: HttpRequest) -> bool:
    return bool(request.session.get("two_factor_verified"))


def sensitive(kind: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    perm = PERMS[kind]

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, ref: str, *args: Any, **kwargs: Any) -> HttpResponse:
            diagnostic = get_diagnostic_for_user(request.user, ref)  # 404 to outsiders
            # rules.has_perm tests the rule itself: Django's has_perm would wave a superuser
            # through, and nobody reads children's data without being cleared on the team.
            if not rules.has_perm(perm, request.user, diagnostic):
                raise PermissionDenied
            if kind == "child_data" and not session_two_factor_verified(request):
                raise PermissionDenied
            return view(request, ref, *args, **kwargs)

        wrapped.sensitive = kind  # type: ignore[attr-defined]
        return wrapped

    return decorate
