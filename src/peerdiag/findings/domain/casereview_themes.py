"""The case review's themes as evidence notes.

The case auditors' report gives grade counts by audit domain and their own words on strengths and
areas for improvement. Pulling it makes one case review note per domain and one each for the
strengths and the areas for improvement, so findings can cite the case review like any other
source. Only counts and the report's own text are copied: never a case reference or anything
else that could point to a child. Pulling again brings the same notes up to date.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.casereview.domain.report import ReportData, gather_report
from peerdiag.casereview.models import CaseReview
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic

from ..enums import Polarity, SourceType
from ..models import EvidenceNote
from .common import member_for, refuse_if_ended

# Every pulled note's title starts with this; with the rest of the title it finds the note again.
TITLE_PREFIX = "Case review: "
STRENGTHS = TITLE_PREFIX + "strengths"
IMPROVEMENTS = TITLE_PREFIX + "areas for improvement"


def _domain_body(data: ReportData, counts: dict[str, int]) -> str:
    graded = ", ".join(f"{grade} {n}" for grade, n in counts.items())
    cases = f"{data.cases_audited} finished case audit{'s' if data.cases_audited != 1 else ''}"
    return f"Grades from {cases}: {graded}."


def _wanted(data: ReportData) -> list[tuple[str, str, str]]:
    """(title, body, polarity) of each note the report gives."""
    notes = [
        (TITLE_PREFIX + theme.domain, _domain_body(data, theme.counts), Polarity.NEUTRAL.value)
        for theme in data.domains
    ]
    notes.append((STRENGTHS, data.strengths.strip(), Polarity.STRENGTH.value))
    notes.append((IMPROVEMENTS, data.improvements.strip(), Polarity.CONCERN.value))
    return notes


def pull_case_review_themes(diagnostic: Diagnostic, *, by: User | None) -> list[EvidenceNote]:
    """Make or bring up to date the case review notes of `diagnostic` from its report.

    Refused when there is no case review or no audit is finished. A strengths or improvements
    note is made only once the auditors have written that part. An existing pulled note (found
    by its title, whoever pulled it) is updated in place and its revision raised, so a peer
    editing it at that moment is told rather than overwritten.
    Side effects: the notes; one audit entry.
    """
    refuse_if_ended(diagnostic)
    author = member_for(diagnostic, by)
    review = CaseReview.objects.filter(diagnostic=diagnostic).first()
    if review is None:
        raise DomainError("This diagnostic has no case review to pull themes from")
    data = gather_report(review)
    if data.cases_audited == 0:
        raise DomainError("No case audit is finished yet, so the case review has no themes")
    heard = f"Case auditors' report ({data.cases_audited} cases)"
    # Titles are encrypted at rest, so the pulled notes are told by their title after reading.
    existing = {
        n.title: n
        for n in EvidenceNote.objects.filter(
            diagnostic=diagnostic,
            source_type=SourceType.CASE_REVIEW,
            session__isnull=True,
            destroyed_at__isnull=True,
        ).order_by("pk")
        if n.title.startswith(TITLE_PREFIX)
    }
    out: list[EvidenceNote] = []
    made = updated = 0
    with transaction.atomic():
        for title, body, polarity in _wanted(data):
            note = existing.get(title)
            if note is None:
                if not body:
                    continue
                note = EvidenceNote.objects.create(
                    diagnostic=diagnostic,
                    author=author,
                    source_type=SourceType.CASE_REVIEW,
                    title=title,
                    heard_from=heard,
                    body=body,
                    polarity=polarity,
                )
                made += 1
            else:
                EvidenceNote.objects.filter(pk=note.pk).update(
                    body=body,
                    heard_from=heard,
                    revision=F("revision") + 1,
                    updated_at=timezone.now(),
                )
                note.refresh_from_db()
                updated += 1
            out.append(note)
        audit.record(
            diagnostic,
            by=by,
            action="evidence",
            summary=f"Pulled the case review's themes: {made} notes made, {updated} updated",
        )
    return out
