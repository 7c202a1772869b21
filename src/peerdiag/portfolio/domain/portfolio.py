"""The LGA's portfolio: every diagnostic with its stage, PCM, next key date, what is overdue and
how long is left for the written feedback.

Reads only. The next key date and the overdue items are the dashboard's own
(diagnostics/domain/keydates.py), worked out in Python from day 1, so a page of rows costs the
same few queries however many diagnostics it holds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from peerdiag.common import spreadsheets
from peerdiag.diagnostics.domain.keydates import (
    KeyDate,
    delivery_days,
    next_key_date,
    overdue_items,
    written_feedback_due,
)
from peerdiag.diagnostics.enums import MAIN_LINE, Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.evaluation.domain.surveys import survey_overdue_items, with_survey_status
from peerdiag.timetable.domain.outbound import redactors_by_reference

PAGE_SIZE = 50


def portfolio_queryset(
    *, stage: str = "", region: str = "", type: str = ""
) -> QuerySet[Diagnostic]:
    """Every diagnostic, newest first, with what a row needs loaded in a fixed number of queries."""
    pcms = TeamMember.objects.filter(role=TeamRole.PEER_CHALLENGE_MANAGER).select_related("person")
    qs = with_survey_status(
        Diagnostic.objects.select_related("host_council")
        .prefetch_related(Prefetch("team", queryset=pcms, to_attr="pcms"))
        .order_by("-created_at", "-id")
    )
    if stage:
        qs = qs.filter(stage=stage)
    if region:
        qs = qs.filter(host_council__region=region)
    if type:
        qs = qs.filter(type=type)
    return qs


def _past_delivery(d: Diagnostic, today: date) -> bool:
    """Delivery is over (day 7 reached, or the stage says so) and the diagnostic goes on."""
    if d.stage not in MAIN_LINE or d.day1 is None:
        return False
    at = MAIN_LINE.index(Stage(d.stage))
    if at >= MAIN_LINE.index(Stage.WRITTEN_FEEDBACK_ISSUED):
        return False
    if at >= MAIN_LINE.index(Stage.DRAFTING):
        return True
    return at == MAIN_LINE.index(Stage.DELIVERY) and delivery_days(d.day1)[-1] <= today


def written_feedback_days_left(d: Diagnostic, today: date) -> int | None:
    """Days left until the written feedback is due (negative once overdue), for a diagnostic
    past delivery whose written feedback is not issued; None for every other."""
    if d.written_feedback_issued_on is not None or not _past_delivery(d, today):
        return None
    assert d.day1 is not None
    return (written_feedback_due(d.day1) - today).days


def days_left_label(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return f"Overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "Due today"
    return f"{days} day{'s' if days != 1 else ''} left"


@dataclass(frozen=True)
class Row:
    d: Diagnostic
    pcm: str
    next: KeyDate | None
    overdue: list[str]
    days_left: int | None

    @property
    def days_left_label(self) -> str:
        return days_left_label(self.days_left)


def portfolio_row(d: Diagnostic, today: date) -> Row:
    pcms: list[Any] = getattr(d, "pcms", None) or []
    return Row(
        d=d,
        pcm=", ".join(m.person.full_name for m in pcms),
        next=next_key_date(d, today),
        overdue=overdue_items(d, today) + survey_overdue_items(d, today),
        days_left=written_feedback_days_left(d, today),
    )


CSV_HEADER = [
    "Reference",
    "Title",
    "Type",
    "Host council",
    "Region",
    "Stage",
    "Peer challenge manager",
    "Day 1",
    "Next key date",
    "Next key date on",
    "Overdue",
    "Written feedback due",
    "Days left to written feedback",
    "Written feedback issued",
]


def csv_row(row: Row) -> list[str | int]:
    d = row.d
    return [
        d.reference,
        d.title,
        d.type_label,
        d.host_council.name,
        d.host_council.get_region_display(),
        d.stage_label,
        row.pcm,
        d.day1.isoformat() if d.day1 else "",
        row.next.label if row.next else "",
        row.next.start.isoformat() if row.next else "",
        "; ".join(row.overdue),
        written_feedback_due(d.day1).isoformat() if d.day1 else "",
        "" if row.days_left is None else row.days_left,  # a number, negative once overdue
        d.written_feedback_issued_on.isoformat() if d.written_feedback_issued_on else "",
    ]


def csv_lines(diagnostics: Iterable[Diagnostic], today: date) -> Iterator[str]:
    """The portfolio as CSV lines (header first), for a streaming response."""
    return spreadsheets.csv_lines(itertools.chain([CSV_HEADER], _rows(diagnostics, today)))


def _rows(diagnostics: Iterable[Diagnostic], today: date) -> Iterator[list[str | int]]:
    # A title may name a young attendee (as on the report, see timetable.domain.outbound): it
    # is scrubbed, a chunk of diagnostics at a time so the export still streams.
    it = iter(diagnostics)
    while chunk := list(itertools.islice(it, 500)):
        redactors = redactors_by_reference(d.reference for d in chunk)
        for d in chunk:
            row = csv_row(portfolio_row(d, today))
            row[1] = redactors[d.reference].text(d.title)
            yield row
