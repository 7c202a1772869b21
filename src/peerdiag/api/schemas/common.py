"""Shapes shared by every area of the API: base classes, text types, errors and versions.

Field limits mirror the database columns, so anything a schema lets through can be stored on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

# Public codes (see common.models.new_code) and diagnostic references, as path parameters.
CODE_PATTERN = r"^[a-z0-9]{1,16}$"
REF_PATTERN = r"^[A-Za-z0-9-]{1,20}$"

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
