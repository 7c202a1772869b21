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


def may_open(request: HttpRequest, diagnostic: Any, kind: str) -> bool:
    """Whether the person may open this diagnostic's sensitive pages of `kind`: the very check
    of `sensitive(kind)`, for pages that link to them (a link shows only if it will open)."""
    # rules.has_perm tests the rule itself: Django's has_perm would wave a superuser
    # through, and nobody reads children's data without being cleared on the team.
    if not rules.has_perm(PERMS[kind], request.user, diagnostic):
        return False
    return kind != "child_data" or session_two_factor_verified(request)


def sensitive(kind: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    if kind not in PERMS:  # fails when the view is decorated, not when it is first used
        raise KeyError(kind)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, ref: str, *args: Any, **kwargs: Any) -> HttpResponse:
            diagnostic = get_diagnostic_for_user(request.user, ref)  # 404 to outsiders
            if not may_open(request, diagnostic, kind):
                raise PermissionDenied
            return view(request, ref, *args, **kwargs)

        wrapped.sensitive = kind  # type: ignore[attr-defined]
        return wrapped

    return decorate
