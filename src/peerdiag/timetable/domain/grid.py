"""The day grid: a day of the draft laid out in rows of time, with one column per peer.

It works on lists already loaded (grid_sessions, delivery_members), so the page makes the same
few queries whatever the number of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import prefetch_related_objects

from peerdiag.diagnostics.models import Diagnostic, TeamMember

from ..enums import SessionStatus
from ..models import Session, Timetable
from .problem import minutes_of, visible_sessions


def grid_sessions(diagnostic: Diagnostic, *, day: int, internal: bool) -> list[Session]:
    """The sessions the day grid shows: every session that is not cancelled (the grid lists
    the unplaced ones), in planned_sessions' order, visible to the reader.

    Only the sessions placed on `day` come with their attendees and peers, which are all the
    grid reads of them: prefetching five relations for the whole week cost more than the rest
    of the page put together. At most three queries, whatever the size of the week.
    """
    sessions = visible_sessions(
        list(
            Session.objects.filter(diagnostic=diagnostic)
            .exclude(status=SessionStatus.CANCELLED)
            .order_by("fixed_day", "fixed_start", "title", "pk")
        ),
        internal=internal,
    )
    prefetch_related_objects(
        [s for s in sessions if s.placed and s.day == day], "attendees", "peers"
    )
    return sessions


@dataclass
class GridBlock:
    """One or more sessions of one peer that share rows (more than one only if they clash)."""

    sessions: list[Session]
    first_row: int
    rows: int


@dataclass
class GridCell:
    block: GridBlock | None = None
    covered: bool = False  # a block in a row above spans this cell


@dataclass
class GridRow:
    label: str
    cells: list[GridCell]


@dataclass
class DayGrid:
    day: int
    date: date | None
    row_minutes: int
    columns: list[TeamMember]
    rows: list[GridRow]
    sessions: list[Session]
    without_peers: list[Session] = field(default_factory=list)


def _row_minutes(t: Timetable) -> int:
    slot = t.slot_minutes or 30
    return slot if 10 <= slot <= 60 else 30


def day_grid(
    t: Timetable,
    *,
    day: int,
    day_date: date | None,
    sessions: list[Session],
    members: list[TeamMember],
) -> DayGrid:
    """Lay out the placed sessions of `day` in rows of time and one column per peer.

    Sessions that clash for a peer share one cell, so the table stays rectangular.
    """
    step = _row_minutes(t)
    todays = [s for s in sessions if s.placed and s.day == day]
    todays.sort(key=lambda s: (s.start, s.title))
    first = minutes_of(t.day_start)
    last = minutes_of(t.day_end)
    for s in todays:
        assert s.start is not None
        first = min(first, minutes_of(s.start))
        last = max(last, minutes_of(s.start) + s.minutes)
    first -= first % step
    count = max(1, -(-(last - first) // step))
    by_member: dict[int, list[Session]] = {m.pk: [] for m in members}
    without = []
    for s in todays:
        peers = [m.pk for m in s.peers.all() if m.pk in by_member]
        if not peers:
            without.append(s)
        for pk in peers:
            by_member[pk].append(s)
    columns: list[list[GridCell]] = []
    for m in members:
        cells = [GridCell() for _ in range(count)]
        blocks: list[GridBlock] = []
        for s in by_member[m.pk]:
            assert s.start is not None
            top = (minutes_of(s.start) - first) // step
            bottom = max(top + 1, -(-(minutes_of(s.start) + s.minutes - first) // step))
            if blocks and top < blocks[-1].first_row + blocks[-1].rows:
                b = blocks[-1]
                b.sessions.append(s)
                b.rows = max(b.rows, bottom - b.first_row)
            else:
                blocks.append(GridBlock([s], top, bottom - top))
        for b in blocks:
            cells[b.first_row].block = b
            for i in range(b.first_row + 1, b.first_row + b.rows):
                cells[i].covered = True
        columns.append(cells)
    rows = []
    for i in range(count):
        at = first + i * step
        rows.append(GridRow(f"{at // 60:02d}:{at % 60:02d}", [col[i] for col in columns]))
    return DayGrid(day, day_date, step, members, rows, todays, without)


__all__ = ["DayGrid", "GridBlock", "GridCell", "GridRow", "day_grid", "grid_sessions"]
