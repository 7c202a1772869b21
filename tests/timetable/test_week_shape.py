"""The week's shape on the generate page: peer-hours per day, said in words, drawn and tabled."""

from __future__ import annotations

import html
import re
from datetime import time

from django.test import Client
from django.urls import reverse

from peerdiag.common.models import Job
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import TeamMember
from peerdiag.timetable.domain.problem import planned_sessions
from peerdiag.timetable.domain.week import day_dates
from peerdiag.timetable.domain.week_shape import hours_text, week_shape
from peerdiag.timetable.enums import JobState, SessionType
from peerdiag.timetable.models import Session

from .helpers import DAY1, generate, planned_week

REF = "RPD-2027-001"


def _page(user) -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return html.unescape(c.get(reverse("web:schedule_generate", args=[REF])).content.decode())


def _week(world):  # type: ignore[no-untyped-def]
    """Day 1 set; Monday has 90 + 2 x 60 peer-minutes, Tuesday 45, the rest nothing."""
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    lead = TeamMember.objects.get(diagnostic=d, role=TeamRole.LEAD_PEER)
    pcm = TeamMember.objects.get(diagnostic=d, role=TeamRole.PEER_CHALLENGE_MANAGER)

    def add(title: str, minutes: int, day: int | None, peers: list[TeamMember]) -> None:
        s = Session.objects.create(
            diagnostic=d,
            type=SessionType.INTERVIEW,
            title=title,
            minutes=minutes,
            day=day,
            start=time(10, 0) if day else None,
        )
        s.peers.set(peers)

    add("Long talk", 90, 1, [lead])
    add("Pair talk", 60, 1, [lead, pcm])
    add("Short talk", 45, 2, [pcm])
    add("Not placed", 120, None, [])
    return d


def test_peer_hours_per_day_and_the_sentence(world):  # type: ignore[no-untyped-def]
    d = _week(world)
    shape = week_shape(planned_sessions(d), day_dates(d))
    assert shape is not None
    by_day = {c.number: c.minutes for c in shape.columns}
    assert by_day == {1: 210, 2: 45, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0}
    assert shape.busiest.number == 1 and shape.quietest.number == 3
    assert shape.sentence == (
        "The busiest day (Day 1, Monday 1 March) has 3.5 peer-hours; "
        "the quietest (Day 3, Wednesday 3 March) has 0 peer-hours."
    )
    # The tallest column fills the plot; the others are to scale.
    tall = next(c for c in shape.columns if c.number == 1)
    short = next(c for c in shape.columns if c.number == 2)
    assert short.height == round(tall.height * 45 / 210, 1)
    assert [hours_text(m) for m in (0, 45, 60, 90, 210)] == ["0", "0.8", "1", "1.5", "3.5"]


def test_no_shape_until_something_is_placed(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.day1 = DAY1
    d.save(update_fields=["day1"])
    Session.objects.create(diagnostic=d, type=SessionType.INTERVIEW, title="Waiting", minutes=60)
    assert week_shape(planned_sessions(d), day_dates(d)) is None


def test_the_generate_page_shows_the_sentence_the_chart_and_the_table(world):  # type: ignore[no-untyped-def]
    d = _week(world)
    Job.objects.create(kind="timetable", diagnostic=d, created_by=world.pcm, state=JobState.DONE)
    page = _page(world.pcm)
    assert "How the week is spread" in page
    assert "The busiest day (Day 1, Monday 1 March) has 3.5 peer-hours" in page
    assert "the quietest (Day 3, Wednesday 3 March) has 0 peer-hours" in page
    svg = re.search(r"<svg class=\"pd-chart\".*?</svg>", page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0) and "<title" in svg.group(0)
    assert "Day 1, Monday 1 March: 3.5 peer-hours" in svg.group(0)  # the description
    assert len(re.findall(r"<rect ", svg.group(0))) == 7  # a column for every delivery day
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]+)</td>',
        page,
    )
    assert rows[:3] == [
        ("Day 1, Monday 1 March", "3.5"),
        ("Day 2, Tuesday 2 March", "0.8"),
        ("Day 3, Wednesday 3 March", "0"),
    ]


def test_the_shape_is_not_shown_while_nothing_has_run(world):  # type: ignore[no-untyped-def]
    _week(world)
    page = _page(world.pcm)
    assert "How the week is spread" not in page and "peer-hours" not in page


def test_after_a_real_run_the_page_figures_match_the_draft(world):  # type: ignore[no-untyped-def]
    w = planned_week(world.own, interviews=6)
    run = generate(w.d, world.pcm)
    assert run.state == JobState.DONE, run.message
    totals: dict[int, int] = {}
    for s in planned_sessions(w.d):
        if s.day is not None:
            totals[s.day] = totals.get(s.day, 0) + s.minutes * len(s.peers.all())
    busiest = max(totals.values())
    page = _page(world.pcm)
    assert f"has {hours_text(busiest)} peer-hour" in page
    assert "How the week is spread" in page
