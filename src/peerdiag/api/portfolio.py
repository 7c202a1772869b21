"""The LGA's portfolio over HTTP: every diagnostic with what is due and overdue, and the figures
behind the portfolio's charts.

For LGA staff and administrators only (`portfolio.view`, portfolio/rules.py), as the pages in
web/views/portfolio.py: anyone else gets 403 before anything is read. The rows and figures
come from the same domain functions as the pages, so the API and the page always agree.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain.keydates import written_feedback_due
from peerdiag.evaluation.domain.surveys import RATING_QUESTIONS, RATINGS
from peerdiag.portfolio.domain.charts import (
    CHART_STAGES,
    feedback_time_chart,
    feedback_times,
    score_chart,
    stage_chart,
)
from peerdiag.portfolio.domain.portfolio import PAGE_SIZE, Row, portfolio_queryset, portfolio_row
from peerdiag.timetable.domain.outbound import Redactor, redactors_by_reference

from .common import LIST_ERRORS, caller
from .schemas.common import Message
from .schemas.portfolio import ChartsOut, PortfolioFilters, PortfolioPage

router = Router(tags=["portfolio"])

PORTFOLIO = "portfolio.view"
NOT_LGA = "The portfolio is for LGA staff and administrators"
ERRORS: dict[int, Any] = {**LIST_ERRORS, 403: Message}


def _refuse_unless_lga(user: User) -> None:
    if not user.has_perm(PORTFOLIO):
        raise PermissionDenied(NOT_LGA)


def _row(row: Row, redactor: Redactor) -> dict[str, Any]:
    d = row.d
    council = d.host_council
    return {
        "reference": d.reference,
        "title": redactor.text(d.title),
        "type": d.type,
        "type_label": d.type_label,
        "host_council": {
            "code": council.code,
            "name": council.name,
            "region": council.region,
            "region_label": council.get_region_display(),
        },
        "stage": d.stage,
        "stage_label": d.stage_label,
        "pcm": row.pcm,
        "day1": d.day1,
        "next_key_date": row.next,
        "overdue": row.overdue,
        "written_feedback_due_on": written_feedback_due(d.day1) if d.day1 else None,
        "written_feedback_days_left": row.days_left,
        "written_feedback_issued_on": d.written_feedback_issued_on,
    }


@router.get(
    "/portfolio",
    response={200: PortfolioPage, **ERRORS},
    url_name="portfolio_list",
    operation_id="listPortfolio",
    summary="Every diagnostic, newest first, with its PCM, next key date and what is overdue",
    description="50 a page (`?page=2`); filters `stage`, `type` and `region`, as on the "
    "portfolio page. LGA staff and administrators only.",
)
def portfolio_list(request: HttpRequest, filters: Query[PortfolioFilters]) -> Any:
    """One page of the portfolio's rows, as the portfolio page lists them."""
    _refuse_unless_lga(caller(request))
    qs = portfolio_queryset(
        stage=filters.stage or "", type=filters.type or "", region=filters.region or ""
    )
    offset = (filters.page - 1) * PAGE_SIZE
    page = list(qs[offset : offset + PAGE_SIZE])
    today = timezone.localdate()
    # A title may name a young attendee: it leaves scrubbed, as in the portfolio's CSV file.
    redactors = redactors_by_reference(d.reference for d in page)
    return {
        "items": [_row(portfolio_row(d, today), redactors[d.reference]) for d in page],
        "count": qs.count(),
    }


def _number(text: str) -> float | None:
    """A figure from a chart's table ("4.2", or "None" where there is none)."""
    try:
        return float(text)
    except ValueError:
        return None


@router.get(
    "/portfolio/charts",
    response={200: ChartsOut, **ERRORS},
    url_name="portfolio_charts_data",
    operation_id="getPortfolioCharts",
    summary="The figures behind the portfolio's charts: diagnostics by stage, days to the "
    "written feedback, and the average evaluation scores",
)
def portfolio_charts_data(request: HttpRequest) -> Any:
    """The numbers the charts page draws and tabulates."""
    _refuse_unless_lga(caller(request))
    stages = stage_chart()
    times = feedback_times()
    scores = score_chart()
    on_time = sum(1 for _, ok in times if ok)
    return {
        "stages": [
            {"stage": s, "label": bar.label, "count": int(bar.value)}
            for s, bar in zip(CHART_STAGES, stages.bars, strict=True)
        ],
        "feedback_times": {
            "issued": len(times),
            "median_days": statistics.median(d for d, _ in times) if times else None,
            "within_a_month": on_time,
            "late": len(times) - on_time,
            "bins": [{"label": b.label, "count": b.count} for b in feedback_time_chart().bins],
        },
        # The table beneath the scores chart: question, average to one place, answers.
        "scores": [
            {
                "rating": name,
                "question": RATING_QUESTIONS[name],
                "average": _number(average),
                "answers": int(answers),
            }
            for name, (_, average, answers) in zip(RATINGS, scores.rows, strict=True)
        ],
    }
