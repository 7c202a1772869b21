"""The case review record itself: created on first use, its sharing mechanism and contact."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.models import Versioned
from peerdiag.common.versioning import UNCHECKED, claim, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.enums import CouncilRoleKind
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Person

from ..enums import SharingMethod, SharingState
from ..models import CaseReview, CaseSharing

MAX_SAMPLE = 100
# Every change to the review's settings, its sample and its report claims the review's next
# version: the overview page's forms all carry the version they were drawn from.
NOUN = "the case record review"


@contextmanager
def restored_on_failure(obj: Versioned) -> Iterator[None]:
    """Put `obj`'s version back in memory if the write that claimed it fails afterwards (the
    database rolls back by itself), so the same object can be saved again."""
    kept = (obj.version, obj.changed_by, obj.changed_at)
    try:
        yield
    except Exception:
        obj.version, obj.changed_by, obj.changed_at = kept
        raise


def review_for(diagnostic: Diagnostic) -> CaseReview:
    """The diagnostic's case review, made empty on first use (no audit entry: nothing chosen)."""
    if not diagnostic.case_review_in_scope:
        raise DomainError("No case record review is in scope for this diagnostic")
    review, _ = CaseReview.objects.get_or_create(diagnostic=diagnostic)
    return review


def record_sharing_mechanism(
    review: CaseReview, *, by: User | None, text: str, version: int | None
) -> CaseReview:
    """Record an agreed way of sharing the cases (R26) directly, as accepted: for internal
    writers (the demo, tests, a command). People use casereview/domain/sharing.py, where the
    organiser proposes and the PCM accepts. Refused with StaleEdit (nothing saved) when the
    review changed after `version`."""
    text = text.strip()
    if not text:
        raise DomainError("Say how the council will share the cases", field="sharing_mechanism")
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        now = timezone.now()
        review.sharing_mechanism = text
        review.sharing_recorded_at = now
        review.sharing_recorded_by = by
        review.save()
        sharing, _ = CaseSharing.objects.get_or_create(review=review)
        claim(sharing, version=UNCHECKED, by=by, noun="how the council shares the cases")
        sharing.state, sharing.method, sharing.details = (
            SharingState.ACCEPTED,
            SharingMethod.OTHER,
            text,
        )
        sharing.decided_at, sharing.decided_by, sharing.reason = now, by, ""
        sharing.save()
        record(
            review.diagnostic,
            by=by,
            action="case_sharing_recorded",
            summary=f"How cases are shared: {text}"[:300],
        )
    return review


def set_sample_size(
    review: CaseReview, *, by: User | None, size: int, version: int | None
) -> CaseReview:
    """Refused with StaleEdit (nothing saved) when the review changed after `version`."""
    if not 1 <= size <= MAX_SAMPLE:
        raise DomainError(f"The sample size must be between 1 and {MAX_SAMPLE}", field="size")
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        old = review.sample_size
        review.sample_size = size
        review.save(update_fields=with_version_fields(["sample_size", "updated_at"]))
        record(
            review.diagnostic,
            by=by,
            action="case_sample_size",
            summary=f"Case sample size set to {size}",
            changes=[
                {"field": "sample_size", "label": "Sample size", "old": str(old), "new": str(size)}
            ],
        )
    return review


def named_contact(review: CaseReview) -> Person | None:
    """Who at the council hears of a safeguarding concern: the named contact, else the sponsor."""
    if review.named_contact_id:
        return review.named_contact
    role = (
        review.diagnostic.council_roles.filter(role=CouncilRoleKind.SPONSOR)
        .select_related("person")
        .first()
    )
    return role.person if role else None


def set_named_contact(
    review: CaseReview, *, by: User | None, person: Person | None, version: int | None
) -> CaseReview:
    """Name who at the host council hears of a safeguarding concern; None goes back to the
    sponsor. Only someone who works for the host council can be named. Refused with StaleEdit
    (nothing saved) when the review changed after `version`."""
    council = review.diagnostic.host_council
    if person is not None and person.organisation_id != council.pk:
        raise DomainError(f"Choose someone who works for {council.name}", field="person")
    with transaction.atomic():
        claim(review, version=version, by=by, noun=NOUN)
        old = review.named_contact
        review.named_contact = person
        review.save(update_fields=with_version_fields(["named_contact", "updated_at"]))
        new_name = person.full_name if person else "the sponsor"
        record(
            review.diagnostic,
            by=by,
            action="case_named_contact",
            summary=f"Named contact for safeguarding concerns: {new_name}"[:300],
            changes=[
                {
                    "field": "named_contact",
                    "label": "Named contact",
                    "old": old.full_name if old else "",
                    "new": person.full_name if person else "",
                }
            ],
        )
    return review
