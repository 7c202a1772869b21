"""Destroying case content on the destroy-by date (decision 9), safe to run every day.

What goes: every encrypted field (evidence, commentary, notes, concern summaries, the
difference made), the pseudonymous references on the lists, the addresses safeguarding
concerns were escalated to and the council's contact for sharing the cases. What stays:
grades and counts, the audit trail, the read log and a Destruction record saying what was
destroyed and when.

`run_retention` is the daily job: case content first, then every step registered with
peerdiag.diagnostics.domain.retention (other apps' data on the schedules stated there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.versioning import UNCHECKED, claim, with_version_fields
from peerdiag.diagnostics.domain.audit import record
from peerdiag.diagnostics.domain.keydates import DESTROY_AFTER_ISSUE_DAYS
from peerdiag.diagnostics.domain.retention import (
    RetentionStep,
    register_retention_step,
    run_retention_steps,
)
from peerdiag.diagnostics.enums import ENDED

from ..models import (
    CaseAudit,
    CaseListEntry,
    CaseReview,
    CaseSharing,
    Destruction,
    DomainGrade,
    Moderation,
    PractitionerContact,
    SafeguardingConcern,
)


def destroy_by(review: CaseReview) -> date | None:
    """The destroy-by date: 30 days after written feedback is issued; None until then."""
    issued = review.diagnostic.written_feedback_issued_on
    return issued + timedelta(days=DESTROY_AFTER_ISSUE_DAYS) if issued else None


def is_due(review: CaseReview, today: date) -> bool:
    if review.content_destroyed_at is not None:
        return False
    when = destroy_by(review)
    # A cancelled or closed diagnostic has no more use for case content at all.
    return (when is not None and when <= today) or review.diagnostic.stage in ENDED


def destroy_case_content(review: CaseReview, *, by: User | None, reason: str) -> Destruction:
    """Destroy the review's case content now and record it. Doing it twice changes nothing."""
    with transaction.atomic():
        review = CaseReview.objects.select_for_update().get(pk=review.pk)
        if review.content_destroyed_at is not None:
            return review.destructions.order_by("-at").first()  # type: ignore[return-value]
        audits = CaseAudit.objects.filter(case__review=review)
        # Every versioned row destroyed moves to its next version, so a page left open on it
        # cannot save its old words back.
        bump = {"version": F("version") + 1}
        counts = {
            "audits": audits.update(difference_enc="", **bump),
            "domain_grades": DomainGrade.objects.filter(audit__in=audits).update(
                evidence_enc="", commentary_enc=""
            ),
            "contacts": PractitionerContact.objects.filter(audit__in=audits).update(note_enc=""),
            "moderations": Moderation.objects.filter(audit__in=audits).update(note_enc="", **bump),
            "concerns": SafeguardingConcern.objects.filter(audit__in=audits).update(
                summary_enc="", **bump
            ),
            "escalation_addresses": SafeguardingConcern.objects.filter(audit__in=audits)
            .exclude(escalated_to="")
            .update(escalated_to=""),
        }
        counts["sharing_contacts"] = (
            CaseSharing.objects.filter(review=review)
            .exclude(contact_name="", contact_email="", contact_phone="")
            .update(contact_name="", contact_email="", contact_phone="", **bump)
        )
        entries = CaseListEntry.objects.filter(case_list__diagnostic_id=review.diagnostic_id)
        counts["case_references"] = 0
        for entry in entries:
            entry.pseudonymous_ref = f"destroyed-{entry.code}"
            entry.team = ""
            entry.save(update_fields=["pseudonymous_ref", "team", "updated_at"])
            counts["case_references"] += 1
        claim(review, version=UNCHECKED, by=by, noun="the case record review")
        review.content_destroyed_at = timezone.now()
        review.save(update_fields=with_version_fields(["content_destroyed_at", "updated_at"]))
        destruction = Destruction.objects.create(
            review=review, by=by, reason=reason[:200], counts=counts
        )
        record(
            review.diagnostic,
            by=by,
            action="case_content_destroyed",
            summary=f"Case content destroyed ({reason})"[:300],
        )
    return destruction


@dataclass(frozen=True)
class RetentionRun:
    destroyed: list[str]  # diagnostic references whose case content went
    # What the other registered steps destroyed: (what, diagnostic reference).
    others: list[tuple[str, str]] = field(default_factory=list)


CASE_CONTENT_STEP = "casereview.case_content"  # run first by run_retention, not registered

# Kept importable from here: the step registry moved to diagnostics so that apps below
# casereview (timetable, documents) can register too.
__all__ = ["RetentionStep", "register_retention_step", "run_retention"]


def destroy_due_escalation_addresses(today: date, by: User | None) -> list[tuple[str, str]]:
    """Addresses left on concerns of reviews destroyed before the addresses were part of the
    case content (destroy_case_content blanks them now)."""
    out = []
    left = SafeguardingConcern.objects.filter(
        audit__case__review__content_destroyed_at__isnull=False
    ).exclude(escalated_to="")
    reviews = CaseReview.objects.filter(
        pk__in=set(left.values_list("audit__case__review_id", flat=True))
    ).select_related("diagnostic")
    for review in reviews.order_by("diagnostic__reference"):
        with transaction.atomic():
            count = left.filter(audit__case__review=review).update(escalated_to="")
            if count:
                record(
                    review.diagnostic,
                    by=by,
                    action="escalation_addresses_destroyed",
                    summary=f"Safeguarding escalation addresses destroyed: {count} concerns",
                )
        if count:
            out.append(("safeguarding escalation addresses", review.diagnostic.reference))
    return out


def run_retention(*, today: date | None = None, by: User | None = None) -> RetentionRun:
    """Destroy the content of every review that is due, then run the other apps' steps; the
    daily job."""
    today = today or timezone.localdate()
    done = []
    for review in CaseReview.objects.filter(content_destroyed_at__isnull=True).select_related(
        "diagnostic"
    ):
        if is_due(review, today):
            reason = (
                "the diagnostic ended"
                if review.diagnostic.stage in ENDED
                else f"destroy-by date {destroy_by(review)}"
            )
            destroy_case_content(review, by=by, reason=reason)
            done.append(review.diagnostic.reference)
    others = destroy_due_escalation_addresses(today, by) + run_retention_steps(today, by)
    return RetentionRun(destroyed=done, others=others)
