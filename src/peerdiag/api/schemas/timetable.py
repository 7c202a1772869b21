"""Request and response shapes of the delivery-week timetable (api/timetable.py).

Times of day travel as "HH:MM" text (the week runs on whole minutes, in the council's local
time), dates as ISO dates. Text limits fit the columns of timetable/models.py; the domain has
its own, narrower rules (session lengths, days 1 to 5 for interviews), which come back as 400
naming the field.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from peerdiag.timetable.enums import Priority, SessionStatus, SessionType

from .common import (
    CODE_PATTERN,
    DAY1_PATTERN,
    VERSION_IN,
    VERSION_OUT,
    BodySchema,
    InputSchema,
    RequiredText,
    Text,
    _Documented,
    optional,
)

# A time of day on the week's grid, as the pages write it.
HHMM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
HHMM = Annotated[str, Field(pattern=HHMM_PATTERN, description="A time of day, 'HH:MM'")]
# A public code inside a body (a KLOE's, an attendee's, a team place's).
ItemCode = Annotated[str, Field(pattern=CODE_PATTERN)]
# Consent dates, like delivery dates, fall in 2000-2099 (the pattern tells fuzzers so).
ConsentDate = Annotated[Date, _Documented(DAY1_PATTERN)]
EARLIEST_DATE, LATEST_DATE = Date(2000, 1, 1), Date(2099, 12, 31)
SMALL = 32_767  # PositiveSmallIntegerField's ceiling: the domain's own limits are narrower
MAX_INT = 2_147_483_647
PLANNERS_ONLY = "Null unless you plan the week (as on the pages)"


# --- People in the week -------------------------------------------------------------------


class PeerBrief(Schema):
    code: str = Field(description="The team place's code")
    name: str
    role: str
    role_label: str


class AttendeeOut(Schema):
    """Someone from the council or its partners. A child or young person is a row like any
    other, marked by `young_person`, as on the attendees page."""

    code: str
    name: str
    job_title: str
    email: str
    group: str = Field(description="Stakeholder group")
    young_person: bool = Field(description="A child or young person (takes part with an adult)")


class WindowOut(Schema):
    day: int
    date: Date | None = Field(description="Empty while day 1 is not set")
    start: str = Field(description="'HH:MM'")
    end: str = Field(description="'HH:MM'")


class AttendeeAvailabilityOut(Schema):
    attendee: AttendeeOut
    all_week: bool = Field(description="True: free all week; false: free only in `windows`")
    windows: list[WindowOut] = Field(description="When they are free (empty when all week)")
    sessions: int = Field(description="How many sessions they are in")
    version: int = Field(description=VERSION_OUT + " (their details or availability)")


class PeerAvailabilityOut(Schema):
    peer: PeerBrief
    not_available: list[WindowOut] = Field(description="When the peer cannot take part")
    version: int = Field(description=VERSION_OUT + " (their team place)")


class AvailabilityOut(Schema):
    attendees: list[AttendeeAvailabilityOut] = Field(description="By group, then name")
    peers: list[PeerAvailabilityOut] = Field(description="The peers in the delivery week")


class WindowIn(BodySchema):
    day: int = Field(ge=1, le=5, description="Delivery day, 1 to 5")
    start: HHMM
    end: HHMM


class AvailabilityIn(BodySchema):
    """For an attendee: when they are free (or `all_week`). For a peer: when they are not
    available (empty, or `all_week`, clears them)."""

    version: int = Field(ge=1, le=MAX_INT, description=VERSION_IN)
    all_week: bool = False
    windows: list[WindowIn] = Field(default_factory=list, max_length=60)


# --- Sessions -----------------------------------------------------------------------------


class SessionFilters(InputSchema):
    include_cancelled: bool = Field(False, description="Also list cancelled sessions")


class SessionOut(Schema):
    code: str
    title: str
    type: SessionType
    type_label: str
    status: SessionStatus
    status_label: str
    priority: Priority
    minutes: int
    group: str = Field(description="Stakeholder group, if one")
    internal_only: bool = Field(description="Private to the peer team (never shown to the council)")
    placed: bool = Field(description="True when the draft gives it a day and start")
    day: int | None
    date: Date | None
    start: str | None = Field(description="'HH:MM' in the draft")
    end: str | None
    unscheduled_reason: str = Field(description="Why it is not placed, when it is not")
    peers: list[PeerBrief] = Field(description="The peers the draft puts in it")
    attendees_count: int
    version: int = Field(description=VERSION_OUT)


class SessionDetailOut(SessionOut):
    kloes: list[str] = Field(description="Codes of the lines of enquiry it covers")
    attendees: list[AttendeeOut]
    head_count: int | None
    peers_needed: int
    whole_team: bool
    required_peers: list[str] = Field(description="Team place codes of peers who must attend")
    allowed_days: list[int] = Field(description="Days it may be placed on; empty: any")
    fixed_day: int | None
    fixed_start: str | None
    presentation_minutes: int | None
    platform_link: str
    young_people: bool
    supporting_adult: str | None = Field(description=PLANNERS_ONLY)
    consent_recorded_on: Date | None = Field(description=PLANNERS_ONLY)
    consent_missing: bool = Field(description="Children or young people, and no consent yet")
    notes: str | None = Field(description=PLANNERS_ONLY)
    roles: list[str] = Field(description="Key people it hears from")
    earliest_start: str | None
    chair: str | None = Field(description="Team place code of who chairs it, if anyone")


class SessionChangedOut(SessionDetailOut):
    taken_out: bool = Field(
        description="True when the change took it out of the draft (generate again or place it)"
    )


class _SessionFields(BodySchema):
    minutes: int = optional(ge=0, le=SMALL, description="15 minutes to 8 hours, on the slot grid")
    priority: Priority = optional()
    group: Text = optional(max_length=120)
    kloes: list[ItemCode] = optional(max_length=100)
    attendees: list[ItemCode] = optional(max_length=500)
    head_count: int | None = optional(ge=0, le=SMALL)
    peers_needed: int | None = optional(ge=0, le=SMALL, description="Empty: the usual")
    whole_team: bool = optional()
    required_peers: list[ItemCode] = optional(max_length=50)
    allowed_days: list[int] = optional(max_length=7)
    fixed_day: int | None = optional(ge=1, le=7)
    fixed_start: HHMM | None = optional()
    internal_only: bool = optional(description="Only for the LGA and the peer team")
    presentation_minutes: int | None = optional(ge=0, le=SMALL)
    platform_link: Text = optional(max_length=500)
    young_people: bool = optional()
    supporting_adult: Text = optional(max_length=200)
    consent_recorded_on: ConsentDate | None = optional(ge=EARLIEST_DATE, le=LATEST_DATE)
    notes: Text = optional(max_length=10_000)
    roles: list[Annotated[str, Field(max_length=40)]] = optional(max_length=20)
    earliest_start: HHMM | None = optional()
    chair: ItemCode | None = optional(description="Team place code; empty: the usual")


class SessionCreate(_SessionFields):
    """A new session; fields left out take the page's defaults."""

    type: SessionType
    title: RequiredText = Field(max_length=200)


class SessionPatch(_SessionFields):
    """Send `version` and only the fields to change."""

    version: int = Field(ge=1, le=MAX_INT, description=VERSION_IN)
    type: SessionType = optional()
    title: RequiredText = optional(max_length=200)


class SessionRemovedOut(Schema):
    outcome: str = Field(
        description="'deleted', or 'cancelled' for a session people were told about (the next "
        "publish tells them)"
    )
    message: str


class SessionAttendeeIn(BodySchema):
    attendee: ItemCode = Field(description="The attendee's code")
    version: int = Field(ge=1, le=MAX_INT, description=VERSION_IN + " (the session's)")


# --- Published versions -------------------------------------------------------------------


class PublishedPeer(Schema):
    code: str
    name: str


class PublishedAttendee(Schema):
    code: str
    name: str
    group: str
    young_person: bool


class PublishedSessionOut(Schema):
    code: str
    title: str
    type: str
    type_label: str
    start: str = Field(description="'HH:MM'")
    end: str = Field(description="'HH:MM'")
    peers: list[PublishedPeer] = Field(description="Who from the peer team attends")
    attendees: list[PublishedAttendee]
    group: str
    chair: str | None = Field(description="Who chairs it (a name), if anyone")
    link: str = Field(description="The meeting link, if one was set")
    kloes: list[str]


class PublishedDayOut(Schema):
    day: int
    date: Date
    sessions: list[PublishedSessionOut] = Field(description="In time order")


class ChangeOut(Schema):
    kind: str = Field(description="'added', 'removed' or 'changed'")
    code: str
    title: str
    details: list[str]


class VersionSummaryOut(Schema):
    number: int
    published_at: datetime
    published_by: str | None
    note: str
    sessions: int = Field(description="How many sessions you can see in it")
    agreed_at: datetime | None = Field(description="When the council agreed this version")
    agreed_as: str = Field(description="'sponsor' or 'organiser', when agreed")


class VersionOut(VersionSummaryOut):
    previous: int | None = Field(description="The version before it, if any")
    changes: list[ChangeOut] = Field(description="Since the previous version")
    days: list[PublishedDayOut] = Field(description="Days with sessions you can see, in order")


class PublishIn(BodySchema):
    version: int = Field(
        ge=0,
        le=MAX_INT,
        description="The number of the latest published version you read (0 if none was). "
        "If someone has published since, nothing is published and the answer is 409",
    )
    note: Text = Field("", max_length=300)
    past_confirmed: bool = Field(
        False,
        description="Needed when new or changed sessions are in the past: they are published "
        "as a record, with no e-mails",
    )


class PastOut(Schema):
    code: str
    title: str
    when: str


class PublishPreviewOut(Schema):
    version: int = Field(description="The latest published version's number (0: none): send it")
    blockers: list[str] = Field(description="Why it cannot be published now (empty: it can)")
    changes: list[ChangeOut] = Field(description="What publishing would change")
    e_mails: int = Field(description="How many e-mails publishing would send")
    past: list[PastOut] = Field(
        description="New or changed sessions already in the past: confirm with `past_confirmed`"
    )


# --- Generate runs ------------------------------------------------------------------------


class RunIn(BodySchema):
    seconds: int = Field(20, ge=1, le=3_600, description="How long the scheduler may take, 5-120")


class RunOut(Schema):
    code: str = Field(description="The run's code: ask for its progress and result with it")
    state: str = Field(description="queued, running, done or failed")
    state_label: str
    percent: int = Field(description="How far through its time the run is, 0-100")
    seconds_left: int | None = Field(description="While running")
    best: str = Field(description="The best result so far")
    message: str
    log: list[str] = Field(description="The latest progress lines")
    started_by: str
    started_at: datetime | None
    finished_at: datetime | None


class DayShapeOut(Schema):
    day: int
    date: Date | None
    peer_minutes: int = Field(description="Session minutes times peers in them")


class LeftOutOut(Schema):
    code: str
    title: str
    reason: str


class ResultOut(Schema):
    run: str
    finished_at: datetime | None
    placed: int
    left_out: int
    sessions: list[SessionOut] = Field(description="The placed sessions in week order")
    unplaced: list[LeftOutOut] = Field(description="Sessions left out, with why")
    days: list[DayShapeOut] = Field(description="How much peer time each day takes")
    summary: str = Field(description="The busiest and quietest day, in words")
    publish_blockers: list[str] = Field(description="Why it could not be published now")
