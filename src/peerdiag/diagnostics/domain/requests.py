"""A council asking for a diagnostic, and the LGA declining a request (issue 17).

A request opens a diagnostic at the enquiry stage at once, so it appears on the LGA's dashboard
like any other enquiry; the `CouncilRequest` beside it keeps who asked and what they said. The LGA
takes it forward through the usual pages (details, council roles, scoping) or declines it with a
reason, which cancels the diagnostic and tells the requester.

E-mails name the council, the type and the reference only: the council's free text may mention a
child, so it never leaves the service by e-mail.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.versioning import claim
from peerdiag.common.workdays import add_working_days
from peerdiag.directory.models import Organisation

from ..enums import DiagnosticType, Stage
from ..models import CouncilRequest, Diagnostic, RequestStatus
from . import audit
from .diagnostics import create_diagnostic
from .stages import cancel

log = logging.getLogger(__name__)

# Our choice (domain.md gives no figure): the LGA contacts the council to arrange the scoping
# call within this many working days of the request.
CONTACT_WITHIN_WORKING_DAYS = 5
MAX_CONCERNS = 2000
MAX_REASON = 1000
MAX_WEEKS = 3
NAME_LIMIT = 200


def contact_by(requested_on: date) -> date:
    """The working day by which the LGA will have been in touch."""
    return add_working_days(requested_on, CONTACT_WITHIN_WORKING_DAYS)


def _check_weeks(weeks: Sequence[date], today: date) -> list[date]:
    chosen = sorted(set(weeks))
    if not chosen:
        raise DomainError("Enter at least one week you would prefer", field="weeks")
    if len(chosen) > MAX_WEEKS:
        raise DomainError(f"Enter no more than {MAX_WEEKS} weeks", field="weeks")
    for week in chosen:
        if week.weekday() != 0:
            raise DomainError(
                f"{week:%-d %B %Y} is not a Monday: give the Monday each week starts on",
                field="weeks",
            )
        if week <= today:
            raise DomainError(f"The week of {week:%-d %B %Y} is not in the future", field="weeks")
    return chosen


def _check_person(prefix: str, noun: str, name: str, email: str, job_title: str) -> None:
    if not name.strip():
        raise DomainError(f"Enter the {noun}'s name", field=f"{prefix}_name")
    if not email.strip() or "@" not in email:
        raise DomainError(f"Enter the {noun}'s e-mail address", field=f"{prefix}_email")
    if not job_title.strip():
        raise DomainError(f"Enter the {noun}'s job title", field=f"{prefix}_job_title")
    for field, value in (("name", name), ("email", email), ("job_title", job_title)):
        if len(value.strip()) > NAME_LIMIT:
            raise DomainError(
                f"The {noun}'s {field.replace('_', ' ')} must be {NAME_LIMIT} characters or fewer",
                field=f"{prefix}_{field}",
            )


def request_diagnostic(
    council: Organisation,
    *,
    by: User,
    type: str,
    type_other: str = "",
    concerns: str,
    weeks: Sequence[date],
    sponsor_name: str,
    sponsor_email: str,
    sponsor_job_title: str,
    organiser_name: str,
    organiser_email: str,
    organiser_job_title: str,
    today: date | None = None,
) -> CouncilRequest:
    """Open an enquiry for `council`, asked for by `by` (who must work there).

    Side effects: a diagnostic at the enquiry stage with its audit entry; an e-mail to the
    requester and one to each LGA administrator (neither carries the council's free text).
    """
    person = getattr(by, "person", None)
    if person is None or person.organisation_id != council.pk or not council.is_council:
        raise DomainError("Only someone at the council can ask for its diagnostic")
    today = today or timezone.localdate()
    if type not in DiagnosticType.values:
        raise DomainError("Choose a type of diagnostic", field="type")
    if not concerns.strip():
        raise DomainError("Tell us what worries you", field="concerns")
    if len(concerns.strip()) > MAX_CONCERNS:
        raise DomainError(
            f"What worries you must be {MAX_CONCERNS} characters or fewer (it is "
            f"{len(concerns.strip())})",
            field="concerns",
        )
    chosen = _check_weeks(weeks, today)
    _check_person("sponsor", "sponsor", sponsor_name, sponsor_email, sponsor_job_title)
    _check_person("organiser", "organiser", organiser_name, organiser_email, organiser_job_title)
    # The type's label, never the council's own words, so the title stays within its limit.
    label = DiagnosticType(type).label
    with transaction.atomic():
        d = create_diagnostic(
            by=by,
            host_council=council,
            title=f"{label} diagnostic requested by {council.name}",
            type=type,
            type_other=type_other,
        )
        req = CouncilRequest.objects.create(
            diagnostic=d,
            requested_by=by,
            concerns=concerns.strip(),
            preferred_weeks=[w.isoformat() for w in chosen],
            sponsor_name=sponsor_name.strip(),
            sponsor_email=sponsor_email.strip().lower(),
            sponsor_job_title=sponsor_job_title.strip(),
            organiser_name=organiser_name.strip(),
            organiser_email=organiser_email.strip().lower(),
            organiser_job_title=organiser_job_title.strip(),
        )
        audit.record(
            d, by=by, action="council_request", summary=f"{council.name} asked for a diagnostic"
        )
        transaction.on_commit(lambda: _tell_on_request(req, today))
    return req


def _link(d: Diagnostic) -> str:
    return settings.SITE_URL + reverse("web:council_request", args=[d.reference])


def _mail(
    subject: str, body: str, to: list[str], what: str, diagnostic: Diagnostic | None = None
) -> None:
    if not to:
        return
    try:
        outbox.send(kind=MailKind.REQUEST, subject=subject, body=body, to=to, diagnostic=diagnostic)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("%s not e-mailed: %s", what, exc)


def lga_recipients() -> list[str]:
    """Whoever the dashboard shows every enquiry to: the LGA's administrators."""
    return sorted(
        User.objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _tell_on_request(req: CouncilRequest, today: date) -> None:
    d = req.diagnostic
    by_day = contact_by(today)
    _mail(
        f"{d.reference}: your request for a diagnostic",
        (
            f"Thank you. {d.host_council.name}'s request for a {d.get_type_display()} diagnostic "
            f"has reached the LGA (reference {d.reference}).\n\n"
            "What happens next: someone from the LGA will contact you to arrange a scoping call "
            f"by {by_day:%A %-d %B %Y} (within {CONTACT_WITHIN_WORKING_DAYS} working days).\n\n"
            f"You can see your request at {_link(d)}"
        ),
        [req.requested_by.email],
        f"request {d.reference} (to the requester)",
        d,
    )
    _mail(
        f"{d.reference}: {d.host_council.name} has asked for a diagnostic",
        (
            f"{d.host_council.name} has asked for a {d.get_type_display()} diagnostic "
            f"(reference {d.reference}). It is on the dashboard as an enquiry.\n\n"
            f"Please contact them to arrange a scoping call by {by_day:%A %-d %B %Y}.\n\n"
            f"Read the request: {_link(d)}"
        ),
        lga_recipients(),
        f"request {d.reference} (to the LGA)",
        d,
    )


def decline_request(
    req: CouncilRequest, *, by: User, reason: str, version: int | None
) -> CouncilRequest:
    """The LGA says no, with a reason the requester is told.

    Refused with StaleEdit when the request changed after `version`. Side effects: the
    diagnostic is cancelled (its audit entry notes a request declined); the requester is
    e-mailed that it was declined and where to read the reason.
    """
    reason = reason.strip()
    if not reason:
        raise DomainError("Give a reason the council will see", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(
            f"The reason must be {MAX_REASON} characters or fewer (it is {len(reason)})",
            field="reason",
        )
    with transaction.atomic():
        claim(req, version=version, by=by, noun="this request")
        req.refresh_from_db()
        if req.status != RequestStatus.OPEN:
            raise DomainError("This request has already been declined", field="reason")
        if req.diagnostic.stage != Stage.ENQUIRY:
            raise DomainError(
                "This request is already being taken forward: cancel the diagnostic instead",
                field="reason",
            )
        req.status = RequestStatus.DECLINED
        req.decline_reason = reason
        req.decided_by = by
        req.decided_at = timezone.now()
        req.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        cancel(req.diagnostic, by=by, reason="The council's request was declined by the LGA")
        d = req.diagnostic
        to = [req.requested_by.email]
        transaction.on_commit(
            lambda: _mail(
                f"{d.reference}: your request for a diagnostic",
                (
                    f"The LGA has declined {d.host_council.name}'s request for a "
                    f"{d.get_type_display()} diagnostic (reference {d.reference}).\n\n"
                    f"Sign in to read the reason: {_link(d)}"
                ),
                to,
                f"decline of {d.reference}",
                d,
            )
        )
    return req


def requests_for_user(user: User) -> list[CouncilRequest]:
    """Open requests the dashboard lists: every one for an LGA administrator, the council's own
    for someone at a council, none for anyone else."""
    qs = CouncilRequest.objects.select_related("diagnostic__host_council", "requested_by").filter(
        status=RequestStatus.OPEN, diagnostic__stage=Stage.ENQUIRY
    )
    if not user.is_active:
        return []
    if user.is_staff:
        return list(qs)
    person = getattr(user, "person", None)
    if person is not None and person.organisation.is_council:
        return list(qs.filter(diagnostic__host_council_id=person.organisation_id))
    return []
