"""Request and response shapes. Field limits mirror the database columns, so anything a
schema lets through can be stored on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from peerdiag.diagnostics.enums import (
    CouncilRoleKind,
    DiagnosticType,
    FeedbackFormat,
    Platform,
    Stage,
)
from peerdiag.directory.enums import OrganisationKind, Region

# Public codes (see common.models.new_code) and diagnostic references, as path parameters.
CODE_PATTERN = r"^[a-z0-9]{1,16}$"
REF_PATTERN = r"^[A-Za-z0-9-]{1,20}$"

# Key dates run up to a few months past day 1; past 2099 the date arithmetic would fall off
# the end of the calendar, and before 2000 no diagnostic ever ran.
from peerdiag.diagnostics.domain.diagnostics import EARLIEST_DAY1, LATEST_DAY1  # noqa: E402

# NUL and lone surrogates: PostgreSQL and the SQLite driver refuse them, so they are turned
# away here with a 422 instead of a 500. (pydantic already refuses a lone surrogate in a str
# field; the check stays in case that changes.) The OpenAPI document shows the NUL rule as a
# pattern, so that fuzzers do not send it as valid input.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NO_NUL = r"^[^\x00]*$"
# Required text that the domain trims: it must hold something besides spaces.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
DAY1_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise ValueError("This text holds a character that cannot be stored (such as NUL)")
    return value


class _Documented:
    """Adds a `pattern` to a field's JSON schema without pydantic enforcing it: the validators
    do that, with messages a person can act on."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


Text = Annotated[str, AfterValidator(_storable), _Documented(NO_NUL)]
RequiredText = Annotated[str, AfterValidator(_storable), _Documented(NOT_BLANK)]
Day1 = Annotated[date, _Documented(DAY1_PATTERN)]

if TYPE_CHECKING:
    PlatformOrBlank = str
    FormatOrBlank = str
else:
    # One Literal rather than `Platform | Literal[""]`: a union would report a bad value
    # once per member, under locations that name pydantic internals instead of the field.
    PlatformOrBlank = Literal[("", *Platform.values)]
    FormatOrBlank = Literal[("", *FeedbackFormat.values)]


class InputSchema(Schema):
    """Base of every request body and query string: enum values arrive as plain strings."""

    model_config = ConfigDict(use_enum_values=True)


class BodySchema(InputSchema):
    """A request body: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**constraints: Any) -> Any:
    """A field that may be left out (a PATCH field left out keeps its value; a filter left
    out does not filter).

    The None default is never validated, so `null` is refused unless the field's type allows
    it; it is also kept out of the OpenAPI document, where it would contradict the type.
    """
    return Field(default=None, json_schema_extra=_drop_default, **constraints)


# --- Errors -------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="The input at fault, as a dotted path: 'title', 'page'")
    message: str


class FieldErrors(Schema):
    detail: list[FieldError]


class Message(Schema):
    detail: str


# What a read answers and an edit sends back (see "Versions" in docs/api.md).
VERSION_OUT = "Goes up by one with every saved change; send it back with an edit"
VERSION_IN = (
    "The `version` you last read. If someone has saved since, nothing changes and the answer "
    "is 409 with the current version"
)


class StaleVersion(Schema):
    """409: someone saved the object after the version you sent. Nothing was changed; fetch it
    again, reapply your change and send the new version."""

    detail: list[FieldError]
    current_version: int
    changed_by: str
    changed_at: datetime | None = None


class BlockerOut(Schema):
    code: str
    message: str
    fix: str = Field(description="The part of the diagnostic where this is put right")
    unavailable: bool = Field(description="True when the check belongs to an unbuilt capability")


class GateRefused(Schema):
    detail: list[FieldError]
    blockers: list[BlockerOut]


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
