"""The findings' gate conditions, registered as the 'findings' capability.

Drafting to feedback needs the drafting board ready in the LGA format (at least one strength,
one area for consideration and one recommendation, all approved by the lead peer; every
recommendation linked to a finding and every finding to evidence, R33) and a KIT digest shared
with the sponsor that previewed the final messages. Closing needs every peer note destroyed
(decision 9).
"""

from __future__ import annotations

from peerdiag.diagnostics.domain.capabilities import Blocker, register_capability
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

from ..enums import FindingKind, Stance
from ..models import Finding, KitDigest, Recommendation


def findings_blockers(diagnostic: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage == Stage.CLOSED:
        return _notes_destroyed(diagnostic)
    if not (diagnostic.stage == Stage.DRAFTING and to_stage == Stage.FEEDBACK_GIVEN):
        return []
    out = []
    findings = list(Finding.objects.filter(diagnostic=diagnostic).prefetch_related("links"))
    recs = list(Recommendation.objects.filter(diagnostic=diagnostic).prefetch_related("findings"))
    for kind in FindingKind:
        if not any(f.kind == kind for f in findings):
            out.append(
                Blocker(
                    f"findings.no_{kind.value}",
                    f"The presentation has no {kind.label.lower()}",
                    "findings",
                )
            )
    if not recs:
        out.append(
            Blocker("findings.no_recommendation", "There are no recommendations", "findings")
        )
    for f in findings:
        if not any(link.stance == Stance.SUPPORTS for link in f.links.all()):
            out.append(
                Blocker(
                    "findings.unsupported",
                    f"No evidence supports the finding ‘{f.statement[:80]}’",
                    "findings",
                )
            )
    for r in recs:
        if not r.findings.all():
            out.append(
                Blocker(
                    "findings.recommendation_unlinked",
                    f"The recommendation ‘{r.text[:80]}’ follows from no finding",
                    "findings",
                )
            )
    unapproved = sum(1 for f in findings if f.approved_at is None) + sum(
        1 for r in recs if r.approved_at is None
    )
    if unapproved:
        out.append(
            Blocker(
                "findings.unapproved",
                f"The lead peer has not yet approved {unapproved} item"
                f"{'s' if unapproved != 1 else ''} on the drafting board",
                "findings",
            )
        )
    previewed = KitDigest.objects.filter(
        diagnostic=diagnostic, shared_at__isnull=False, previews_final_messages=True
    ).exists()
    if not previewed:
        out.append(
            Blocker(
                "findings.no_preview",
                "No KIT meeting is recorded as previewing the final messages with the sponsor",
                "kit",
            )
        )
    return out


def _notes_destroyed(diagnostic: Diagnostic) -> list[Blocker]:
    from .retention import notes_left

    left = notes_left(diagnostic)
    if not left:
        return []
    return [
        Blocker(
            "findings.notes_kept",
            f"{left} peer notes must be destroyed before closing: destroy them now, or wait "
            "for the destroy-by date",
            "closing",
        )
    ]


def register() -> None:
    from peerdiag.diagnostics.domain.retention import register_retention_step

    from .retention import DIGESTS_STEP, NOTES_STEP, destroy_due_digests, destroy_due_notes

    register_capability("findings", findings_blockers)
    register_retention_step(destroy_due_notes, name=NOTES_STEP)
    register_retention_step(destroy_due_digests, name=DIGESTS_STEP)
