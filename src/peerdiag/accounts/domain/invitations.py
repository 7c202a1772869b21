"""Invitations: a single-use e-mailed link with which a person chooses the password of a login
made for them. Until then the login has no usable password and is switched off.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError

from ..models import Invitation, User

log = logging.getLogger("peerdiag.accounts")

VALID_FOR = timedelta(days=7)
SUBJECT = "You are invited to peerdiag"

# Why a link no longer works, as the invitation page and the API say it.
REFUSALS = {
    "unknown": "This invitation link is not recognised",
    "used": "This invitation has been used already",
    "replaced": "A newer invitation has replaced this one",
    "expired": "This invitation has expired",
}


def invite(user: User, *, by: User, site_url: str, now: datetime | None = None) -> Invitation:
    """Invite `user` to choose a password, by e-mail, with a link that works once for 7 days.

    Side effects (atomic): voids the person's earlier unused invitations, so only the newest
    link works; stores the new invitation (only a hash of its token); sends the e-mail through
    Django's e-mail backend to the login's address. If the e-mail cannot be sent nothing is
    kept and DomainError says so. Logs who invited whom to the "peerdiag.accounts" logger.

    Refuses a login that already has a password: that person can reset it instead.
    """
    if user.has_usable_password():
        raise DomainError(
            "This person has chosen a password already. They can use ‘I have forgotten my "
            "password’ on the sign-in page"
        )
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        Invitation.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).update(
            voided_at=now
        )
        invitation = Invitation.objects.create(
            user=user,
            token_hash=Invitation.hash_token(raw),
            created_at=now,
            expires_at=now + VALID_FOR,
            invited_by=by,
        )
        link = site_url.rstrip("/") + reverse("web:invitation_accept", args=[raw])
        body = render_to_string(
            "accounts/invitation_email.txt",
            {
                "user": user,
                "inviter": by.get_full_name(),
                "link": link,
                "expires": invitation.expires_at,
            },
        )
        try:
            send_mail(SUBJECT, body, None, [user.email])
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("invitation e-mail to user %s not sent: %s", user.pk, exc)
            raise DomainError(
                "The invitation e-mail could not be sent. Nothing was saved; try again later"
            ) from exc
    log.info("user %s invited by user %s", user.pk, by.pk)
    return invitation


def accept_invitation(token: str, *, password: str, now: datetime | None = None) -> User:
    """Use an invitation link: set the login's password and switch the login on.

    Refuses (DomainError, field "token") a link that is unknown, used, replaced or expired,
    and (field "password") a password Django's validators reject. Side effects (atomic): sets
    the password, marks the login active and the invitation used. Logs it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=Invitation.hash_token(token))
            .first()
        )
        if invitation is None:
            raise DomainError(REFUSALS["unknown"], field="token")
        state = invitation.state(now)
        if state != "open":
            raise DomainError(REFUSALS[state], field="token")
        user = invitation.user
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
    log.info("invitation accepted by user %s", user.pk)
    return user


def accept_invitation_by_sso(user: User, *, provider_key: str, now: datetime | None = None) -> User:
    """Accept `user`'s open invitation because they signed in through a trusted provider.

    For single sign-on (accounts/domain/sso.py::match_sign_in), which has already checked the
    provider's verified e-mail address against this login. Refuses (DomainError, field "token")
    when the login has no open invitation. Side effects (atomic): switches the login on, leaves
    it without a usable password (the person signs in through the provider),
    and marks the invitation used. Logs it, as accepting with a password does. The session
    is the caller's business (the sign-in view signs the person in).
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user")
            .open(now)
            .filter(user=user)
            .first()
        )
        if invitation is None:
            raise DomainError(REFUSALS["unknown"], field="token")
        user = invitation.user
        if user.has_usable_password():
            user.set_unusable_password()
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
    log.info("invitation accepted by user %s through single sign-on (%s)", user.pk, provider_key)
    return user
