"""The peer team meeting pack: what the team needs at its end-of-day meeting.

Four sections: the evidence noted since the last peer team meeting recorded as held (grouped by
line of enquiry), the findings whose support is still thin, the lines of enquiry with gaps (no
notes, or notes from fewer than two kinds of source), and disagreements (notes of opposite
polarity on the same line of enquiry). Quotes appear only when they may be used in outputs.
The pack is internal to the peer team: the council never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.timetable.domain.week import day_dates
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Session

from ..enums import CORROBORATED_SOURCES, Polarity, SourceType
from ..models import EvidenceNote, Finding, Quote
from .coverage import kloe_label, note_counts, session_start
from .findings import Corroboration, corroboration_of, findings_with_evidence
from .notes import usable_quotes

NO_KLOE = "No line of enquiry"


def last_peer_team_meeting(diagnostic: Diagnostic) -> datetime | None:
    """When the latest peer team meeting recorded as held began (None: none held or undated)."""
    dates = day_dates(diagnostic)
    starts = [
        session_start(day, start, dates)
        for day, start in Session.objects.filter(
            diagnostic=diagnostic, type=SessionType.PEER_TEAM, status=SessionStatus.HELD
        ).values_list("day", "start")
    ]
    known = [s for s in starts if s is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class PackNote:
    note: EvidenceNote
    quotes: list[Quote]


@dataclass
class KloeEvidence:
    label: str
    kloe: Kloe | None
    notes: list[PackNote] = field(default_factory=list)


@dataclass(frozen=True)
class ThinFinding:
    finding: Finding
    corroboration: Corroboration


@dataclass(frozen=True)
class Gap:
    kloe: Kloe
    notes: int
    source_types: int

    @property
    def label(self) -> str:
        return kloe_label(self.kloe)

    @property
    def reason(self) -> str:
        if not self.notes:
            return "No evidence noted yet"
        return "Evidence from one kind of source only"


@dataclass(frozen=True)
class Side:
    code: str
    title: str
    source_label: str


@dataclass(frozen=True)
class Disagreement:
    kloe: Kloe
    strengths: list[Side]
    concerns: list[Side]

    @property
    def label(self) -> str:
        return kloe_label(self.kloe)


@dataclass
class Pack:
    since: datetime | None
    evidence: list[KloeEvidence]
    thin_findings: list[ThinFinding]
    gaps: list[Gap]
    disagreements: list[Disagreement]

    @property
    def new_notes(self) -> int:
        return len({n.note.pk for group in self.evidence for n in group.notes})


def peer_team_pack(diagnostic: Diagnostic, *, since: datetime | None = None) -> Pack:
    """Gather the pack. `since` defaults to the start of the last peer team meeting held (or
    everything when none is). No side effects; a constant number of queries."""
    if since is None:
        since = last_peer_team_meeting(diagnostic)
    kloes = list(Kloe.objects.filter(diagnostic=diagnostic).order_by("order", "pk"))
    return Pack(
        since=since,
        evidence=_evidence_since(diagnostic, kloes, since),
        thin_findings=_thin_findings(diagnostic),
        gaps=_gaps(diagnostic, kloes),
        disagreements=_disagreements(diagnostic, kloes),
    )


def _evidence_since(
    diagnostic: Diagnostic, kloes: list[Kloe], since: datetime | None
) -> list[KloeEvidence]:
    notes = EvidenceNote.objects.filter(diagnostic=diagnostic, destroyed_at__isnull=True)
    if since is not None:
        notes = notes.filter(updated_at__gte=since)
    loaded = list(notes.prefetch_related("kloes", "quotes").order_by("-updated_at", "pk"))
    groups = {k.pk: KloeEvidence(kloe_label(k), k) for k in kloes}
    loose = KloeEvidence(NO_KLOE, None)
    for n in loaded:
        item = PackNote(n, usable_quotes(list(n.quotes.all())))
        tagged = [k.pk for k in n.kloes.all() if k.pk in groups]
        for pk in tagged:
            groups[pk].notes.append(item)
        if not tagged:
            loose.notes.append(item)
    out = [g for g in groups.values() if g.notes]
    return out + ([loose] if loose.notes else [])


def _thin_findings(diagnostic: Diagnostic) -> list[ThinFinding]:
    out = []
    for f in findings_with_evidence(diagnostic):
        c = corroboration_of(link for link in f.links.all() if link.note.destroyed_at is None)
        if c.strength in ("none", "thin"):
            out.append(ThinFinding(f, c))
    return out


def _gaps(diagnostic: Diagnostic, kloes: list[Kloe]) -> list[Gap]:
    counts = note_counts(diagnostic)
    out = []
    for k in kloes:
        per_type = [n for (kloe_id, _), n in counts.items() if kloe_id == k.pk and n]
        if sum(per_type) == 0 or len(per_type) < CORROBORATED_SOURCES:
            out.append(Gap(k, sum(per_type), len(per_type)))
    return out


def _disagreements(diagnostic: Diagnostic, kloes: list[Kloe]) -> list[Disagreement]:
    through = EvidenceNote.kloes.through
    rows = (
        through.objects.filter(
            evidencenote__diagnostic=diagnostic,
            evidencenote__destroyed_at__isnull=True,
            evidencenote__polarity__in=[Polarity.STRENGTH, Polarity.CONCERN],
        )
        .values(
            "kloe_id",
            "evidencenote__pk",
            "evidencenote__code",
            "evidencenote__title",
            "evidencenote__polarity",
            "evidencenote__source_type",
        )
        .order_by("evidencenote__pk")
    )
    sides: dict[int, dict[str, list[Side]]] = {}
    # Titles are encrypted at rest, so they are sorted here rather than by the database.
    for r in sorted(rows, key=lambda r: (r["evidencenote__title"].lower(), r["evidencenote__pk"])):
        side = Side(
            r["evidencenote__code"],
            r["evidencenote__title"],
            str(SourceType(r["evidencenote__source_type"]).label),
        )
        sides.setdefault(r["kloe_id"], {}).setdefault(r["evidencenote__polarity"], []).append(side)
    out = []
    for k in kloes:
        both = sides.get(k.pk, {})
        if both.get(Polarity.STRENGTH) and both.get(Polarity.CONCERN):
            out.append(Disagreement(k, both[Polarity.STRENGTH], both[Polarity.CONCERN]))
    return out
