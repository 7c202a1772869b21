"""An evaluation survey not sent on its date shows as overdue on the dashboard and the portfolio.

The surveys of `issued(...)` are due on Tuesday 6 April 2027 (ten working days after Friday
19 March, skipping Easter): the daily command sends them that day, so they are overdue from
Wednesday 7 April while the sponsor or the organiser still has none.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage, TeamRole
from peerdiag.diagnostics.models import CouncilRole, Diagnostic
from peerdiag.evaluation.domain.surveys import (
    send_due_surveys,
    survey_overdue_items,
    with_survey_status,
)
from peerdiag.evaluation.models import Survey
from peerdiag.portfolio.domain.portfolio import portfolio_queryset, portfolio_row
from tests.evaluation.helpers import DUE, issued
from tests.factories import DiagnosticFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

MESSAGE = "The evaluation survey was due on Tuesday 6 April 2027 and has not been sent"
AFTER = date(2027, 4, 7)


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    day = {"value": AFTER}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day["value"])
    return day


def _annotated(d: Diagnostic) -> Diagnostic:
    return with_survey_status(Diagnostic.objects.all()).get(pk=d.pk)


def test_overdue_from_the_day_after_the_due_date(world):
    d = issued(world.own)
    assert survey_overdue_items(d, date(2027, 4, 5)) == []
    assert survey_overdue_items(d, DUE) == []  # the daily command sends on the day itself
    assert survey_overdue_items(d, AFTER) == [MESSAGE]
    assert survey_overdue_items(_annotated(d), AFTER) == [MESSAGE]


def test_no_longer_overdue_once_sent(world):
    d = issued(world.own)
    assert send_due_surveys(AFTER) == 2
    assert Survey.objects.filter(diagnostic=d, sent_at__isnull=False).count() == 2
    assert survey_overdue_items(d, AFTER) == []
    assert survey_overdue_items(_annotated(d), AFTER) == []


def test_still_overdue_while_one_of_the_two_has_none(world):
    d = issued(world.own)
    Survey.objects.create(
        diagnostic=d, respondent=world.sponsor.person, role="sponsor", sent_at=timezone.now()
    )
    assert survey_overdue_items(d, AFTER) == [MESSAGE]
    assert survey_overdue_items(_annotated(d), AFTER) == [MESSAGE]
    # A survey made but never sent does not count.
    unsent = Survey.objects.create(
        diagnostic=d, respondent=world.organiser.person, role="organiser"
    )
    assert survey_overdue_items(_annotated(d), AFTER) == [MESSAGE]
    Survey.objects.filter(pk=unsent.pk).update(sent_at=timezone.now())
    assert survey_overdue_items(d, AFTER) == []
    assert survey_overdue_items(_annotated(d), AFTER) == []


def test_overdue_when_there_is_nobody_to_send_it_to(world):
    d = issued(world.own)
    CouncilRole.objects.filter(
        diagnostic=d, role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
    ).delete()
    assert send_due_surveys(AFTER) == 0
    assert survey_overdue_items(d, AFTER) == [MESSAGE]
    assert survey_overdue_items(_annotated(d), AFTER) == [MESSAGE]


@pytest.mark.parametrize("stage", [Stage.EVALUATION, Stage.CLOSED, Stage.CANCELLED])
def test_not_counted_once_past_the_stage_or_ended(world, stage):
    d = issued(world.own, stage=stage)
    assert survey_overdue_items(d, AFTER) == []
    assert survey_overdue_items(_annotated(d), AFTER) == []


def test_nothing_before_the_written_feedback_is_issued(world):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.FEEDBACK_GIVEN)
    d = Diagnostic.objects.get(pk=world.own.pk)
    assert survey_overdue_items(d, date(2030, 1, 1)) == []


def test_an_annotated_diagnostic_costs_no_query(world, django_assert_num_queries):
    d = _annotated(issued(world.own))
    with django_assert_num_queries(0):
        assert survey_overdue_items(d, AFTER) == [MESSAGE]


def test_the_pcm_dashboard_tags_it_overdue_until_sent(world, today):
    issued(world.own)
    pcm = Client()
    pcm.force_login(world.pcm)
    html = pcm.get(reverse("web:dashboard")).content.decode()
    assert MESSAGE in html
    row = html[html.index(world.own.reference) :]
    row = row[: row.index("</tr>")]
    assert "govuk-tag--red" in row and MESSAGE in row

    send_due_surveys(AFTER)
    html = pcm.get(reverse("web:dashboard")).content.decode()
    assert world.own.reference in html
    assert MESSAGE not in html


def test_another_councils_and_pcms_dashboards_do_not_show_it(world, today):
    issued(world.own)
    for user in (world.other_council_user, world.other_pcm):
        c = Client()
        c.force_login(user)
        html = c.get(reverse("web:dashboard")).content.decode()
        assert world.own.reference not in html
        assert MESSAGE not in html


def test_the_lga_portfolio_and_its_csv_show_it(world, today):
    issued(world.own)
    admin = Client()
    admin.force_login(world.admin)
    html = admin.get(reverse("web:portfolio")).content.decode()
    assert MESSAGE in html
    response = admin.get(reverse("web:portfolio_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert MESSAGE in text
    row = portfolio_row(portfolio_queryset().get(pk=world.own.pk), AFTER)
    assert row.overdue == [MESSAGE]


def _overdue_diagnostics(n: int, pcm_person) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        d = issued(DiagnosticFactory())
        TeamMemberFactory(diagnostic=d, person=pcm_person, role=TeamRole.PEER_CHALLENGE_MANAGER)


def test_dashboard_queries_do_not_grow_with_overdue_surveys(world, today):
    pcm = Client()
    pcm.force_login(world.pcm)
    issued(world.own)
    with CaptureQueriesContext(connection) as one:
        html = pcm.get(reverse("web:dashboard")).content.decode()
    # Once in the table's Overdue column, once in the PCM's to-do list (issue 18).
    assert html.count(MESSAGE) == 2
    _overdue_diagnostics(2, world.pcm.person)
    with CaptureQueriesContext(connection) as three:
        html = pcm.get(reverse("web:dashboard")).content.decode()
    assert html.count(MESSAGE) == 6
    # Only the PCM's gate items (the next gate of each diagnostic they manage) cost queries
    # per diagnostic; the overdue surveys and the rest of the page do not.
    added = list(
        Diagnostic.objects.select_related("host_council", "scoping")
        .filter(team__person=world.pcm.person)
        .exclude(pk=world.own.pk)
    )
    with CaptureQueriesContext(connection) as gates:
        for d in added:
            for to in next_stages(d):
                gate_blockers(d, to)
    assert len(three) == len(one) + len(gates)
