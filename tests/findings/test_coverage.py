"""The evidence heat map: counts per KLOE and source type, levels, and sessions still to come."""

from __future__ import annotations

from datetime import datetime, time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerdiag.findings.domain.coverage import evidence_coverage, level_of
from peerdiag.findings.domain.notes import add_note
from peerdiag.findings.models import EvidenceNote
from peerdiag.timetable.enums import SessionStatus
from peerdiag.timetable.models import Session

from .helpers import delivery


def _counts(row):  # type: ignore[no-untyped-def]
    return {c.source_type: (c.count, c.level) for c in row.cells if c.count}


def test_levels_follow_the_named_thresholds():  # type: ignore[no-untyped-def]
    assert [level_of(n) for n in (0, 1, 2, 3, 4, 40)] == [
        "none",
        "thin",
        "some",
        "some",
        "good",
        "good",
    ]


def test_counts_per_kloe_and_source_with_a_note_counted_in_each_of_its_kloes(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    front, practice = x.kloes
    for i in range(2):
        add_note(x.d, by=x.lead, source_type="interview", title=f"I{i}", kloes=[front])
    add_note(x.d, by=x.lead, source_type="data", title="Both", kloes=[front, practice])
    for i in range(4):
        add_note(x.d, by=x.lead, source_type="document", title=f"D{i}", kloes=[practice])
    gone = add_note(x.d, by=x.lead, source_type="interview", title="Gone", kloes=[front])
    EvidenceNote.objects.filter(pk=gone.pk).update(destroyed_at=timezone.now())
    add_note(x.d, by=x.lead, source_type="observation", title="Untagged")

    rows = evidence_coverage(x.d)
    assert [r.kloe for r in rows] == [front, practice]
    assert _counts(rows[0]) == {"interview": (2, "some"), "data": (1, "thin")}
    assert _counts(rows[1]) == {"document": (4, "good"), "data": (1, "thin")}
    assert [c.source_type for c in rows[0].cells] == [
        "interview",
        "focus_group",
        "case_review",
        "document",
        "data",
        "observation",
    ]
    assert rows[0].cells[1].level == "none"
    assert (rows[0].total, rows[0].source_types) == (3, 2)


def test_sessions_still_to_come_exclude_cancelled_held_and_past_ones(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    front = x.kloes[0]
    # Sessions 0, 2 and 4 are focus groups on the front door; 1, 3 and 5 interviews on practice.
    s0, s2, s4 = x.sessions[0], x.sessions[2], x.sessions[4]
    Session.objects.filter(pk=s0.pk).update(day=2, start=time(10, 0))
    Session.objects.filter(pk=s2.pk).update(
        day=1, start=time(11, 0), status=SessionStatus.CANCELLED
    )
    Session.objects.filter(pk=x.sessions[1].pk).update(day=1, start=time(9, 0), status="held")

    rows = evidence_coverage(x.d)
    front_row = next(r for r in rows if r.kloe == front)
    assert [(u.title, u.placed) for u in front_row.upcoming] == [
        (s0.title, True),
        (s4.title, False),  # unplaced: still to come, "not yet placed"
    ]
    assert timezone.localtime(front_row.upcoming[0].starts_at).strftime("%Y-%m-%d %H:%M") == (
        "2027-03-02 10:00"
    )
    practice_row = next(r for r in rows if r.kloe != front)
    assert x.sessions[1].title not in [u.title for u in practice_row.upcoming]
    assert len(practice_row.upcoming) == 2

    # Once day 2 at 10:00 has passed, that session is no longer to come.
    later = timezone.make_aware(datetime(2027, 3, 2, 12, 0))
    front_row = next(r for r in evidence_coverage(x.d, now=later) if r.kloe == front)
    assert [u.title for u in front_row.upcoming] == [s4.title]


def _queries(d) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        rows = evidence_coverage(d)
        sum(r.total for r in rows)
    return len(ctx.captured_queries)


def test_the_heat_map_takes_the_same_queries_for_few_and_many_notes(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_note(x.d, by=x.lead, source_type="data", title="One", kloes=x.kloes)
    few = _queries(x.d)
    for i in range(40):
        add_note(
            x.d, by=x.lead, source_type=["data", "document"][i % 2], title=f"N{i}", kloes=x.kloes
        )
    assert _queries(x.d) == few == 3
    assert sum(r.total for r in evidence_coverage(x.d)) == 82
