"""Request and response shapes of the written feedback and the feedback files (api/reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Schema

from peerdiag.reports.enums import ExportKind, JobState, WrittenState

from .common import VERSION_IN, VERSION_OUT, BodySchema, RequiredText


class FileFormat(StrEnum):
    """The issued written feedback's files: a report in Word and PDF, or slides."""

    DOCX = "docx"
    PDF = "pdf"
    PPTX = "pptx"


class BuildKind(StrEnum):
    """What can be built for a diagnostic (the portfolio's CSV is built elsewhere)."""

    PRESENTATION = ExportKind.PRESENTATION.value
    REPORT_DOCX = ExportKind.REPORT_DOCX.value
    REPORT_PDF = ExportKind.REPORT_PDF.value


# --- Feedback files built in the background -----------------------------------------------


class FeedbackFileOut(Schema):
    code: str
    kind: str = Field(description="presentation, report_docx or report_pdf")
    kind_label: str
    filename: str
    state: JobState
    state_label: str
    progress: int = Field(description="Per cent done, 0 to 100")
    message: str = Field(description="What the build is doing now, or why it failed")
    ready: bool = Field(description="True when the file can be downloaded")
    requested_by: str | None = Field(description="Who asked for it; null for a system build")
    queued_at: datetime
    finished_at: datetime | None


class FeedbackFileIn(BodySchema):
    kind: BuildKind
    draft: bool = Field(
        False,
        description="A draft includes findings and recommendations not yet approved and says "
        "'Draft' on every page",
    )


# --- The written feedback ------------------------------------------------------------------


class StepOut(Schema):
    state: WrittenState
    label: str
    status: str = Field(description="done, current or todo")


class PartOut(Schema):
    key: str = Field(description="Send it as `paragraph_key` to comment on this part")
    kind: str = Field(description="section, strength, area or recommendation")
    label: str


class WrittenFeedbackOut(Schema):
    state: WrittenState
    state_label: str
    version: int = Field(description=VERSION_OUT + " (with the issue operation)")
    format: str | None = Field(description="report or slides, as chosen for the diagnostic")
    due_on: date | None = Field(description="One calendar month after the feedback meeting")
    days_left: int | None = Field(description="Calendar days until it is due; negative once late")
    steps: list[StepOut]
    submitted_at: datetime | None = Field(description="Sent for the PCM's check")
    pcm_checked_at: datetime | None
    sent_to_council_at: datetime | None
    council_returned_at: datetime | None = Field(
        description="When the council said its factual-accuracy check was finished"
    )
    issued_at: datetime | None
    draft_visible: bool = Field(
        description="Whether you may read the draft and the council's comments now (the "
        "council may from its factual-accuracy check on)"
    )
    unresolved_comments: int | None = Field(description="Null when the draft is not visible")
    parts: list[PartOut] = Field(
        description="The sections, findings and recommendations a comment may point at; empty "
        "when the draft is not visible"
    )
    files: list[FileFormat] = Field(description="The issued files you may download")


class CommentOut(Schema):
    code: str
    version: int = Field(description=VERSION_OUT)
    paragraph_key: str
    text: str
    author: str = Field(description="Who at the council wrote it")
    created_at: datetime
    response: str = Field(description="The peer challenge manager's reply")
    resolved: bool
    resolved_at: datetime | None


class CommentIn(BodySchema):
    paragraph_key: str = Field(
        max_length=60, description="The `key` of one of the written feedback's `parts`"
    )
    # The domain allows up to 5,000 characters once trimmed.
    text: RequiredText = Field(max_length=20_000)


class IssueIn(BodySchema):
    version: int = Field(ge=1, le=2_147_483_647, description=VERSION_IN)
