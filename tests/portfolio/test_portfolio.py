"""The LGA's portfolio: rows, days left to the written feedback, the CSV, the charts."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.models import Survey
from peerdiag.portfolio.domain.charts import feedback_time_chart, score_chart, stage_chart
from peerdiag.portfolio.domain.portfolio import (
    days_left_label,
    portfolio_queryset,
    portfolio_row,
    written_feedback_days_left,
)
from tests.factories import DiagnosticFactory, PersonFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db
DAY1 = date(2027, 3, 1)  # day 7 is Tuesday 9 March, written feedback due Friday 9 April


def _at(d: Diagnostic, stage: str, **fields) -> Diagnostic:  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, day1=DAY1, **fields)
    return Diagnostic.objects.get(pk=d.pk)


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    day = {"value": date(2027, 4, 5)}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day["value"])
    return day


def test_days_left_to_the_written_feedback(world):
    d = _at(world.own, Stage.FEEDBACK_GIVEN)
    assert written_feedback_days_left(d, date(2027, 4, 5)) == 4
    assert written_feedback_days_left(d, date(2027, 4, 9)) == 0
    assert written_feedback_days_left(d, date(2027, 4, 12)) == -3
    assert [days_left_label(n) for n in (4, 1, 0, -1, -3, None)] == [
        "4 days left",
        "1 day left",
        "Due today",
        "Overdue by 1 day",
        "Overdue by 3 days",
        "",
    ]


def test_no_days_left_before_delivery_ends_or_once_issued(world):
    assert written_feedback_days_left(_at(world.own, Stage.PREPARATION), date(2027, 4, 5)) is None
    delivering = _at(world.own, Stage.DELIVERY)
    assert written_feedback_days_left(delivering, date(2027, 3, 8)) is None
    assert written_feedback_days_left(delivering, date(2027, 3, 9)) == 31
    done = _at(world.own, Stage.FEEDBACK_GIVEN, written_feedback_issued_on=date(2027, 4, 1))
    assert written_feedback_days_left(done, date(2027, 4, 5)) is None


def test_a_row_has_stage_council_pcm_next_date_and_overdue(world):
    _at(world.own, Stage.FEEDBACK_GIVEN)
    d = portfolio_queryset().get(pk=world.own.pk)
    row = portfolio_row(d, date(2027, 4, 12))
    assert row.pcm == world.pcm.person.full_name
    assert row.overdue == ["Written feedback was due on Friday 9 April 2027"]
    assert row.next is not None and row.next.key == "destroy_by"
    assert row.days_left_label == "Overdue by 3 days"


def test_filters(world):
    _at(world.own, Stage.FEEDBACK_GIVEN)
    assert list(portfolio_queryset(stage=Stage.FEEDBACK_GIVEN)) == [world.own]
    assert set(portfolio_queryset()) == {world.own, world.other}
    assert list(portfolio_queryset(type="send")) == []


def test_the_page_lists_every_diagnostic_with_days_left(world, client, today):
    _at(world.own, Stage.FEEDBACK_GIVEN)
    client.force_login(world.pcm)  # LGA staff, not on world.other's team
    html = client.get(reverse("web:portfolio")).content.decode()
    assert "RPD-2027-001" in html and "RPD-2027-002" in html
    assert "4 days left" in html
    today["value"] = date(2027, 4, 12)
    html = client.get(reverse("web:portfolio")).content.decode()
    assert "Overdue by 3 days" in html
    assert "Written feedback was due on Friday 9 April 2027" in html


def test_only_diagnostics_the_viewer_may_open_are_links(world, client):
    """The portfolio lists every diagnostic, but links only those this person may open."""
    client.force_login(world.pcm)
    html = client.get(reverse("web:portfolio")).content.decode()
    own = reverse("web:diagnostic_overview", args=[world.own.reference])
    other = reverse("web:diagnostic_overview", args=[world.other.reference])
    assert f'href="{own}"' in html and client.get(own).status_code == 200
    assert "RPD-2027-002" in html and f'href="{other}"' not in html
    assert client.get(other).status_code == 404
    client.force_login(world.admin)
    assert f'href="{other}"' in client.get(reverse("web:portfolio")).content.decode()


def _many(n: int) -> None:
    for _ in range(n):
        d = DiagnosticFactory(stage=Stage.FEEDBACK_GIVEN, day1=DAY1)
        TeamMemberFactory(diagnostic=d, role=TeamRole.PEER_CHALLENGE_MANAGER)
        TeamMemberFactory(diagnostic=d, role=TeamRole.LEAD_PEER)


def _fetch(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    if response.streaming:
        b"".join(response.streaming_content)  # the rows are read as the file streams


@pytest.mark.parametrize("name", ["web:portfolio", "web:portfolio_export"])
def test_constant_queries(world, name):
    client = Client()
    client.force_login(world.admin)
    _many(2)
    with CaptureQueriesContext(connection) as few:
        _fetch(client, name)
    _many(8)
    with CaptureQueriesContext(connection) as more:
        _fetch(client, name)
    assert len(few) == len(more)
    assert Diagnostic.objects.count() == 12


def test_csv_holds_the_same_rows(world, client, today):
    _at(world.own, Stage.FEEDBACK_GIVEN)
    Diagnostic.objects.filter(pk=world.other.pk).update(title="=HYPERLINK(1)")
    client.force_login(world.admin)
    response = client.get(reverse("web:portfolio_export") + "?stage=feedback_given")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Reference"] for r in rows] == ["RPD-2027-001"]
    assert rows[0]["Peer challenge manager"] == world.pcm.person.full_name
    assert rows[0]["Days left to written feedback"] == "4"
    assert rows[0]["Written feedback due"] == "2027-04-09"
    everything = b"".join(client.get(reverse("web:portfolio_export")).streaming_content)
    assert b"'=HYPERLINK(1)" in everything


@pytest.mark.parametrize("name", ["web:portfolio", "web:learning_library", "web:portfolio_charts"])
def test_council_and_peers_are_refused(world, client, name):
    for user in (world.sponsor, world.peer):
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert b"RPD-2027-001" not in response.content


def test_stage_chart_counts_every_stage(world):
    DiagnosticFactory(stage=Stage.DELIVERY)
    DiagnosticFactory(stage=Stage.DELIVERY)
    chart = stage_chart()
    rows = dict((label, n) for label, n in chart.rows)
    assert rows["Enquiry"] == "2"
    assert rows["Delivery"] == "2"
    assert rows["Closed"] == "0"
    widths = {b.label: b.width for b in chart.bars}
    assert widths["Delivery"] == widths["Enquiry"] == 330
    assert widths["Closed"] == 0
    assert "4 diagnostics in all" in chart.desc


def test_feedback_time_histogram_median_and_month_line(world):
    # Day 7 is 9 March: issued after 10, 20 and 40 days (the last one late).
    for days in (10, 20, 40):
        DiagnosticFactory(day1=DAY1, written_feedback_issued_on=date(2027, 3, 9) + timedelta(days))
    chart = feedback_time_chart()
    counts = {row[0]: row[1] for row in chart.rows}
    assert counts == {
        "0–6 days": "0",
        "7–13 days": "1",
        "14–20 days": "1",
        "21–27 days": "0",
        "28–34 days": "0",
        "35–41 days": "1",
        "42–48 days": "0",
        "49 or more days": "0",
    }
    assert dict(chart.summary) == {
        "Written feedback issued": "3",
        "Median days from feedback meeting": "20",
        "Issued within a month": "2",
        "Issued late": "1",
    }
    month, median = chart.markers
    assert month.label.startswith("1 month") and median.label == "Median: 20 days"
    assert month.dash != median.dash  # told apart without colour
    assert median.x < month.x


def test_score_chart_averages_each_rating(world):
    now = timezone.now()
    for role, scores in (("sponsor", (5, 4, 3, 2)), ("organiser", (4, 4, 5, 3))):
        Survey.objects.create(
            diagnostic=world.own,
            respondent=PersonFactory(),
            role=role,
            sent_at=now,
            completed_at=now,
            usefulness=scores[0],
            accuracy=scores[1],
            team_quality=scores[2],
            impact=scores[3],
        )
    Survey.objects.create(diagnostic=world.other, respondent=PersonFactory(), role="sponsor")
    chart = score_chart()
    assert [row[1:] for row in chart.rows] == [
        ["4.5", "2"],
        ["4.0", "2"],
        ["4.0", "2"],
        ["2.5", "2"],
    ]
    assert chart.bars[0].text == "4.5 from 2 answers"
    assert chart.bars[0].width == 297.0  # 4.5 of 5 across 330 pixels


def test_charts_page_is_accessible_svg_with_tables(world, client):
    DiagnosticFactory(day1=DAY1, written_feedback_issued_on=date(2027, 4, 20))
    client.force_login(world.admin)
    html = client.get(reverse("web:portfolio_charts")).content.decode()
    assert html.count('role="img"') == 3
    for key in ("stages", "feedback-time", "scores"):
        assert f'aria-labelledby="{key}-title {key}-desc"' in html
        assert f'<title id="{key}-title">' in html
    assert html.count('<table class="govuk-table') == 3
    assert "Median: 42 days" in html
    assert 'stroke-dasharray="6 4"' in html and 'stroke-dasharray="2 3"' in html


def test_the_portfolio_csv_builds_in_the_background_with_progress(world, monkeypatch):  # type: ignore[no-untyped-def]
    import csv
    import io

    from django.test import Client, TestCase
    from django.urls import reverse

    from peerdiag.portfolio.domain import portfolio_export
    from peerdiag.reports.models import ExportJob
    from tests.factories import DiagnosticFactory

    for _ in range(5):
        DiagnosticFactory()
    c = Client()
    c.force_login(world.pcm)
    seen: list[tuple[int, str]] = []
    from peerdiag.common import jobs

    real_report, real_finish = jobs.report, jobs.finish

    def spy(job, **fields):  # type: ignore[no-untyped-def]
        if "progress" in fields:
            seen.append((int(fields["progress"]), str(fields.get("message", ""))))
        return real_report(job, **fields)

    def spy_finish(job, **fields):  # type: ignore[no-untyped-def]
        seen.append((100, str(fields.get("message", ""))))
        return real_finish(job, **fields)

    monkeypatch.setattr(jobs, "report", spy)
    monkeypatch.setattr(jobs, "finish", spy_finish)
    monkeypatch.setattr(portfolio_export, "PROGRESS_EVERY", 2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = c.post(reverse("web:portfolio_export_start"))
    job = ExportJob.objects.get(kind="portfolio_csv")
    assert response["Location"] == reverse("web:portfolio_export_job", args=[job.code])
    assert job.state == "done" and job.progress == 100 and job.message == "7 rows"
    assert [p for p, _ in seen] == sorted(p for p, _ in seen) and seen[-1][0] == 100
    assert any("of 7 rows written" in m for _, m in seen)
    page = c.get(reverse("web:portfolio_export_job", args=[job.code])).content.decode()
    assert "ready to download" in page and "hx-trigger" not in page
    body = b"".join(c.get(reverse("web:portfolio_export_file", args=[job.code])).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference" and len(rows) == 8
    assert {world.own.reference, world.other.reference} <= {r[0] for r in rows[1:]}
    refused = Client()
    refused.force_login(world.organiser)
    assert refused.get(reverse("web:portfolio_export_job", args=[job.code])).status_code == 403
