"""Bearer tokens: the API's only way in.

Session cookies are deliberately not accepted, so no API call can be made by a page the user
happens to have open in another tab (no CSRF to worry about). Revoked tokens, and tokens of
switched-off accounts, are refused with 401. Every call counts towards a rate limit
(ratelimit.py): the token's, or the caller's IP address's when the token is not valid.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from peerdiag.accounts.domain.tokens import token_for
from peerdiag.accounts.models import User

from . import ratelimit


class BearerToken(HttpBearer):
    """`Authorization: Bearer pd_...` → the token's user, or None (ninja answers 401)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_for(token)
        if found is None:
            # An unknown or revoked token counts against the caller's IP address, so guessing
            # tokens is slow; over the limit this raises and the caller gets 429, not 401.
            # A call with no token at all costs no lookup and is simply refused.
            ratelimit.hit_anonymous(request)
            return None
        ratelimit.hit_token(found.key_hash)
        # The permission helpers and anything else that reads request.user see the same user.
        request.user = found.user
        return found.user
