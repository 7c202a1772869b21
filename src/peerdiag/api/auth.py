"""Bearer tokens: the API's only way in.

Session cookies are deliberately not accepted, so no API call can be made by a page the user
happens to have open in another tab (no CSRF to worry about).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from peerdiag.accounts.models import ApiToken, User


class BearerToken(HttpBearer):
    """`Authorization: Bearer pd_...` → the token's user, or None (ninja answers 401)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        user = ApiToken.user_for(token)
        if user is None:
            return None
        # The permission helpers and anything else that reads request.user see the same user.
        request.user = user
        return user
