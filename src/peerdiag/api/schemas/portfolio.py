"""Request and response shapes of the LGA's portfolio (api/portfolio.py): every diagnostic with
what is due or overdue, and the figures behind the portfolio's charts."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from peerdiag.diagnostics.enums import DiagnosticType, Stage
from peerdiag.directory.enums import Region

from .common import InputSchema, optional


class PortfolioFilters(InputSchema):
    stage: Stage = optional()
    type: DiagnosticType = optional()
    region: Region = optional(description="The host council's LGA region")
    page: int = Field(1, ge=1, le=100_000, description="50 diagnostics a page")


class CouncilOut(Schema):
    code: str
    name: str
    region: str
    region_label: str


class KeyDateOut(Schema):
    key: str
    label: str
    start: date
    end: date | None = Field(description="Set for a window of days")


class PortfolioRowOut(Schema):
    reference: str
    title: str
    type: str
    type_label: str
    host_council: CouncilOut
    stage: Stage
    stage_label: str
    pcm: str = Field(description="The peer challenge manager's name; empty when none is named")
    day1: date | None
    next_key_date: KeyDateOut | None = Field(description="The next date ahead, if any")
    overdue: list[str] = Field(description="What is overdue, in words, as the page lists it")
    written_feedback_due_on: date | None
    written_feedback_days_left: int | None = Field(
        description="Days left until the written feedback is due (negative once late), once "
        "delivery is over and until it is issued; null otherwise"
    )
    written_feedback_issued_on: date | None


class PortfolioPage(Schema):
    items: list[PortfolioRowOut]
    count: int = Field(description="How many diagnostics match, on every page")


class StageCountOut(Schema):
    stage: Stage
    label: str
    count: int


class BinOut(Schema):
    label: str = Field(description="A range of days, such as '7–13' or '49 or more'")
    count: int


class FeedbackTimesOut(Schema):
    issued: int = Field(description="Diagnostics whose written feedback is issued")
    median_days: float | None = Field(
        description="Median days from the feedback meeting (day 7) to the written feedback"
    )
    within_a_month: int
    late: int
    bins: list[BinOut]


class ScoreOut(Schema):
    rating: str = Field(description="usefulness, accuracy, team_quality or impact")
    question: str
    average: float | None = Field(description="Out of 5, to one decimal place")
    answers: int


class ChartsOut(Schema):
    stages: list[StageCountOut] = Field(description="Diagnostics at each stage, zeros included")
    feedback_times: FeedbackTimesOut
    scores: list[ScoreOut] = Field(description="The average of each evaluation rating")
