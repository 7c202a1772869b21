"""How the council shares its cases (R26, decision 19): the organiser proposes a way and a
named contact, the peer challenge manager accepts it or asks again with a reason.

Only an accepted proposal lets cases be released: accepting it records it on the review
(`sharing_recorded_at`), which the gate and `sampling.share_out` read. The PCM is e-mailed when
a proposal arrives, the organiser when asked again; neither e-mail carries the proposal's words
or the reason, only a link to the page.
"""

from __future__ import annotations

import logging
import re
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.versioning import UNCHECKED, StaleEdit, claim, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.enums import CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import Diagnostic

from ..enums import SharingMethod, SharingState
from ..models import CaseReview, CaseSharing
from .reviews import NOUN as REVIEW_NOUN

log = logging.getLogger(__name__)
NOUN = "how the council shares the cases"
MAX_DETAILS = 2000
MAX_NAME = 200
MAX_PHONE = 40
MAX_REASON = 2000
PHONE = re.compile(r"^\+?[0-9 ()\-]{6,}$")


def sharing_for(review: CaseReview) -> CaseSharing:
    """The review's sharing record, made empty (nothing proposed) on first use."""
    sharing, _ = CaseSharing.objects.get_or_create(review=review)
    return sharing


def _refuse_once_released(review: CaseReview) -> None:
    if review.cases.filter(released_at__isnull=False).exists():
        raise DomainError(
            "The cases are already released to the case auditors, so the way they are shared "
            "can no longer change. Contact the peer challenge manager"
        )


def propose(
    sharing: CaseSharing,
    *,
    by: User | None,
    method: str,
    details: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    version: int | None,
) -> CaseSharing:
    """The organiser proposes how the council will share the cases and who to contact about
    access. A new proposal replaces the last, and an accepted one goes back to the PCM: cases
    cannot be released until it is accepted again. Refused once cases are released, and with
    StaleEdit (nothing saved) when the record changed after `version`. E-mails the PCM."""
    details, contact_name = details.strip(), contact_name.strip()
    contact_email, contact_phone = contact_email.strip(), contact_phone.strip()
    if method not in SharingMethod.values:
        raise DomainError("Choose how the council will share the cases", field="method")
    if method == SharingMethod.OTHER and not details:
        raise DomainError("Describe the way the council will share the cases", field="details")
    if len(details) > MAX_DETAILS:
        raise DomainError(f"The details can be up to {MAX_DETAILS} characters", field="details")
    if not contact_name:
        raise DomainError("Enter the name of the council's contact", field="contact_name")
    if len(contact_name) > MAX_NAME:
        raise DomainError(f"The name can be up to {MAX_NAME} characters", field="contact_name")
    try:
        validate_email(contact_email)
    except ValidationError:
        raise DomainError(
            "Enter the contact's e-mail address, like name@council.gov.uk", field="contact_email"
        ) from None
    if contact_phone and (len(contact_phone) > MAX_PHONE or not PHONE.match(contact_phone)):
        raise DomainError(
            "Enter a telephone number, like 01632 960 001, or leave it empty",
            field="contact_phone",
        )
    review = sharing.review
    _refuse_once_released(review)
    with transaction.atomic():
        claim(sharing, version=version, by=by, noun=NOUN)
        was_accepted = sharing.state == SharingState.ACCEPTED
        sharing.state = SharingState.PROPOSED
        sharing.method = method
        sharing.details = details
        sharing.contact_name = contact_name
        sharing.contact_email = contact_email
        sharing.contact_phone = contact_phone
        sharing.proposed_at, sharing.proposed_by = timezone.now(), by
        sharing.decided_at, sharing.decided_by, sharing.reason = None, None, ""
        sharing.save()
        if was_accepted or review.sharing_recorded_at:
            _unrecord(review, by=by)
        record(
            review.diagnostic,
            by=by,
            action="case_sharing_proposed",
            summary=f"The council proposed how cases are shared: {SharingMethod(method).label}",
        )
    _tell(
        _pcm_addresses(review.diagnostic),
        subject=f"{review.diagnostic.reference}: the council has proposed how cases are shared",
        lead="The council has proposed how it will share the cases for the case record review of",
        ask="Please read the proposal and accept it, or ask the council to propose again:",
        review=review,
    )
    return sharing


def accept(sharing: CaseSharing, *, by: User | None, version: int | None) -> CaseSharing:
    """The PCM accepts the proposal on the page (at `version`); cases may then be released.
    Refused with StaleEdit when the proposal changed after `version`, so the PCM accepts only
    what they read."""
    review = sharing.review
    if sharing.state != SharingState.PROPOSED:
        # A stale page is named as such, whatever the state now is.
        current = CaseSharing.objects.select_related("changed_by").get(pk=sharing.pk)
        if version is not None and current.version != version:
            raise StaleEdit(current, noun=NOUN)
        raise DomainError("There is no proposal waiting to be accepted")
    _refuse_once_released(review)
    with transaction.atomic():
        claim(sharing, version=version, by=by, noun=NOUN)
        sharing.state = SharingState.ACCEPTED
        sharing.decided_at, sharing.decided_by, sharing.reason = timezone.now(), by, ""
        sharing.save()
        claim(review, version=UNCHECKED, by=by, noun=REVIEW_NOUN)
        review.sharing_mechanism = summary(sharing)
        review.sharing_recorded_at = sharing.decided_at
        review.sharing_recorded_by = by
        review.save(
            update_fields=with_version_fields(
                ["sharing_mechanism", "sharing_recorded_at", "sharing_recorded_by", "updated_at"]
            )
        )
        record(
            review.diagnostic,
            by=by,
            action="case_sharing_accepted",
            summary=f"How cases are shared was accepted: {SharingMethod(sharing.method).label}",
        )
    return sharing


def ask_again(
    sharing: CaseSharing, *, by: User | None, reason: str, version: int | None
) -> CaseSharing:
    """The PCM asks the council to propose again, saying why (shown to the council on the page,
    not e-mailed). Possible while a proposal waits or after acceptance, until cases are
    released. Refused with StaleEdit when the proposal changed after `version`. E-mails the
    organiser."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what the council should change", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"The reason can be up to {MAX_REASON} characters", field="reason")
    review = sharing.review
    if sharing.state not in (SharingState.PROPOSED, SharingState.ACCEPTED):
        current = CaseSharing.objects.select_related("changed_by").get(pk=sharing.pk)
        if version is not None and current.version != version:
            raise StaleEdit(current, noun=NOUN)
        raise DomainError("There is no proposal to answer")
    _refuse_once_released(review)
    with transaction.atomic():
        claim(sharing, version=version, by=by, noun=NOUN)
        sharing.state = SharingState.ASKED_AGAIN
        sharing.decided_at, sharing.decided_by, sharing.reason = timezone.now(), by, reason
        sharing.save()
        if review.sharing_recorded_at:
            _unrecord(review, by=by)
        record(
            review.diagnostic,
            by=by,
            action="case_sharing_asked_again",
            summary="The council was asked to propose again how cases are shared",
        )
    to = _organiser_addresses(review.diagnostic)
    if sharing.proposed_by is not None and sharing.proposed_by.email:
        to = sorted({*to, sharing.proposed_by.email})
    _tell(
        to,
        subject=f"{review.diagnostic.reference}: please propose again how cases are shared",
        lead="The peer challenge manager has asked the council to propose again how it will "
        "share the cases for the case record review of",
        ask="Their reason is on the page, where you can make a new proposal:",
        review=review,
    )
    return sharing


def summary(sharing: CaseSharing) -> str:
    """The proposal in one line, as the team's pages show it."""
    parts = [str(SharingMethod(sharing.method).label)] if sharing.method else []
    if sharing.details:
        parts.append(sharing.details)
    if sharing.contact_name:
        parts.append(f"Contact: {sharing.contact_name}")
    return ". ".join(parts)


def _unrecord(review: CaseReview, *, by: User | None) -> None:
    """The review no longer has an accepted way of sharing (inside the caller's transaction)."""
    claim(review, version=UNCHECKED, by=by, noun=REVIEW_NOUN)
    review.sharing_recorded_at, review.sharing_recorded_by = None, None
    review.save(
        update_fields=with_version_fields(
            ["sharing_recorded_at", "sharing_recorded_by", "updated_at"]
        )
    )


def _pcm_addresses(d: Diagnostic) -> list[str]:
    return sorted(
        {
            m.person.email
            for m in d.team.filter(role=TeamRole.PEER_CHALLENGE_MANAGER).select_related("person")
            if m.person.email
        }
    )


def _organiser_addresses(d: Diagnostic) -> list[str]:
    return sorted(
        {
            r.person.email
            for r in d.council_roles.filter(role=CouncilRoleKind.ORGANISER).select_related("person")
            if r.person.email
        }
    )


def _tell(to: list[str], *, subject: str, lead: str, ask: str, review: CaseReview) -> None:
    """A short e-mail with a link; no words of the proposal or the reason. A failed e-mail
    is logged and recorded on the diagnostic; what was saved stands."""
    d = review.diagnostic
    if not to:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("web:casereview_sharing", args=[d.reference])
    body = f"{lead} {d.reference} ({d.host_council.name}).\n\n{ask}\n{link}\n"
    try:
        outbox.send(kind=MailKind.CASE_SHARING, subject=subject, body=body, to=to, diagnostic=d)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("case sharing e-mail for %s not sent: %s", d.reference, exc)
        record(
            d,
            by=None,
            action="case_sharing_email_failed",
            summary="An e-mail about how cases are shared could not be sent",
        )
