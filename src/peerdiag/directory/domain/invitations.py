"""Inviting a person in the directory to sign in. Lives here, not in accounts, because it links
a Person (directory) to a login (accounts), and accounts may not import directory.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from peerdiag.accounts.domain.invitations import invite
from peerdiag.accounts.models import Invitation, User
from peerdiag.common.errors import DomainError

from ..models import Person


def invite_person(
    person: Person, *, by: User, site_url: str, now: datetime | None = None
) -> Invitation:
    """Invite `person` to peerdiag, making their login first if they have none.

    Side effects (atomic): for a person without a login, creates one for their e-mail address
    (switched off, no usable password, their name copied) and links it to them, or links an
    existing login with that address that belongs to nobody else; then calls
    accounts.domain.invitations.invite, which voids older invitations and sends the e-mail.
    If the e-mail cannot be sent, the new login is not kept either.

    Refuses (field "email") a person with no e-mail address, or whose address is the login of
    somebody else in the directory.
    """
    with transaction.atomic():
        if person.user_id is None:
            email = person.email.strip().lower()
            if not email:
                raise DomainError(
                    "Add an e-mail address for this person before inviting them", field="email"
                )
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, password=None, full_name=person.full_name, is_active=False
                )
            elif Person.objects.filter(user=user).exists():
                raise DomainError(
                    "Another person in the directory signs in with this e-mail address",
                    field="email",
                )
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        user = person.user
        assert user is not None
        return invite(user, by=by, site_url=site_url, now=now)
