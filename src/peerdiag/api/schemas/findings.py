"""Request and response shapes of evidence and findings (api/findings.py): evidence notes,
findings and their evidence, recommendations, the drafting board and KIT digests.

Text limits are those of the web forms and the domain (findings/domain/notes.py, the finding and
recommendation forms' 2,000 characters), so anything a schema lets through the pages would take
too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from peerdiag.findings.domain.notes import MAX_BODY, MAX_HEARD_FROM, MAX_TITLE
from peerdiag.findings.enums import FindingKind, Polarity, SourceType, Stance
from peerdiag.findings.models import EvidenceNote

from .common import (
    CODE_PATTERN,
    VERSION_IN,
    VERSION_OUT,
    BodySchema,
    FieldError,
    InputSchema,
    RequiredText,
    Text,
    optional,
)

# The web forms' limit on a finding's statement and a recommendation's text.
MAX_STATEMENT = 2000
MAX_CODES = 500
INT_MAX = 2_147_483_647

CodeList = list[str]


class Brief(Schema):
    """A person, by public code and name."""

    code: str
    full_name: str


# --- Evidence notes -------------------------------------------------------------------------


class NoteFilters(InputSchema):
    kloe: str = optional(pattern=CODE_PATTERN, description="Only notes on this KLOE (its code)")
    polarity: Polarity = optional()
    source: SourceType = optional(description="Only notes from this kind of source")


def _author(note: EvidenceNote) -> dict[str, str] | None:
    member = note.author
    if member is None:
        return None
    return {"code": member.person.code, "full_name": member.person.full_name}


class NoteSummary(Schema):
    code: str
    version: int = Field(
        description="The note's revision: goes up with every save, on the web page or here; "
        "send it back with a change"
    )
    source_type: str
    title: str
    heard_from: str = Field(description="Who spoke, by role or group, never by name")
    body: str
    polarity: str
    kloes: list[str] = Field(description="Codes of the KLOEs the note is about")
    session: str | None = Field(description="The code of the session it was taken in, if any")
    document: str | None = Field(description="The code of the key document it is about, if any")
    author: Brief | None = Field(description="The peer who wrote it (null: no longer on the team)")
    updated_at: datetime

    @staticmethod
    def resolve_version(obj: EvidenceNote) -> int:
        return obj.revision

    @staticmethod
    def resolve_kloes(obj: EvidenceNote) -> list[str]:
        return [k.code for k in obj.kloes.all()]

    @staticmethod
    def resolve_session(obj: EvidenceNote) -> str | None:
        return obj.session.code if obj.session_id and obj.session else None

    @staticmethod
    def resolve_document(obj: EvidenceNote) -> str | None:
        return obj.document.code if obj.document_id and obj.document else None

    @staticmethod
    def resolve_author(obj: EvidenceNote) -> dict[str, str] | None:
        return _author(obj)


class QuoteOut(Schema):
    text: str
    group: str = Field(description="The role group that said it (never a name)")
    group_size: int
    small_group: bool = Field(description="Fewer than three people: could point to one person")
    usable: bool = Field(
        description="May appear in outputs: a big enough group, or the PCM allowed it"
    )
    override_reason: str


class NoteDetail(NoteSummary):
    quotes: list[QuoteOut]
    findings: int = Field(description="How many findings this note is linked to")

    @staticmethod
    def resolve_quotes(obj: EvidenceNote) -> list[Any]:
        return list(obj.quotes.all())

    @staticmethod
    def resolve_findings(obj: EvidenceNote) -> int:
        return obj.links.count()


class NoteCreate(BodySchema):
    source_type: SourceType
    title: RequiredText = Field(max_length=MAX_TITLE)
    body: Text = Field("", max_length=MAX_BODY)
    heard_from: Text = Field(
        "", max_length=MAX_HEARD_FROM, description="Who spoke, by role or group, never by name"
    )
    polarity: Polarity = Polarity.NEUTRAL
    kloes: CodeList = Field(default_factory=list, max_length=50, description="KLOE codes")
    document: str | None = Field(
        None, pattern=CODE_PATTERN, description="A key document of this diagnostic (its code)"
    )


class NotePatch(BodySchema):
    version: int = Field(ge=0, le=INT_MAX, description=VERSION_IN)
    body: Text = optional(max_length=MAX_BODY)
    heard_from: Text = optional(max_length=MAX_HEARD_FROM)
    polarity: Polarity = optional()
    kloes: CodeList = optional(max_length=50, description="The KLOE codes, replacing the old")


# --- Findings -------------------------------------------------------------------------------


class CorroborationOut(Schema):
    strength: str = Field(description="'none', 'thin' or 'corroborated'")
    source_types: list[str]
    sessions: int
    voices: int
    supporting: int
    contradicting: int
    warnings: list[str]


class EvidenceLink(Schema):
    note: str = Field(description="The note's code")
    title: str
    source_type: str
    stance: str


class FindingOut(Schema):
    code: str
    version: int = Field(description=VERSION_OUT)
    kind: str
    statement: str
    kloe: str | None = Field(description="The KLOE's code, if one is chosen")
    order: int
    approved_at: datetime | None
    approved_by: str | None = Field(description="Who approved it (the lead peer or the PCM)")
    supporting_notes: list[str] = Field(description="Codes of the notes that support it")
    contradicting_notes: list[str] = Field(
        description="Codes of the notes that point the other way"
    )
    corroboration: CorroborationOut


class FindingDetail(FindingOut):
    evidence: list[EvidenceLink]
    recommendations: list[str] = Field(description="Codes of the recommendations that follow")


class FindingCreate(BodySchema):
    kind: FindingKind
    statement: RequiredText = Field(max_length=MAX_STATEMENT)
    kloe: str | None = Field(None, pattern=CODE_PATTERN, description="A KLOE's code")
    evidence: CodeList = Field(
        default_factory=list, max_length=MAX_CODES, description="Codes of supporting notes"
    )


class FindingPatch(BodySchema):
    version: int = Field(ge=1, le=INT_MAX, description=VERSION_IN)
    kind: FindingKind = optional()
    statement: RequiredText = optional(max_length=MAX_STATEMENT)
    kloe: str = optional(
        pattern=r"^[a-z0-9]{0,16}$", description="A KLOE's code; an empty string for none"
    )


class LinkIn(BodySchema):
    note: str = Field(pattern=CODE_PATTERN, description="The note's code")
    stance: Stance = Stance.SUPPORTS


# --- Recommendations ------------------------------------------------------------------------


class RecommendationOut(Schema):
    code: str
    version: int = Field(description=VERSION_OUT)
    text: str
    findings: list[str] = Field(description="Codes of the findings it follows from")
    order: int
    approved_at: datetime | None
    approved_by: str | None


class RecommendationCreate(BodySchema):
    text: RequiredText = Field(max_length=MAX_STATEMENT)
    findings: CodeList = Field(
        min_length=1, max_length=MAX_CODES, description="Codes of the findings it follows from"
    )


class RecommendationPatch(BodySchema):
    version: int = Field(ge=1, le=INT_MAX, description=VERSION_IN)
    text: RequiredText = optional(max_length=MAX_STATEMENT)
    findings: CodeList = optional(
        min_length=1, max_length=MAX_CODES, description="The finding codes, replacing the old"
    )


# --- The drafting board ---------------------------------------------------------------------


class BoardQuote(Schema):
    text: str
    group: str
    group_size: int


class BoardItem(Schema):
    code: str
    version: int = Field(description="Send it back to approve, withdraw or move the item")
    position: int = Field(description="1 is the top of its section")
    text: str = Field(description="The finding's statement or the recommendation's words")
    kloe: str | None
    approved_at: datetime | None
    approved_by: str | None
    approvable: bool = Field(
        description="Whether it stands on something (a finding on supporting evidence, a "
        "recommendation on a finding) and so may be approved"
    )
    corroboration: CorroborationOut | None = Field(description="Findings only")
    quotes: list[BoardQuote] = Field(description="Usable quotes of the supporting notes")
    withheld_quotes: int = Field(description="Quotes kept out under the small-group rule")
    findings: list[str] = Field(description="Recommendations only: the findings it follows from")


class BoardOut(Schema):
    strengths: list[BoardItem]
    areas: list[BoardItem]
    recommendations: list[BoardItem]
    approved: int
    items: int
    ready: bool = Field(description="True when the findings gate has nothing left to ask")
    readiness: list[str] = Field(description="What the drafting to feedback gate still needs")
    fingerprint: str = Field(description="Send it back to approve the whole board")


class ItemVersionIn(BodySchema):
    version: int = Field(ge=1, le=INT_MAX, description=VERSION_IN)


class MoveIn(BodySchema):
    version: int = Field(ge=1, le=INT_MAX, description=VERSION_IN)
    direction: Literal["up", "down"]


class MovedOut(Schema):
    moved: bool = Field(description="False when it was already at that end of its section")
    board: BoardOut


class ApproveAllIn(BodySchema):
    fingerprint: Text = Field(
        max_length=100_000, description="The board's `fingerprint` as you read it"
    )


class ApprovedAllOut(Schema):
    newly_approved: int
    board: BoardOut


class BoardNotReadyOut(Schema):
    """400: nothing was approved; `blocking` lists each item that cannot be approved yet."""

    detail: list[FieldError]
    blocking: list[str] = Field(default_factory=list)


class BoardChangedOut(Schema):
    """409: the board changed after you read it; nothing was approved. `changes` says who
    changed what."""

    detail: list[FieldError]
    changes: list[str]


# --- KIT digests ----------------------------------------------------------------------------


class DigestItemOut(Schema):
    text: str
    shared: bool
    order: int


class DigestSummary(Schema):
    code: str
    shared_at: datetime | None = Field(description="When it was shared with the sponsor")
    items: int = Field(description="Items you can see")
    shared_items: int


class DigestDetail(Schema):
    code: str
    shared_at: datetime | None
    sponsor_response: str = Field(description="Only once shared")
    items: list[DigestItemOut] = Field(description="The council sees only the shared items")
    version: int | None = Field(description="The team only")
    created_at: datetime | None = Field(description="The team only")
    since: datetime | None = Field(description="The team only: what it covers starts here")
    meeting: str | None = Field(description="The team only: the KIT meeting's title")
    previews_final_messages: bool | None = Field(description="The team only, once shared")
