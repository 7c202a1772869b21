"""The shape of the delivery week: how much of the peer team's time each day takes.

A session takes its length times the number of peers in it ("peer-minutes"), fixed meetings
included, which is what the scheduler's day balance evens out (docs/scheduler.md). The generate
page draws the figures as a small column chart (inline SVG, geometry worked out here, as the
portfolio charts do) with a table of the same numbers, and says which day is busiest and which
quietest. Works on sessions already loaded with their peers: no queries of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..models import Session

# GOV.UK blue for the columns (3:1 against white), black text.
BLUE, BLACK = "#1d70b8", "#0b0c0c"
COL_W, GAP = 56, 16  # each day's column and the space between columns
LEFT, TOP, PLOT_H, BOTTOM = 8, 28, 150, 44  # margins, the plot's height, room for labels


def hours_text(minutes: int) -> str:
    """Peer-minutes as hours for people to read: 90 -> "1.5", 120 -> "2", 0 -> "0"."""
    text = f"{minutes / 60:.1f}"
    return text[:-2] if text.endswith(".0") else text


def peer_hours(minutes: int) -> str:
    text = hours_text(minutes)
    return f"{text} peer-hour{'' if text == '1' else 's'}"


@dataclass(frozen=True)
class DayColumn:
    number: int  # delivery day 1, 2, ...
    when: date | None
    minutes: int  # peer-minutes on the day
    x: int
    y: float
    height: float

    @property
    def label(self) -> str:
        """The day in full, for the sentence and the table."""
        if self.when is None:
            return f"Day {self.number}"
        return f"Day {self.number}, {self.when:%A} {self.when.day} {self.when:%B}"

    @property
    def short(self) -> str:
        """Under the column: the weekday and date, or the day number."""
        if self.when is None:
            return f"Day {self.number}"
        return f"{self.when:%a} {self.when.day}"

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)

    @property
    def centre(self) -> int:
        return self.x + COL_W // 2


@dataclass(frozen=True)
class WeekShape:
    columns: list[DayColumn]
    busiest: DayColumn
    quietest: DayColumn

    @property
    def sentence(self) -> str:
        if self.busiest.minutes == self.quietest.minutes:
            return (
                f"Every day takes the same share of the peer team's time: "
                f"{peer_hours(self.busiest.minutes)} a day."
            )
        return (
            f"The busiest day ({self.busiest.label}) has {peer_hours(self.busiest.minutes)}; "
            f"the quietest ({self.quietest.label}) has {peer_hours(self.quietest.minutes)}."
        )

    @property
    def desc(self) -> str:
        """What the picture shows, for assistive technology."""
        days = "; ".join(f"{c.label}: {peer_hours(c.minutes)}" for c in self.columns)
        return f"Peer-hours of sessions on each day of the delivery week. {days}."

    @property
    def width(self) -> int:
        return LEFT * 2 + len(self.columns) * COL_W + (len(self.columns) - 1) * GAP

    @property
    def height(self) -> int:
        return TOP + PLOT_H + BOTTOM

    @property
    def baseline(self) -> int:
        return TOP + PLOT_H

    @property
    def label_y(self) -> int:
        return TOP + PLOT_H + 20


def week_shape(sessions: Iterable[Session], dates: dict[int, date]) -> WeekShape | None:
    """Peer-minutes per delivery day of the placed ``sessions``; None when nothing is placed.

    ``dates`` maps day numbers to dates (every delivery day gets a column, busy or not);
    sessions must come with their peers prefetched.
    """
    minutes = dict.fromkeys(sorted(dates), 0)
    placed = False
    for s in sessions:
        if not s.placed or s.day is None:
            continue
        placed = True
        minutes[s.day] = minutes.get(s.day, 0) + s.minutes * len(s.peers.all())
    if not placed or not minutes:
        return None
    top = max(minutes.values()) or 1
    columns = []
    for i, (number, total) in enumerate(sorted(minutes.items())):
        height = round(PLOT_H * total / top, 1)
        columns.append(
            DayColumn(
                number=number,
                when=dates.get(number),
                minutes=total,
                x=LEFT + i * (COL_W + GAP),
                y=round(TOP + PLOT_H - height, 1),
                height=height,
            )
        )
    # Ties go to the earlier day, so the sentence does not change between page loads.
    busiest = max(columns, key=lambda c: (c.minutes, -c.number))
    quietest = min(columns, key=lambda c: (c.minutes, c.number))
    return WeekShape(columns, busiest, quietest)
