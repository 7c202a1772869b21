"""Entries for API tokens and the password check before sensitive actions.

None of these URLs names a diagnostic. In the matrix every sign-in counts as recent (see
tests/conftest.py); tests/accounts/test_tokens.py and test_reauth.py cover the password check
itself. A token belongs to its owner (here the LGA admin): anyone else is told there is none.
"""

from __future__ import annotations

from typing import Any

from peerdiag.accounts.models import ApiToken, User

from . import SIGNED_IN, Case, rel

OWNER_ONLY = rel(anon=302, admin=200, pcm=404, team=404, council=404, none=404)


def _someones_token(d: Any) -> dict[str, str]:
    owner = User.objects.filter(is_staff=True).first()
    assert owner is not None
    token, _ = ApiToken.issue(owner, "matrix")
    return {"code": token.code}


ENTRIES: dict[str, Case] = {
    "web:reauth": Case(SIGNED_IN),
    "web:api_tokens": Case(SIGNED_IN),
    "web:api_token_create": Case(SIGNED_IN),
    "web:api_token_revoke": Case(OWNER_ONLY, kwargs=("code",), per_user=True, make=_someones_token),
}
