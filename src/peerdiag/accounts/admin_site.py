"""The Django admin opens only for a session that passed the second factor.

LGA administrators see every council and decide who may see what, so a password alone must
never open the admin site, whatever the two-factor rules say. `require_second_factor(site)`
narrows the site's `has_permission`; the admin's sign-in address (peerdiag/urls.py) then sends
a signed-in administrator to the second-factor step, or to set it up, instead of the admin.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .middleware import session_is_verified


def admin_session_verified(request: HttpRequest) -> bool:
    """Whether this session passed the second factor (tests that are not about it replace this)."""
    return session_is_verified(request)


def require_second_factor(site: Any) -> None:
    """Let `site` open only for active staff whose session passed the second factor.

    Safe to call more than once: the check is added a single time.
    """
    if getattr(site, "_peerdiag_second_factor", False):
        return
    original = site.has_permission

    def has_permission(request: HttpRequest) -> bool:
        return bool(original(request)) and admin_session_verified(request)

    site.has_permission = has_permission
    site._peerdiag_second_factor = True
