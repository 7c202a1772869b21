"""Bearer tokens: the API's only way in, and what each token's scope lets it do.

Session cookies are deliberately not accepted, so no API call can be made by a page the user
happens to have open in another tab (no CSRF to worry about). Revoked and expired tokens, and
tokens of switched-off accounts, are refused with 401 (an expired token is told so). Every call
counts towards a rate limit (ratelimit.py): the token's, or the caller's IP address's when the
token is not valid.

Scopes (accounts/domain/tokens.py): a `read` token may only read, so any other method is
refused here with 403 before the operation runs; `write` may read and change; only a
`sensitive` token may download sensitive files (documents.py asks `require_scope`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from peerdiag.accounts.domain.tokens import look_up_token
from peerdiag.accounts.models import ApiToken, User

from . import ratelimit
from .errors import TokenExpired

Scope = ApiToken.Scope
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NEEDS_SCOPE = {
    Scope.WRITE: "This token has the read scope, so it can only read. To make changes, use a "
    "token with the write scope",
    Scope.SENSITIVE: "Downloading a sensitive file needs a token with the sensitive scope. "
    "Make one on the API tokens page of your account (it needs two-factor sign-in and works "
    "for 8 hours at most)",
}

SCOPES_HELP = (
    "Send `Authorization: Bearer <token>`, with a token made on your account's API tokens page. "
    "Every token expires (an expired token gets 401 saying so). Its scope limits what it may "
    "do: `read` only reads (any other method gets 403); `write` reads and changes; "
    "`sensitive` also downloads sensitive files (official-sensitive or containing personal "
    "data), needs a freshly confirmed second factor to make and works for 8 hours at most."
)


class BearerToken(HttpBearer):
    """`Authorization: Bearer pd_...` → the token's user, or None (ninja answers 401)."""

    openapi_description = SCOPES_HELP

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = look_up_token(token)
        if found.token is None:
            # An unknown, revoked or expired token counts against the caller's IP address, so
            # guessing tokens is slow; over the limit this raises and the caller gets 429, not
            # 401. A call with no token at all costs no lookup and is simply refused.
            ratelimit.hit_anonymous(request)
            if found.expired:
                raise TokenExpired
            return None
        ratelimit.hit_token(found.token.key_hash)
        # The permission helpers and anything else that reads request.user see the same user;
        # the operations that need a wider scope read the token.
        request.user = found.token.user
        request.api_token = found.token  # type: ignore[attr-defined]
        if request.method not in READ_METHODS:
            require_scope(request, Scope.WRITE)
        return found.token.user


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse with 403, naming the scope needed, unless the call's token has `scope`."""
    token = getattr(request, "api_token", None)
    if not isinstance(token, ApiToken) or not token.allows(scope):
        raise PermissionDenied(NEEDS_SCOPE[Scope(scope)])
