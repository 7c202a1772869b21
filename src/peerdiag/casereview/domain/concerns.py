"""Safeguarding concerns (R30): raised by an auditor, e-mailed at once to the council's named
contact and the peer challenge manager, open on their pages until one of them acknowledges it.

The e-mail says that a concern was raised and where to see it; it carries no case content,
since e-mail is not a safe place for it.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.crypto import encrypt
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.versioning import (
    UNCHECKED,
    StaleEdit,
    claim,
    created_by,
    with_version_fields,
)
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.enums import ENDED, CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import Diagnostic

from ..models import CaseAudit, CaseReview, SafeguardingConcern
from .audits import is_case_auditor
from .reviews import named_contact

log = logging.getLogger(__name__)
SUBJECT = "Safeguarding concern raised in a case record review"
NOUN = "this safeguarding concern"


def recipients(review: CaseReview) -> list[str]:
    """The council's named contact (or sponsor) and the PCM, by e-mail address."""
    people = [named_contact(review)]
    people += [
        m.person
        for m in review.diagnostic.team.filter(role=TeamRole.PEER_CHALLENGE_MANAGER).select_related(
            "person"
        )
    ]
    return sorted({p.email for p in people if p is not None and p.email})


def raise_concern(audit: CaseAudit, *, by: User, summary: str) -> SafeguardingConcern:
    """Record a concern that a child may be at risk and escalate it at once by e-mail.

    The concern is saved even if the e-mail fails (then it shows as not escalated, and the PCM
    must telephone; `escalate_concern` tries the e-mail again)."""
    # The auditor, or the PCM or lead peer on a second reading.
    if not (
        is_case_auditor(audit.case, by)
        or by.has_perm("casereview.select_cases", audit.case.review.diagnostic)
    ):
        raise DomainError("Only someone who reads this case can raise a concern about it")
    if not summary.strip():
        raise DomainError("Describe the concern", field="summary")
    review = audit.case.review
    with transaction.atomic():
        concern = SafeguardingConcern.objects.create(
            audit=audit,
            raised_by=by,
            raised_at=timezone.now(),
            summary_enc=encrypt(summary.strip()),
            **created_by(by),
        )
        record(
            review.diagnostic,
            by=by,
            action="safeguarding_concern_raised",
            summary=f"Safeguarding concern {concern.code} raised on case {audit.case.code}",
        )
    escalate_concern(concern, by=by)
    return concern


def escalate_concern(concern: SafeguardingConcern, *, by: User | None) -> bool:
    """E-mail the concern's recipients now; True if sent. Recorded on the diagnostic either way."""
    review = concern.audit.case.review
    d = review.diagnostic
    to = recipients(review)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "web:casereview_concern", args=[d.reference, concern.code]
    )
    body = (
        f"A case auditor on diagnostic {d.reference} ({d.host_council.name}) has raised a "
        f"safeguarding concern (reference {concern.code}) about a case in the sample.\n\n"
        "Please act on it at once. Sign in to see the case reference and acknowledge it:\n"
        f"{link}\n\nThis e-mail holds no details of the case on purpose."
    )
    try:
        if not to:
            raise DomainError("Nobody to tell: name the council's contact for concerns")
        # The outbox records that it went, never its words (issue 18).
        outbox.send(
            kind=MailKind.CONCERN,
            subject=SUBJECT,
            body=body,
            to=to,
            diagnostic=d,
            by=by,
            withhold_body=True,
        )
    except (smtplib.SMTPException, OSError, DomainError) as exc:
        log.warning("safeguarding concern %s not e-mailed: %s", concern.code, exc)
        record(
            d,
            by=by,
            action="safeguarding_concern_not_sent",
            summary=f"Safeguarding concern {concern.code} could not be e-mailed: telephone now",
        )
        return False
    with transaction.atomic():
        # Sending again is never refused; the version still moves on, so a page open elsewhere
        # learns of it.
        claim(concern, version=UNCHECKED, by=by, noun=NOUN)
        concern.escalated_at = timezone.now()
        concern.escalated_to = ", ".join(to)
        concern.save(
            update_fields=with_version_fields(["escalated_at", "escalated_to", "updated_at"])
        )
        record(
            d,
            by=by,
            action="safeguarding_concern_escalated",
            summary=f"Safeguarding concern {concern.code} e-mailed to {concern.escalated_to}"[:300],
        )
    return True


def may_acknowledge(user: User, concern: SafeguardingConcern) -> bool:
    person = getattr(user, "person", None)
    if person is None:
        return False
    review = concern.audit.case.review
    contact = named_contact(review)
    if contact is not None and contact.pk == person.pk:
        return True
    # The organiser may stand in for the named contact: the council acts on it either way.
    if review.diagnostic.council_roles.filter(
        person=person, role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
    ).exists():
        return True
    return review.diagnostic.team.filter(
        person=person, role=TeamRole.PEER_CHALLENGE_MANAGER
    ).exists()


def acknowledge_concern(
    concern: SafeguardingConcern, *, by: User, version: int | None
) -> SafeguardingConcern:
    """The named contact or the PCM confirms they have the concern in hand.

    Refused with StaleEdit (nothing saved) when the concern changed after `version`: most
    often because the other recipient acknowledged it first, whom the page then names."""
    if not may_acknowledge(by, concern):
        raise DomainError("Only the council's named contact or the PCM acknowledges a concern")
    if concern.acknowledged_at:
        if version is not None:
            current = SafeguardingConcern.objects.select_related("changed_by").get(pk=concern.pk)
            if current.version != version:
                raise StaleEdit(current, noun=NOUN)
        raise DomainError("This concern is already acknowledged")
    with transaction.atomic():
        claim(concern, version=version, by=by, noun=NOUN)
        concern.acknowledged_by = by
        concern.acknowledged_at = timezone.now()
        concern.save(
            update_fields=with_version_fields(["acknowledged_by", "acknowledged_at", "updated_at"])
        )
        record(
            concern.audit.case.review.diagnostic,
            by=by,
            action="safeguarding_concern_acknowledged",
            summary=f"Safeguarding concern {concern.code} acknowledged",
        )
    return concern


def open_concerns_for(user: User) -> QuerySet[SafeguardingConcern]:
    """Unacknowledged concerns this user must see on their dashboard: as the PCM of the
    diagnostic, or as its council's named contact (the sponsor where none is named)."""
    person = getattr(user, "person", None)
    qs = SafeguardingConcern.objects.filter(acknowledged_at__isnull=True).exclude(
        audit__case__review__diagnostic__stage__in=ENDED
    )
    if person is None:
        return qs.none()
    pcm_of = Diagnostic.objects.filter(
        team__person=person, team__role=TeamRole.PEER_CHALLENGE_MANAGER
    ).values("pk")
    sponsor_of = Diagnostic.objects.filter(
        council_roles__person=person, council_roles__role="sponsor"
    ).values("pk")
    mine = (
        Q(audit__case__review__diagnostic__in=pcm_of)
        | Q(audit__case__review__named_contact=person)
        | Q(
            audit__case__review__named_contact__isnull=True,
            audit__case__review__diagnostic__in=sponsor_of,
        )
    )
    return qs.filter(mine).select_related("audit__case__review__diagnostic")
