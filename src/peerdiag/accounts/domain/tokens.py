"""API tokens: issued and revoked by their owner on the account pages, checked by the API.

Only a token's hash is stored; the token itself is shown once, when it is made.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peerdiag.common.errors import DomainError

from ..models import ApiToken, User, _hash_token

log = logging.getLogger("peerdiag.accounts")

NAME_MAX = 100
# Recording every use would write to the database on every API call; once a minute is
# precise enough for "last used" and keeps reads cheap.
LAST_USED_PRECISION = timedelta(minutes=1)


def issue_token(user: User, *, name: str, by: User) -> tuple[ApiToken, str]:
    """Make a new API token for `user`; returns it and the raw token (shown once, never kept).

    Only the person themselves may do it. Side effects: creates an ApiToken holding the hash.
    Logs who made it (not the token).
    """
    if by.pk != user.pk:
        raise DomainError("You can only make API tokens for yourself")
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter a name for the token", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"The name must be {NAME_MAX} characters or fewer", field="name")
    token, raw = ApiToken.issue(user, name)
    log.info("API token %s made for user %s", token.code, user.pk)
    return token, raw


def revoke_token(token: ApiToken, *, by: User, now: datetime | None = None) -> bool:
    """Stop `token` working at once. Returns False if it was revoked already (nothing changes).

    Only its owner or an LGA administrator may do it. Side effects: sets revoked_at (a single
    conditional update, so a second revocation keeps the first time). Logs who did it.
    """
    if by.pk != token.user_id and not by.is_staff:
        raise DomainError("Only the token's owner or an LGA administrator can revoke it")
    now = now or timezone.now()
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
    token.refresh_from_db(fields=["revoked_at"])
    if changed:
        log.info("API token %s revoked by user %s", token.code, by.pk)
    return changed == 1


def token_for(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token whose raw value is `raw` (with its user), or None.

    Revoked tokens and tokens of switched-off accounts are None. Side effects: sets last_used_at
    when it is unset or older than LAST_USED_PRECISION.
    """
    if not raw:
        return None
    now = now or timezone.now()
    found = (
        ApiToken.objects.active().select_related("user").filter(key_hash=_hash_token(raw)).first()
    )
    if found is None:
        return None
    # Conditional, so it changes no row (and writes nothing) within a minute of the last use;
    # issued on every call all the same, which keeps the number of queries per call constant.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
    if ApiToken.objects.filter(stale, pk=found.pk).update(last_used_at=now):
        found.last_used_at = now
    return found


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, newest first, revoked ones included (the page shows them as such)."""
    return list(ApiToken.objects.filter(user=user))
