"""The written feedback's steps: draft → PCM check → council's factual-accuracy check → issued.

Each move is one function: it checks the step it starts from, writes the record and an audit
entry in one transaction, and sends what the move calls for (the council hears when the draft
is ready for its check). The council comments against a paragraph key: one of the report's own
sections, or a finding or recommendation (`content.finding_key`). Issuing builds the final files
with the renderers and stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, CouncilRoleKind, FeedbackFormat
from peerdiag.diagnostics.models import CouncilRole, Diagnostic
from peerdiag.findings.enums import FindingKind
from peerdiag.findings.models import Finding, Recommendation

from ..enums import WrittenState
from ..models import FactualComment, ReportParagraph, WrittenFeedback
from ..render.model import Feedback, Item
from .content import feedback_for, finding_key, written_for

MAX_TEXT = 20_000


# Reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportItem:
    """A finding or recommendation as the report will show it, with the key comments use."""

    key: str
    kind: str  # "strength", "area" or "recommendation"
    item: Item


def report_items(diagnostic: Diagnostic, feedback: Feedback | None = None) -> list[ReportItem]:
    """The approved findings and recommendations in report order, each with its comment key.

    Three queries besides `feedback` (pass it in when it is already built).
    """
    fb = feedback or feedback_for(diagnostic)
    approved = list(
        Finding.objects.filter(diagnostic=diagnostic, approved_at__isnull=False)
        .order_by("kind", "order", "pk")
        .values_list("kind", "code")
    )
    recs = list(
        Recommendation.objects.filter(diagnostic=diagnostic, approved_at__isnull=False)
        .order_by("order", "pk")
        .values_list("code", flat=True)
    )
    strengths = [c for k, c in approved if k == FindingKind.STRENGTH]
    areas = [c for k, c in approved if k == FindingKind.AREA]
    # The same queries in the same order: the codes line up with feedback_for's items.
    pairs = (
        [("strength", c, i) for c, i in zip(strengths, fb.strengths, strict=False)]
        + [("area", c, i) for c, i in zip(areas, fb.areas, strict=False)]
        + [("recommendation", c, i) for c, i in zip(recs, fb.recommendations, strict=False)]
    )
    out = [ReportItem(finding_key(c), kind, i) for kind, c, i in pairs]
    return out


def comment_keys(written: WrittenFeedback) -> set[str]:
    """Every key a council comment may point at."""
    d = written.diagnostic
    keys = set(written.paragraphs.values_list("key", flat=True))
    keys |= {
        finding_key(c)
        for c in Finding.objects.filter(diagnostic=d, approved_at__isnull=False).values_list(
            "code", flat=True
        )
    }
    keys |= {
        finding_key(c)
        for c in Recommendation.objects.filter(diagnostic=d, approved_at__isnull=False).values_list(
            "code", flat=True
        )
    }
    return keys


def unresolved_comments(written: WrittenFeedback) -> int:
    return written.comments.filter(resolved_at__isnull=True).count()


# Helpers --------------------------------------------------------------------------------------


def _refuse_if_ended(diagnostic: Diagnostic) -> None:
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its written feedback can no longer change")


def _locked(written: WrittenFeedback, *expected: str) -> WrittenFeedback:
    """The record, locked for the move, if it is at one of the `expected` steps."""
    _refuse_if_ended(written.diagnostic)
    current = WrittenFeedback.objects.select_for_update().get(pk=written.pk)
    if current.state not in expected:
        labels = " or ".join(WrittenState(s).label.lower() for s in expected)
        raise DomainError(
            f"The written feedback is {WrittenState(current.state).label.lower()}; "
            f"this can only be done when it is {labels}"
        )
    return current


def _copy(target: WrittenFeedback, source: WrittenFeedback) -> None:
    for f in WrittenFeedback._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _link(diagnostic: Diagnostic) -> str:
    return f"{settings.SITE_URL}/diagnostics/{diagnostic.reference}/written-feedback/"


# The report's own text ------------------------------------------------------------------------


def update_paragraph(
    written: WrittenFeedback, *, by: User | None, key: str, text: str, heading: str | None = None
) -> ReportParagraph:
    """Change one section of the report (its text, and its heading when given); only while the
    written feedback is a draft. Side effects: the paragraph; audit entry."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise DomainError(f"Keep the section under {MAX_TEXT:,} characters", field="text")
    if heading is not None:
        heading = heading.strip()
        if not heading:
            raise DomainError("Enter the section's heading", field="heading")
        if len(heading) > 200:
            raise DomainError("Keep the heading under 200 characters", field="heading")
    with transaction.atomic():
        _locked(written, WrittenState.DRAFT)
        paragraph = (
            ReportParagraph.objects.select_for_update().filter(written=written, key=key).first()
        )
        if paragraph is None:
            raise DomainError("The report has no such section", field="key")
        paragraph.text = text
        if heading is not None:
            paragraph.heading = heading
        paragraph.save()
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"Edited the section ‘{paragraph.heading}’ of the written feedback",
        )
    return paragraph


# The moves ------------------------------------------------------------------------------------


def submit_for_check(written: WrittenFeedback, *, by: User | None) -> WrittenFeedback:
    """Draft → PCM check. Refused while no finding or no recommendation is approved (the report
    would be empty). Side effects: state and submitted_at; audit entry."""
    d = written.diagnostic
    with transaction.atomic():
        current = _locked(written, WrittenState.DRAFT)
        if not Finding.objects.filter(diagnostic=d, approved_at__isnull=False).exists():
            raise DomainError(
                "No finding on the drafting board is approved yet: the report would be empty"
            )
        if not Recommendation.objects.filter(diagnostic=d, approved_at__isnull=False).exists():
            raise DomainError(
                "No recommendation on the drafting board is approved yet: the report would "
                "have none"
            )
        current.state = WrittenState.PCM_CHECK
        current.submitted_at = timezone.now()
        current.save()
        audit.record(
            d, by=by, action="written_feedback", summary="Sent the written feedback for PCM check"
        )
    _copy(written, current)
    return written


def return_to_draft(written: WrittenFeedback, *, by: User | None, reason: str) -> WrittenFeedback:
    """PCM check → draft, with the reason the PCM gives; also from the council's check, when a
    comment needs the text changed (sections are edited only in the draft; the comments stay).
    Side effects: state; audit entry (with the reason)."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what needs changing before it comes back", field="reason")
    with transaction.atomic():
        current = _locked(written, WrittenState.PCM_CHECK, WrittenState.COUNCIL_CHECK)
        current.state = WrittenState.DRAFT
        current.save()
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"Returned the written feedback to the draft: {reason}",
        )
    _copy(written, current)
    return written


def pass_pcm_check(written: WrittenFeedback, *, by: User | None) -> WrittenFeedback:
    """PCM check → the council's factual-accuracy check.

    Side effects: state, pcm_checked_at/by, sent_to_council_at; an e-mail to the council's
    sponsor and organiser with the link to the draft; audit entry.
    """
    d = written.diagnostic
    with transaction.atomic():
        current = _locked(written, WrittenState.PCM_CHECK)
        now = timezone.now()
        current.state = WrittenState.COUNCIL_CHECK
        current.pcm_checked_at = now
        current.pcm_checked_by = by if by is not None and by.is_authenticated else None
        current.sent_to_council_at = now
        current.council_returned_at = None
        current.save()
        audit.record(
            d,
            by=by,
            action="written_feedback",
            summary="Passed the PCM check; the draft went to the council for a factual check",
        )
    _copy(written, current)
    _notify_council(d)
    return written


def _notify_council(d: Diagnostic) -> None:
    """E-mail the sponsor and organiser that the draft is ready for their factual check."""
    to = sorted(
        {
            r.person.email
            for r in CouncilRole.objects.filter(
                diagnostic=d, role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
            ).select_related("person")
            if r.person.email
        }
    )
    if not to:
        return
    body = "\n".join(
        [
            f"The draft written feedback for {d.reference} ({d.title}) is ready for your "
            "check of its factual accuracy.",
            "",
            "Please read it and comment on any paragraph that is wrong or misleading, then tell "
            "us you have finished.",
            "",
            _link(d),
        ]
    )
    send_mail(f"{d.reference}: draft written feedback for your factual check", body, None, to)


def council_done(written: WrittenFeedback, *, by: User | None) -> WrittenFeedback:
    """The council says its factual-accuracy check is finished. Side effects:
    council_returned_at; audit entry."""
    with transaction.atomic():
        current = _locked(written, WrittenState.COUNCIL_CHECK)
        if current.council_returned_at is not None:
            raise DomainError("The council's check is already recorded as finished")
        current.council_returned_at = timezone.now()
        current.save()
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary="The council finished its factual-accuracy check",
        )
    _copy(written, current)
    return written


def _build_files(d: Diagnostic) -> list[tuple[str, str, bytes]]:
    """(field, filename, content) of the final files in the diagnostic's chosen format."""
    fb = feedback_for(d)
    ref = d.reference
    if d.written_feedback_format == FeedbackFormat.SLIDES:
        from ..render.pptx import build_presentation

        return [("issued_file", f"{ref}-written-feedback.pptx", build_presentation(fb))]
    from ..render.docx import build_report
    from ..render.pdf import build_report_pdf

    return [
        ("issued_file", f"{ref}-written-feedback.docx", build_report(fb)),
        ("issued_pdf", f"{ref}-written-feedback.pdf", build_report_pdf(fb)),
    ]


def issue_written(
    written: WrittenFeedback, *, by: User | None, today: date | None = None
) -> WrittenFeedback:
    """Council check → issued. Refused while a council comment is unresolved or the format is
    not chosen.

    Side effects: builds the final files (a report in Word and PDF, or slides, as the
    diagnostic's format says) and stores them; state, issued_at/by; the diagnostic's
    written_feedback_issued_on; audit entry.
    """
    d = written.diagnostic
    _refuse_if_ended(d)
    if not d.written_feedback_format:
        raise DomainError("Choose report or slides for the written feedback before issuing it")
    # Checked before the (slow) build and again under the lock.
    _check_issuable(WrittenFeedback.objects.get(pk=written.pk))
    files = _build_files(d)
    with transaction.atomic():
        current = _locked(written, WrittenState.COUNCIL_CHECK)
        _check_issuable(current)
        current.issued_file.delete(save=False)
        current.issued_pdf.delete(save=False)
        for field, name, content in files:
            getattr(current, field).save(name, ContentFile(content), save=False)
        current.state = WrittenState.ISSUED
        current.issued_at = timezone.now()
        current.issued_by = by if by is not None and by.is_authenticated else None
        current.save()
        issued_on = today or timezone.localdate()
        Diagnostic.objects.filter(pk=d.pk).update(written_feedback_issued_on=issued_on)
        d.written_feedback_issued_on = issued_on
        audit.record(
            d,
            by=by,
            action="written_feedback",
            summary=f"Issued the written feedback ({d.get_written_feedback_format_display()})",
        )
    _copy(written, current)
    return written


def _check_issuable(written: WrittenFeedback) -> None:
    if written.state != WrittenState.COUNCIL_CHECK:
        raise DomainError(
            "The written feedback can be issued only after the council's factual-accuracy check"
        )
    left = unresolved_comments(written)
    if left:
        raise DomainError(
            f"{left} comment{'s' if left != 1 else ''} from the council "
            f"{'are' if left != 1 else 'is'} not resolved yet"
        )


# The council's comments -----------------------------------------------------------------------


def add_comment(
    written: WrittenFeedback, *, by: User | None, paragraph_key: str, text: str
) -> FactualComment:
    """The council's comment on one paragraph, finding or recommendation; only during its
    factual-accuracy check. Side effects: the comment; audit entry."""
    text = text.strip()
    if not text:
        raise DomainError("Enter your comment", field="text")
    if len(text) > 5000:
        raise DomainError("Keep the comment under 5,000 characters", field="text")
    with transaction.atomic():
        current = _locked(written, WrittenState.COUNCIL_CHECK)
        if paragraph_key not in comment_keys(current):
            raise DomainError("Choose a paragraph of the report", field="paragraph_key")
        comment = FactualComment.objects.create(
            written=current,
            paragraph_key=paragraph_key,
            text=text,
            author=by if by is not None and by.is_authenticated else None,
        )
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"The council commented on ‘{paragraph_key}’ of the written feedback",
        )
    return comment


def _locked_comment(comment: FactualComment) -> FactualComment:
    # Also in the draft: a comment that needed the text changed is resolved once it is.
    _locked(comment.written, WrittenState.DRAFT, WrittenState.PCM_CHECK, WrittenState.COUNCIL_CHECK)
    return FactualComment.objects.select_for_update().get(pk=comment.pk)


def respond_to_comment(
    comment: FactualComment, *, by: User | None, response: str
) -> FactualComment:
    """The PCM's reply to a council comment, leaving it open. Side effects: the response;
    audit entry."""
    response = response.strip()
    if not response:
        raise DomainError("Enter your response", field="response")
    with transaction.atomic():
        current = _locked_comment(comment)
        current.response = response
        current.save()
        audit.record(
            comment.written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"Responded to the council's comment on ‘{current.paragraph_key}’",
        )
    comment.response = current.response
    return comment


def resolve_comment(
    comment: FactualComment, *, by: User | None, response: str = ""
) -> FactualComment:
    """Mark a council comment as dealt with (and record the reply, when given). Side effects:
    response, resolved_at/by; audit entry."""
    with transaction.atomic():
        current = _locked_comment(comment)
        if current.resolved_at is not None:
            raise DomainError("This comment is already resolved")
        if response.strip():
            current.response = response.strip()
        current.resolved_at = timezone.now()
        current.resolved_by = by if by is not None and by.is_authenticated else None
        current.save()
        audit.record(
            comment.written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"Resolved the council's comment on ‘{current.paragraph_key}’",
        )
    comment.response = current.response
    comment.resolved_at = current.resolved_at
    comment.resolved_by = current.resolved_by
    return comment


__all__ = [
    "ReportItem",
    "add_comment",
    "comment_keys",
    "council_done",
    "issue_written",
    "pass_pcm_check",
    "report_items",
    "resolve_comment",
    "respond_to_comment",
    "return_to_draft",
    "submit_for_check",
    "unresolved_comments",
    "update_paragraph",
    "written_for",
]
