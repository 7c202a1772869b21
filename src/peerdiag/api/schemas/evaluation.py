"""Request and response shapes of the evaluation (api/evaluation.py): the surveys sent, their
answers and the LGA's outcome. A survey's token (the key in its link) is never among them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from .common import DAY1_PATTERN, VERSION_OUT, BodySchema, RequiredText, _Documented

# Dates of the evaluation fall in 2000-2099 (the pattern tells fuzzers so; the domain refuses
# a date in the future or before the written feedback was issued).
EvaluationDate = Annotated[date, _Documented(DAY1_PATTERN)]


class RespondentOut(Schema):
    code: str
    full_name: str


class SurveyOut(Schema):
    code: str
    role: str = Field(description="sponsor, organiser, or both when one person holds both roles")
    role_label: str
    respondent: RespondentOut
    sent_at: datetime | None
    completed_at: datetime | None = Field(description="When it was answered; null until then")


class WaitingOut(Schema):
    role: str
    role_label: str
    person: RespondentOut


class SurveysOut(Schema):
    due_on: date | None = Field(
        description="When the surveys go out: ten working days after the written feedback is "
        "issued; null until it is"
    )
    surveys: list[SurveyOut]
    waiting: list[WaitingOut] = Field(description="The sponsor or organiser who has no survey yet")


class AverageOut(Schema):
    rating: str = Field(description="usefulness, accuracy, team_quality or impact")
    question: str
    average: float | None = Field(description="Out of 5; null when nobody has answered")
    count: int


class RatingsOut(Schema):
    usefulness: int | None
    accuracy: int | None
    team_quality: int | None
    impact: int | None


class AnswerOut(Schema):
    code: str = Field(description="The survey's code, as in the list of surveys")
    role: str
    role_label: str
    respondent: RespondentOut
    completed_at: datetime
    ratings: RatingsOut = Field(description="Each from 1 (very poor) to 5 (very good)")
    comments: str
    further_support: bool | None = Field(description="Whether further support was asked for")
    further_support_what: str


class ResultsOut(Schema):
    answered: int
    averages: list[AverageOut]
    support_requested: int = Field(description="How many answers asked for further support")
    answers: list[AnswerOut]


class OutcomeOut(Schema):
    recorded: bool
    version: int = Field(description=VERSION_OUT + "; 0 while no outcome is recorded")
    contacted_on: date | None
    further_support: str
    decided_at: datetime | None
    decided_by: str | None


class OutcomeIn(BodySchema):
    version: int = Field(
        ge=0,
        le=2_147_483_647,
        description="The outcome's `version` as you last read it (0 when none was recorded). "
        "If someone has saved since, nothing changes and the answer is 409",
    )
    contacted_on: EvaluationDate = Field(description="When the LGA contacted the council")
    # The domain allows 5,000 characters once trimmed.
    further_support: RequiredText = Field(
        max_length=20_000, description="What further support was agreed, or why none is needed"
    )
