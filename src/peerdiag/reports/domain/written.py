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
from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind, Revision
from peerdiag.common.versioning import (
    StaleEdit,
    claim,
    created_by,
    record_revision,
    revision_of,
    revisions_of,
)
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
MAX_HEADING = 200


# Reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportItem:
    """A finding or recommendation as the report will show it, with the key comments use."""

    key: str
    kind: str  # "strength", "area" or "recommendation"
    item: Item


KIND_LABELS = {
    "strength": "Strength",
    "area": "Area for consideration",
    "recommendation": "Recommendation",
}


def numbered_labels(items: list[ReportItem]) -> list[str]:
    """Each item's label as a comment names it: its kind and its number within that kind
    ("Area for consideration 2"), in the order given."""
    counts: dict[str, int] = {}
    out = []
    for it in items:
        counts[it.kind] = counts.get(it.kind, 0) + 1
        out.append(f"{KIND_LABELS[it.kind]} {counts[it.kind]}")
    return out


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


WRITTEN_NOUN = "the written feedback"
SECTION_NOUN = "this section"
COMMENT_NOUN = "this comment"


def _locked(
    written: WrittenFeedback,
    *expected: str,
    move: bool = False,
    version: int | None = None,
    by: User | None = None,
) -> WrittenFeedback:
    """The record, locked for the move, if it is at one of the `expected` steps.

    A move (`move=True`) passes the `version` its page showed (UNCHECKED for internal callers):
    when someone moved the written feedback on since, StaleEdit is raised and nothing changes.
    Writes that only need the lock (comments, sections) leave the record's version alone.
    """
    current = _lock(written)
    if move:
        claim(current, version=version, by=by, noun=WRITTEN_NOUN)
    _expect(current, *expected)
    return current


def _lock(written: WrittenFeedback) -> WrittenFeedback:
    _refuse_if_ended(written.diagnostic)
    return WrittenFeedback.objects.select_for_update().get(pk=written.pk)


def _expect(current: WrittenFeedback, *expected: str) -> None:
    if current.state not in expected:
        labels = " or ".join(WrittenState(s).label.lower() for s in expected)
        raise DomainError(
            f"The written feedback is {WrittenState(current.state).label.lower()}; "
            f"this can only be done when it is {labels}"
        )


def _copy(target: WrittenFeedback, source: WrittenFeedback) -> None:
    for f in WrittenFeedback._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _link(diagnostic: Diagnostic) -> str:
    return f"{settings.SITE_URL}/diagnostics/{diagnostic.reference}/written-feedback/"


# The report's own text ------------------------------------------------------------------------


def paragraph_text(paragraph: ReportParagraph) -> dict[str, str]:
    """A section's editable text, as its revisions keep it and its form takes it."""
    return {"heading": paragraph.heading, "text": paragraph.text}


def _check_section(text: str, heading: str | None) -> tuple[str, str | None]:
    """The text and heading, trimmed, or DomainError naming the limit broken (nothing is cut)."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise DomainError(
            f"Keep the section to {MAX_TEXT:,} characters or fewer: it has {len(text):,}",
            field="text",
        )
    if heading is not None:
        heading = heading.strip()
        if not heading:
            raise DomainError("Enter the section's heading", field="heading")
        if len(heading) > MAX_HEADING:
            raise DomainError(
                f"Keep the heading to {MAX_HEADING} characters or fewer: it has {len(heading)}",
                field="heading",
            )
    return text, heading


def _claimed_paragraph(
    written: WrittenFeedback, key: str, *, version: int | None, by: User | None
) -> ReportParagraph:
    """The section, locked and claimed at `version`, while the written feedback is a draft
    (call inside a transaction). Whether the page was up to date is checked first, so a stale
    save always hears who changed the section, even if the draft has moved on too."""
    current = _lock(written)
    paragraph = (
        # Only the section's own row is locked: PostgreSQL refuses FOR UPDATE across the outer
        # join to a nullable "changed by".
        ReportParagraph.objects.select_for_update(of=("self",))
        .select_related("changed_by")
        .filter(written=written, key=key)
        .first()
    )
    if paragraph is None:
        raise DomainError("The report has no such section", field="key")
    _keep_first_revision(paragraph, current)
    claim(paragraph, version=version, by=by, noun=SECTION_NOUN)
    _expect(current, WrittenState.DRAFT)
    return paragraph


def _keep_first_revision(paragraph: ReportParagraph, written: WrittenFeedback) -> None:
    """Sections start from the template's words without a revision; before the first change,
    keep them as the revision of the version they are at, so they too can be put back."""
    if Revision.objects.filter(
        content_type__app_label="reports",
        content_type__model="reportparagraph",
        object_id=paragraph.pk,
    ).exists():
        return
    first = record_revision(paragraph, data=paragraph_text(paragraph), by=paragraph.changed_by)
    if paragraph.changed_at is None:
        first.saved_at = written.created_at
        first.save(update_fields=["saved_at"])


def update_paragraph(
    written: WrittenFeedback,
    *,
    by: User | None,
    key: str,
    text: str,
    heading: str | None = None,
    version: int | None,
) -> ReportParagraph:
    """Change one section of the report (its text, and its heading when given); only while the
    written feedback is a draft.

    Refused with StaleEdit (nothing saved) when someone saved the section after `version`.
    Side effects: the paragraph; a revision; audit entry.
    """
    text, heading = _check_section(text, heading)
    with transaction.atomic():
        paragraph = _claimed_paragraph(written, key, version=version, by=by)
        paragraph.text = text
        if heading is not None:
            paragraph.heading = heading
        paragraph.save()
        record_revision(paragraph, data=paragraph_text(paragraph), by=by)
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"Edited the section ‘{paragraph.heading}’ of the written feedback",
        )
    return paragraph


def section_history(paragraph: ReportParagraph) -> list[Revision]:
    """Every kept wording of a section, newest first, with who saved each."""
    return revisions_of(paragraph)


def restore_paragraph(
    written: WrittenFeedback, *, by: User | None, key: str, restore: int, version: int | None
) -> ReportParagraph:
    """Put back the heading and text a section had at version `restore`, as a new revision
    (so nothing is lost: the wording it replaces stays in the history). Only while the written
    feedback is a draft.

    Refused with StaleEdit (nothing changed) when someone saved the section after `version`.
    Side effects: the paragraph; a revision marked as restored from `restore`; audit entry.
    """
    with transaction.atomic():
        paragraph = _claimed_paragraph(written, key, version=version, by=by)
        old = revision_of(paragraph, restore)
        heading, text = str(old.data.get("heading") or ""), str(old.data.get("text") or "")
        text, checked_heading = _check_section(text, heading or paragraph.heading)
        paragraph.heading = checked_heading or paragraph.heading
        paragraph.text = text
        paragraph.save()
        record_revision(paragraph, data=paragraph_text(paragraph), by=by, restored_from=restore)
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary=(
                f"Put back version {restore} of the section ‘{paragraph.heading}’ of the "
                "written feedback"
            ),
        )
    return paragraph


# The moves ------------------------------------------------------------------------------------


def submit_for_check(
    written: WrittenFeedback, *, by: User | None, version: int | None
) -> WrittenFeedback:
    """Draft → PCM check. Refused while no finding or no recommendation is approved (the report
    would be empty), and with StaleEdit when the written feedback moved since `version`.
    Side effects: state and submitted_at; audit entry."""
    d = written.diagnostic
    with transaction.atomic():
        current = _locked(written, WrittenState.DRAFT, move=True, version=version, by=by)
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


def return_to_draft(
    written: WrittenFeedback, *, by: User | None, reason: str, version: int | None
) -> WrittenFeedback:
    """PCM check → draft, with the reason the PCM gives; also from the council's check, when a
    comment needs the text changed (sections are edited only in the draft; the comments stay).
    Side effects: state; audit entry (with the reason)."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what needs changing before it comes back", field="reason")
    with transaction.atomic():
        current = _locked(
            written,
            WrittenState.PCM_CHECK,
            WrittenState.COUNCIL_CHECK,
            move=True,
            version=version,
            by=by,
        )
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


def pass_pcm_check(
    written: WrittenFeedback, *, by: User | None, version: int | None
) -> WrittenFeedback:
    """PCM check → the council's factual-accuracy check.

    Side effects: state, pcm_checked_at/by, sent_to_council_at; an e-mail to the council's
    sponsor and organiser with the link to the draft; audit entry.
    """
    d = written.diagnostic
    with transaction.atomic():
        current = _locked(written, WrittenState.PCM_CHECK, move=True, version=version, by=by)
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
    outbox.send(
        kind=MailKind.FACTUAL_CHECK,
        subject=f"{d.reference}: draft written feedback for your factual check",
        body=body,
        to=to,
        diagnostic=d,
    )


def council_done(
    written: WrittenFeedback, *, by: User | None, version: int | None
) -> WrittenFeedback:
    """The council says its factual-accuracy check is finished. Side effects:
    council_returned_at; audit entry."""
    with transaction.atomic():
        current = _locked(written, WrittenState.COUNCIL_CHECK, move=True, version=version, by=by)
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
    written: WrittenFeedback, *, by: User | None, version: int | None, today: date | None = None
) -> WrittenFeedback:
    """Council check → issued. Refused while a council comment is unresolved or the format is
    not chosen.

    Side effects: builds the final files (a report in Word and PDF, or slides, as the
    diagnostic's format says) and stores them; state, issued_at/by; the diagnostic's
    written_feedback_issued_on; audit entry.
    """
    d = written.diagnostic
    _refuse_if_ended(d)
    # Checked before the (slow) build and again under the lock: first whether the page was
    # up to date, so a stale press hears that rather than an older objection.
    before = WrittenFeedback.objects.select_related("changed_by").get(pk=written.pk)
    if version is not None and before.version != version:
        raise StaleEdit(before, noun=WRITTEN_NOUN)
    if not d.written_feedback_format:
        raise DomainError("Choose report or slides for the written feedback before issuing it")
    _check_issuable(before)
    files = _build_files(d)
    with transaction.atomic():
        current = _locked(written, WrittenState.COUNCIL_CHECK, move=True, version=version, by=by)
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
            **created_by(by),
        )
        audit.record(
            written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"The council commented on ‘{paragraph_key}’ of the written feedback",
        )
    return comment


def _locked_comment(
    comment: FactualComment, *, version: int | None, by: User | None
) -> FactualComment:
    """The comment, locked and claimed at `version` (StaleEdit when someone answered since,
    checked before anything else)."""
    written = _lock(comment.written)
    current = FactualComment.objects.select_for_update().get(pk=comment.pk)
    claim(current, version=version, by=by, noun=COMMENT_NOUN)
    # Also in the draft: a comment that needed the text changed is resolved once it is.
    _expect(written, WrittenState.DRAFT, WrittenState.PCM_CHECK, WrittenState.COUNCIL_CHECK)
    return current


def _copy_comment(target: FactualComment, source: FactualComment) -> None:
    for name in ("response", "resolved_at", "resolved_by", "version", "changed_by", "changed_at"):
        setattr(target, name, getattr(source, name))


def respond_to_comment(
    comment: FactualComment, *, by: User | None, response: str, version: int | None
) -> FactualComment:
    """The PCM's reply to a council comment, leaving it open. Refused with StaleEdit when
    someone answered it after `version`. Side effects: the response; audit entry."""
    response = response.strip()
    if not response:
        raise DomainError("Enter your response", field="response")
    with transaction.atomic():
        current = _locked_comment(comment, version=version, by=by)
        current.response = response
        current.save()
        audit.record(
            comment.written.diagnostic,
            by=by,
            action="written_feedback",
            summary=f"Responded to the council's comment on ‘{current.paragraph_key}’",
        )
    _copy_comment(comment, current)
    return comment


def resolve_comment(
    comment: FactualComment, *, by: User | None, version: int | None, response: str = ""
) -> FactualComment:
    """Mark a council comment as dealt with (and record the reply, when given). Refused with
    StaleEdit when someone answered it after `version`. Side effects: response,
    resolved_at/by; audit entry."""
    with transaction.atomic():
        current = _locked_comment(comment, version=version, by=by)
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
    _copy_comment(comment, current)
    return comment


__all__ = [
    "ReportItem",
    "add_comment",
    "comment_keys",
    "council_done",
    "issue_written",
    "paragraph_text",
    "pass_pcm_check",
    "report_items",
    "resolve_comment",
    "respond_to_comment",
    "restore_paragraph",
    "return_to_draft",
    "section_history",
    "submit_for_check",
    "unresolved_comments",
    "update_paragraph",
    "written_for",
]
