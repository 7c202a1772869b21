"""How well each line of enquiry is covered by each kind of source: the evidence heat map.

Every KLOE is a row and every source type a column; a cell counts the notes (not destroyed)
tagged with that KLOE from that kind of source, so a note tagged with two KLOEs counts in both
rows. Each row also lists the planned interviews and focus groups on that KLOE that are still to
come, so the team can see whether a thin row will fill up during the week.

The whole matrix takes a constant number of queries, however many notes there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.timetable.domain.week import day_dates
from peerdiag.timetable.enums import HEARING_TYPES, SessionStatus
from peerdiag.timetable.models import Session

from ..enums import SourceType
from ..models import EvidenceNote

# Heat map levels: no notes at all, up to THIN_MAX notes, up to SOME_MAX notes, then more.
THIN_MAX = 1
SOME_MAX = 3
LEVELS = {
    "none": "No evidence",
    "thin": f"Thin ({THIN_MAX} note)",
    "some": f"Some ({THIN_MAX + 1} to {SOME_MAX} notes)",
    "good": f"Good ({SOME_MAX + 1} or more notes)",
}


def level_of(count: int) -> str:
    if count <= 0:
        return "none"
    if count <= THIN_MAX:
        return "thin"
    if count <= SOME_MAX:
        return "some"
    return "good"


def kloe_label(kloe: Kloe) -> str:
    """A short name for a KLOE: its theme, or the start of its text."""
    if kloe.theme:
        return kloe.theme
    text = kloe.text.strip()
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


@dataclass(frozen=True)
class Cell:
    source_type: str
    label: str
    count: int

    @property
    def level(self) -> str:
        return level_of(self.count)

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]


@dataclass(frozen=True)
class Upcoming:
    code: str
    title: str
    type_label: str
    starts_at: datetime | None  # None: not yet placed in the timetable

    @property
    def placed(self) -> bool:
        return self.starts_at is not None


@dataclass
class Row:
    kloe: Kloe
    cells: list[Cell]
    upcoming: list[Upcoming] = field(default_factory=list)

    @property
    def label(self) -> str:
        return kloe_label(self.kloe)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)

    @property
    def source_types(self) -> int:
        return sum(1 for c in self.cells if c.count)


def session_start(session_day: int | None, start: object, dates: dict) -> datetime | None:  # type: ignore[type-arg]
    """The aware date and time a placed session starts; None when unplaced or day 1 unknown."""
    if session_day is None or start is None or session_day not in dates:
        return None
    naive = datetime.combine(dates[session_day], start)  # type: ignore[arg-type]
    return timezone.make_aware(naive, timezone.get_default_timezone())


def note_counts(diagnostic: Diagnostic) -> dict[tuple[int, str], int]:
    """(KLOE id, source type) → number of live notes: one aggregate query."""
    through = EvidenceNote.kloes.through
    rows = (
        through.objects.filter(
            evidencenote__diagnostic=diagnostic, evidencenote__destroyed_at__isnull=True
        )
        .values("kloe_id", "evidencenote__source_type")
        .annotate(n=Count("evidencenote_id"))
        .order_by()
    )
    return {(r["kloe_id"], r["evidencenote__source_type"]): r["n"] for r in rows}


def upcoming_sessions(
    diagnostic: Diagnostic, *, now: datetime | None = None
) -> dict[int, list[Upcoming]]:
    """KLOE id → its interviews and focus groups not cancelled, not held and not yet begun
    (unplaced ones included, as "not yet placed"): one query."""
    now = now or timezone.now()
    dates = day_dates(diagnostic)
    through = Session.kloes.through
    rows = (
        through.objects.filter(
            session__diagnostic=diagnostic, session__type__in=sorted(HEARING_TYPES)
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .exclude(session__status=SessionStatus.HELD)
        .values(
            "kloe_id",
            "session__code",
            "session__title",
            "session__type",
            "session__day",
            "session__start",
        )
        .order_by("session__day", "session__start", "session__title")
    )
    labels = dict(Session._meta.get_field("type").choices or [])  # type: ignore[arg-type]
    out: dict[int, list[Upcoming]] = defaultdict(list)
    for r in rows:
        starts = session_start(r["session__day"], r["session__start"], dates)
        placed = r["session__day"] is not None and r["session__start"] is not None
        if placed and (starts is None or starts <= now):
            continue  # in the past (or on a day that cannot be dated): not still to come
        out[r["kloe_id"]].append(
            Upcoming(
                code=r["session__code"],
                title=r["session__title"],
                type_label=str(labels.get(r["session__type"], r["session__type"])),
                starts_at=starts,
            )
        )
    for items in out.values():
        items.sort(key=lambda u: (u.starts_at is None, u.starts_at or now, u.title))
    return out


def evidence_coverage(diagnostic: Diagnostic, *, now: datetime | None = None) -> list[Row]:
    """One row per KLOE, in order, with a cell per source type and the sessions still to come.

    Three queries: the KLOEs, the note counts, the planned sessions.
    """
    kloes = list(Kloe.objects.filter(diagnostic=diagnostic).order_by("order", "pk"))
    counts = note_counts(diagnostic)
    upcoming = upcoming_sessions(diagnostic, now=now)
    return [
        Row(
            kloe=k,
            cells=[Cell(t.value, str(t.label), counts.get((k.pk, t.value), 0)) for t in SourceType],
            upcoming=upcoming.get(k.pk, []),
        )
        for k in kloes
    ]
