"""Request and response shapes of diagnostics, their key lines of enquiry, council roles and
stages (api/diagnostics.py). Field limits mirror the database columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Schema

# Key dates run up to a few months past day 1; past 2099 the date arithmetic would fall off
# the end of the calendar, and before 2000 no diagnostic ever ran.
from peerdiag.diagnostics.domain.diagnostics import EARLIEST_DAY1, LATEST_DAY1
from peerdiag.diagnostics.enums import (
    CouncilRoleKind,
    DiagnosticType,
    FeedbackFormat,
    Platform,
    Stage,
)
from peerdiag.directory.enums import OrganisationKind, Region

from .common import (
    CODE_PATTERN,
    VERSION_IN,
    VERSION_OUT,
    BlockerOut,
    BodySchema,
    Day1,
    InputSchema,
    RequiredText,
    Text,
    optional,
)

if TYPE_CHECKING:
    PlatformOrBlank = str
    FormatOrBlank = str
else:
    # One Literal rather than `Platform | Literal[""]`: a union would report a bad value
    # once per member, under locations that name pydantic internals instead of the field.
    PlatformOrBlank = Literal[("", *Platform.values)]
    FormatOrBlank = Literal[("", *FeedbackFormat.values)]


# --- Reading ------------------------------------------------------------------------------


class OrganisationOut(Schema):
    code: str
    name: str
    kind: OrganisationKind
    region: Region | Literal[""]


class DiagnosticSummary(Schema):
    reference: str
    title: str
    type: DiagnosticType
    type_label: str
    stage: Stage
    stage_label: str
    host_council: OrganisationOut
    day1: date | None
    stage_changed_at: datetime | None
    created_at: datetime


class KeyDateOut(Schema):
    key: str
    label: str
    start: date
    end: date | None = Field(description="Set when the key date is a window")
    note: str
    optional: bool = Field(description="Worth doing but not required, e.g. the team call")


class StageOption(Schema):
    stage: Stage
    label: str


class DiagnosticDetail(DiagnosticSummary):
    type_other: str
    focus_statement: str
    covid_theme: bool | None
    online_platform: Platform | Literal[""]
    online_platform_other: str
    case_review_in_scope: bool | None
    written_feedback_format: FeedbackFormat | Literal[""]
    suitability: str
    suitability_rationale: str
    written_feedback_issued_on: date | None
    key_dates: list[KeyDateOut]
    next_stages: list[StageOption]
    internal_notes: str = Field(
        default="",
        description="Only for LGA administrators and the peer team; absent for everyone else",
    )
    version: int = Field(description="Of the details and day 1. " + VERSION_OUT)


class DiagnosticUpdated(DiagnosticDetail):
    changed: list[str] = Field(description="The fields whose value changed")
    warnings: list[str] = Field(description="Allowed but unusual, e.g. day 1 is not a Monday")


class KloeOut(Schema):
    code: str
    order: int
    text: str
    theme: str
    version: int = Field(description=VERSION_OUT)


class PersonOut(Schema):
    code: str
    full_name: str
    job_title: str
    organisation: OrganisationOut


class CouncilRoleOut(Schema):
    code: str
    role: CouncilRoleKind
    role_label: str
    person: PersonOut
    version: int = Field(description=VERSION_OUT)

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(CouncilRoleKind(obj.role).label)


class GateOut(Schema):
    to_stage: Stage
    to_stage_label: str
    blockers: list[BlockerOut] = Field(description="Empty when the move is allowed")
    warnings: list[str]


class MeOut(Schema):
    email: str
    name: str
    organisation: OrganisationOut | None


# --- Writing ------------------------------------------------------------------------------


class DiagnosticFilters(InputSchema):
    stage: Stage = optional()
    type: DiagnosticType = optional()
    region: Region = optional(description="The host council's LGA region")


class DiagnosticCreate(BodySchema):
    host_council: str = Field(pattern=CODE_PATTERN, description="The council's public code")
    title: RequiredText = Field(max_length=200)
    type: DiagnosticType
    type_other: Text = Field("", max_length=200, description="Needed when type is 'other'")


class DiagnosticPatch(BodySchema):
    """Only the fields sent change; `version` is always needed."""

    version: int = Field(ge=1, le=2_147_483_647, description=VERSION_IN)

    title: RequiredText = optional(max_length=200)
    type: DiagnosticType = optional()
    type_other: Text = optional(max_length=200)
    focus_statement: Text = optional(max_length=20_000)
    covid_theme: bool | None = optional()
    online_platform: PlatformOrBlank = optional()
    online_platform_other: Text = optional(max_length=100)
    case_review_in_scope: bool | None = optional()
    written_feedback_format: FormatOrBlank = optional()
    internal_notes: Text = optional(max_length=20_000)
    day1: Day1 | None = optional(
        ge=EARLIEST_DAY1,
        le=LATEST_DAY1,
        description=(
            "Delivery day 1, a working day in 2000-2099; null clears it. A new day 1 before "
            "today is refused unless `already_held` is true and the caller is an LGA administrator"
        ),
    )
    already_held: bool | None = optional(
        description=(
            "Only with a day 1 in the past: an LGA administrator confirms the diagnostic has "
            "already taken place and is being recorded after the event"
        ),
    )


class KloeCreate(BodySchema):
    # The domain's own limit (1,000 characters after trimming) gives the friendlier message;
    # this cap only keeps absurd bodies out.
    text: RequiredText = Field(max_length=5_000)
    theme: Text = Field("", max_length=100)


class KloePatch(BodySchema):
    version: int = Field(ge=1, le=2_147_483_647, description=VERSION_IN)
    text: RequiredText = optional(max_length=5_000)
    theme: Text = optional(max_length=100)
    order: int = optional(ge=1, le=10_000, description="Move to this position (1 is first)")


class CouncilRoleCreate(BodySchema):
    person: str = Field(pattern=CODE_PATTERN, description="The person's public code")
    role: CouncilRoleKind
    replacing: str | None = Field(
        default=None,
        max_length=16,
        description=(
            "For a role only one person holds (sponsor, organiser...): the code of the holding "
            "you saw, or an empty string if nobody held it. If someone else was named since, "
            "nothing changes and the answer is 409. Leave it out to replace whoever holds it."
        ),
    )


class AdvanceIn(BodySchema):
    to_stage: Stage


class ReasonIn(BodySchema):
    reason: RequiredText = Field(max_length=1_000)
