"""Request and response shapes of key documents (api/documents.py)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from peerdiag.documents.enums import Category, Classification

from .common import BodySchema, RequiredText, Text


class VersionOut(Schema):
    code: str
    version: int
    original_name: str
    size: int
    content_type: str
    classification: str
    sha256: str
    uploaded_at: datetime


class DocumentRequestOut(Schema):
    code: str
    version: int = Field(
        description="Send this back when you accept or return the document; it moves on with "
        "every change, including each new upload"
    )
    title: str
    category: str
    notes: str
    due_on: date | None
    status: str
    return_comment: str
    overdue: bool
    kloes: list[str]
    versions: list[VersionOut]


class DocumentRequestCreate(BodySchema):
    title: RequiredText = Field(max_length=200)
    category: Category = Category.OTHER
    due_on: date | None = None
    notes: Text = Field("", max_length=2000)
    kloes: list[str] = Field(default_factory=list, max_length=50)


VERSION_HELP = (
    "The request's `version` as you last read it; if it has changed since (another review, a "
    "new upload), the answer is 409 and nothing changes"
)


class AcceptIn(BodySchema):
    version: int = Field(ge=1, description=VERSION_HELP)


class ReturnIn(BodySchema):
    comment: RequiredText = Field(max_length=2000)
    version: int = Field(ge=1, description=VERSION_HELP)


class ReclassifyIn(BodySchema):
    classification: Classification
