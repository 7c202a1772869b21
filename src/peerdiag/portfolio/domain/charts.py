"""Numbers and geometry for the portfolio's charts, drawn as inline SVG by the page.

Each chart is worked out here (what to count, where each bar goes) and comes with the same
numbers as rows for the table the page shows beside it, so nobody needs to read the picture.
A fixed number of queries: one per chart.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from peerdiag.diagnostics.domain.keydates import delivery_days, written_feedback_due
from peerdiag.diagnostics.enums import MAIN_LINE, Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.domain.surveys import RATING_QUESTIONS, RATINGS
from peerdiag.evaluation.models import Survey

# GOV.UK palette: blue bars and red lines keep 3:1 against white; text is black.
BLUE, RED, BLACK = "#1d70b8", "#d4351c", "#0b0c0c"
# Horizontal bar charts.
LABEL_W = 230
BAR_W = 330
ROW_H = 28
BAR_H = 18
VALUE_W = 150
TOP = 8
# The histogram.
H_LEFT, H_RIGHT, H_TOP, H_BOTTOM = 44, 16, 44, 48
H_PLOT_W, H_PLOT_H = 520, 200
BIN_DAYS = 7
BINS = 8  # 0 to 6, 7 to 13, ... 49 and more
MONTH_DAYS = 31  # the longest a calendar month can be


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as words, written beside the bar
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_H - 4


@dataclass
class BarChart:
    key: str
    title: str
    desc: str
    bars: list[Bar]
    columns: list[str]  # table header
    rows: list[list[str]]  # table body
    label_w: int = LABEL_W
    bar_w: int = BAR_W
    bar_h: int = BAR_H

    @property
    def width(self) -> int:
        return LABEL_W + BAR_W + VALUE_W

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_H * len(self.bars)


def _hbar(items: list[tuple[str, float, str]], scale_max: float) -> list[Bar]:
    top = scale_max or 1
    return [
        Bar(label, value, text, TOP + i * ROW_H, round(BAR_W * value / top, 1))
        for i, (label, value, text) in enumerate(items)
    ]


CHART_STAGES: tuple[Stage, ...] = (
    *MAIN_LINE,
    Stage.CLOSED_NOT_SUITABLE,
    Stage.POSTPONED,
    Stage.CANCELLED,
)


def stage_chart() -> BarChart:
    """How many diagnostics are at each stage (every stage listed, zeros included)."""
    # order_by() drops the model's default ordering, which would split the groups.
    counts: dict[str, int] = dict(
        Diagnostic.objects.order_by()
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    items = [(str(s.label), float(counts.get(s, 0)), str(counts.get(s, 0))) for s in CHART_STAGES]
    total = sum(counts.values())
    return BarChart(
        key="stages",
        title="Diagnostics by stage",
        desc=f"{total} diagnostic{'s' if total != 1 else ''} in all. "
        + "; ".join(f"{label}: {text}" for label, _, text in items if text != "0"),
        bars=_hbar(items, max((v for _, v, _ in items), default=0)),
        columns=["Stage", "Diagnostics"],
        rows=[[label, text] for label, _, text in items],
    )


@dataclass(frozen=True)
class HistBin:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def mid(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Marker:
    label: str
    x: float
    dash: str  # the line's dash pattern tells the two markers apart without colour
    colour: str
    label_y: int  # each marker's label has its own line above the plot

    @property
    def anchor(self) -> str:
        # Labels near the right edge run leftwards so they stay inside the picture.
        return "end" if self.x > H_LEFT + H_PLOT_W * 0.7 else "start"

    @property
    def label_x(self) -> float:
        return self.x - 4 if self.anchor == "end" else self.x + 4


@dataclass
class Histogram:
    key: str
    title: str
    desc: str
    bins: list[HistBin]
    markers: list[Marker]
    y_ticks: list[tuple[float, int]]
    rows: list[list[str]]
    summary: list[tuple[str, str]] = field(default_factory=list)
    left: int = H_LEFT
    top: int = H_TOP
    plot_w: int = H_PLOT_W
    plot_h: int = H_PLOT_H

    @property
    def width(self) -> int:
        return H_LEFT + H_PLOT_W + H_RIGHT

    @property
    def height(self) -> int:
        return H_TOP + H_PLOT_H + H_BOTTOM

    @property
    def baseline(self) -> int:
        return H_TOP + H_PLOT_H


def _days_x(days: float) -> float:
    span = BIN_DAYS * BINS
    return round(H_LEFT + H_PLOT_W * min(days, span) / span, 1)


def _bin_label(i: int) -> str:
    start = i * BIN_DAYS
    return f"{start} or more" if i == BINS - 1 else f"{start}–{start + BIN_DAYS - 1}"


def feedback_times() -> list[tuple[int, bool]]:
    """(days from the feedback meeting to the written feedback, issued on time) per diagnostic."""
    out = []
    for day1, issued in Diagnostic.objects.filter(
        day1__isnull=False, written_feedback_issued_on__isnull=False
    ).values_list("day1", "written_feedback_issued_on"):
        assert day1 is not None and issued is not None  # filtered above
        day7 = delivery_days(day1)[-1]
        out.append((max((issued - day7).days, 0), issued <= written_feedback_due(day1)))
    return out


def feedback_time_chart() -> Histogram:
    """A histogram of the days from the feedback meeting (day 7) to the written feedback."""
    times = feedback_times()
    counts = [0] * BINS
    for days, _ in times:
        counts[min(days // BIN_DAYS, BINS - 1)] += 1
    top = max(counts, default=0) or 1
    step = H_PLOT_W / BINS
    bins = []
    for i, n in enumerate(counts):
        h = round(H_PLOT_H * n / top, 1)
        bins.append(
            HistBin(
                _bin_label(i),
                n,
                round(H_LEFT + i * step + 2, 1),
                H_TOP + H_PLOT_H - h,
                round(step - 4, 1),
                h,
            )
        )
    markers = [Marker("1 month (31 days at most)", _days_x(MONTH_DAYS), "6 4", RED, 14)]
    median = statistics.median(d for d, _ in times) if times else None
    if median is not None:
        markers.append(Marker(f"Median: {median:g} days", _days_x(median), "2 3", BLACK, 32))
    on_time = sum(1 for _, ok in times if ok)
    summary = [
        ("Written feedback issued", str(len(times))),
        ("Median days from feedback meeting", f"{median:g}" if median is not None else "None yet"),
        ("Issued within a month", str(on_time)),
        ("Issued late", str(len(times) - on_time)),
    ]
    desc = (
        f"{len(times)} diagnostic{'s' if len(times) != 1 else ''} with written feedback issued"
        + (f"; median {median:g} days; {on_time} within a month" if median is not None else "")
        + ". "
        + "; ".join(f"{b.label} days: {b.count}" for b in bins if b.count)
    )
    ticks = sorted({0, top // 2, top})
    return Histogram(
        key="feedback-time",
        title="Days from the feedback meeting to the written feedback",
        desc=desc,
        bins=bins,
        markers=markers,
        y_ticks=[(round(H_TOP + H_PLOT_H - H_PLOT_H * t / top, 1), t) for t in ticks],
        rows=[[f"{b.label} days", str(b.count)] for b in bins],
        summary=summary,
    )


def score_chart() -> BarChart:
    """The average of each rating (1 to 5) over the answered surveys, with how many answered."""
    agg = Survey.objects.filter(completed_at__isnull=False).aggregate(
        n=Count("id"),
        **{f"avg_{r}": Avg(r) for r in RATINGS},
        **{f"n_{r}": Count("id", filter=Q(**{f"{r}__isnull": False})) for r in RATINGS},
    )
    items = []
    rows = []
    for r in RATINGS:
        avg = agg[f"avg_{r}"]
        n = agg[f"n_{r}"]
        label = RATING_QUESTIONS[r]
        short = SCORE_LABELS[r]
        text = f"{avg:.1f} from {n} answer{'s' if n != 1 else ''}" if avg is not None else "None"
        items.append((short, float(avg or 0), text))
        rows.append([label, f"{avg:.1f}" if avg is not None else "None", str(n)])
    return BarChart(
        key="scores",
        title="Evaluation scores (average out of 5)",
        desc=f"{agg['n']} answered survey{'s' if agg['n'] != 1 else ''}. "
        + "; ".join(f"{label}: {text}" for label, _, text in items),
        bars=_hbar(items, 5),
        columns=["Question", "Average (1 to 5)", "Answers"],
        rows=rows,
    )


SCORE_LABELS = {
    "usefulness": "Usefulness",
    "accuracy": "Accuracy of findings",
    "team_quality": "Quality of the team",
    "impact": "Likely impact",
}
