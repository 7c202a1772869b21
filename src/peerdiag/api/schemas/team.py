"""Request and response shapes of the peer bench and the peer team (api/team.py, api/bench.py).

As everywhere in the API, every text limit fits the column it ends up in; where the domain has
its own, friendlier limit, the cap here only keeps absurd bodies out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from peerdiag.diagnostics.enums import AccessEvent, CouncilDecision, Stage, TeamRole
from peerdiag.directory.enums import Expertise, PeerRoleOffer, Region, Seniority
from peerdiag.directory.models import PeerProfile

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
from .diagnostics import OrganisationOut, PersonOut

# For a record made on its first save (a bench profile, the confidentiality decision), 0 stands
# for "there was none when I read it".
VERSION_IN_OR_NONE = VERSION_IN + ". Send 0 if there was none"

# Training dates, like delivery dates, fall in 2000-2099 (the pattern tells fuzzers so).
TrainingDate = Annotated[date, _Documented(DAY1_PATTERN)]
EARLIEST_TRAINING = date(2000, 1, 1)
LATEST_TRAINING = date(2099, 12, 31)


# --- The bench ----------------------------------------------------------------------------


class BenchFilters(InputSchema):
    text: Text = optional(
        max_length=200, description="Every word must appear in the name, job, council or summary"
    )
    role: PeerRoleOffer = optional(description="A role the peer offers")
    expertise: Expertise = optional()
    region: Region = optional(description="The region of the peer's council")
    include_inactive: bool = Field(False, description="Also list profiles marked inactive")


def _expertise(profile: PeerProfile) -> list[str]:
    # Prefetched by search_bench, so no query per profile.
    return [e.area for e in profile.expertise.all()]


class PeerSummaryOut(Schema):
    """One bench profile as the list shows it (read from a PeerProfile)."""

    person: PersonOut
    seniority: Seniority
    seniority_label: str
    roles: list[PeerRoleOffer]
    expertise: list[Expertise]
    trained_on: date | None
    active: bool
    places: int = Field(description="Peer teams the person has been on, any role, ever")

    @staticmethod
    def resolve_seniority_label(obj: PeerProfile) -> str:
        return str(Seniority(obj.seniority).label)

    @staticmethod
    def resolve_expertise(obj: PeerProfile) -> list[str]:
        return _expertise(obj)


class RecentWorkOut(Schema):
    council: OrganisationOut
    ended_on: date | None = Field(description="Empty while the work goes on")
    description: str


class PastPlaceOut(Schema):
    reference: str
    title: str
    host_council: OrganisationOut
    role: TeamRole
    role_label: str
    stage: Stage
    day1: date | None


class PeerProfileOut(PeerSummaryOut):
    summary: str = Field(description="The short profile the council sees")
    availability_notes: str
    recent_work: list[RecentWorkOut] = Field(
        description="Work declared for councils; it bars the peer from them for three years"
    )
    past_diagnostics: list[PastPlaceOut] = Field(description="Newest first")
    created_at: datetime
    updated_at: datetime
    version: int = Field(description=VERSION_OUT)

    @staticmethod
    def resolve_recent_work(obj: PeerProfile) -> Any:
        return obj.recent_work.select_related("council")

    @staticmethod
    def resolve_past_diagnostics(obj: PeerProfile) -> list[dict[str, Any]]:
        places = obj.person.team_places.select_related("diagnostic__host_council").order_by(
            "-diagnostic__created_at", "-pk"
        )
        return [
            {
                "reference": p.diagnostic.reference,
                "title": p.diagnostic.title,
                "host_council": p.diagnostic.host_council,
                "role": p.role,
                "role_label": str(TeamRole(p.role).label),
                "stage": p.diagnostic.stage,
                "day1": p.diagnostic.day1,
            }
            for p in places
        ]


class PeerProfileIn(BodySchema):
    """The whole profile: fields left out take their default, as for a new profile."""

    seniority: Seniority
    roles: list[PeerRoleOffer] = Field(max_length=10, description="At least one")
    expertise: list[Expertise] = Field(default_factory=list, max_length=50)
    summary: Text = Field("", max_length=5_000)
    trained_on: TrainingDate | None = Field(None, ge=EARLIEST_TRAINING, le=LATEST_TRAINING)
    availability_notes: Text = Field("", max_length=5_000)
    active: bool = True
    version: int = Field(ge=0, le=2_147_483_647, description=VERSION_IN_OR_NONE)


# --- The team -----------------------------------------------------------------------------


class ClearanceOut(Schema):
    cleared: bool = Field(description="May open sensitive documents (and, by role, case records)")
    missing: list[str] = Field(description="What stands in the way; empty when cleared")


class DeclarationOut(Schema):
    worked_for_host: bool = Field(description="Worked for the host council in the last 3 years")
    details: str
    declared_at: datetime


class TeamMemberOut(Schema):
    code: str
    role: TeamRole
    role_label: str
    person: PersonOut
    council_decision: CouncilDecision
    council_decision_label: str
    council_reason: str
    council_decided_at: datetime | None
    continues_to_delivery: bool = Field(description="A case auditor who stays on for delivery")
    declaration: DeclarationOut | None = Field(description="Null until the peer declares")
    briefing_acknowledged_version: int | None = Field(
        description="The newest briefing version this person acknowledged"
    )
    signed: bool = Field(description="Signed the current text of the confidentiality agreement")
    clearance: ClearanceOut
    version: int = Field(description="Of the team place. " + VERSION_OUT)


class TeamOut(Schema):
    briefing_version: int | None = Field(description="The latest briefing issued, if any")
    confidentiality_required: bool | None = Field(description="Null until the council decides")
    agreement_version: int | None = Field(description="The agreement text peers sign now")
    members: list[TeamMemberOut]


class TeamMemberCreate(BodySchema):
    person: str = Field(pattern=CODE_PATTERN, description="The person's public code")
    role: TeamRole


class TeamMemberPatch(BodySchema):
    version: int = Field(ge=1, le=2_147_483_647, description=VERSION_IN)
    continues_to_delivery: bool = optional(description="Case auditors only")


class SuggestionOut(Schema):
    person: PersonOut
    seniority: Seniority
    seniority_label: str
    expertise: list[Expertise]
    trained_on: date | None
    score: int = Field(description="Higher fits better; only the order means anything")
    reasons: list[str]
    warnings: list[str] = Field(description="Allowed but worth a second look (same region)")


class ProposedPeerOut(Schema):
    """What the host council sees of a proposed peer: the bench profile, not the team's
    internal records (declarations, clearances, availability)."""

    code: str = Field(description="The team place; the council's decision is made on it")
    role: TeamRole
    role_label: str
    person: PersonOut
    seniority: Seniority | None = Field(description="Null for someone not on the bench")
    seniority_label: str
    summary: str
    expertise: list[Expertise]
    council_decision: CouncilDecision
    council_decision_label: str
    council_reason: str
    council_decided_at: datetime | None
    version: int = Field(description="Of the team place. " + VERSION_OUT)


class DecisionIn(BodySchema):
    version: int = Field(ge=1, le=2_147_483_647, description=VERSION_IN)
    decision: Literal["approved", "objected"]
    reason: Text = Field("", max_length=2_000, description="Needed for an objection")


# --- A peer's own steps -------------------------------------------------------------------


class DeclarationIn(BodySchema):
    worked_for_host: bool
    details: Text = Field("", max_length=5_000, description="Needed when worked_for_host")


class AcknowledgementOut(Schema):
    briefing_version: int
    acknowledged_at: datetime
    clearance: ClearanceOut = Field(description="The caller's clearance after acknowledging")


class SignatureIn(BodySchema):
    typed_name: RequiredText = Field(max_length=200, description="Your full name, as on record")


class SignedOut(Schema):
    agreement_version: int
    typed_name: str
    signed_at: datetime
    clearance: ClearanceOut = Field(description="The caller's clearance after signing")


# --- Confidentiality and data access ------------------------------------------------------


class PersonBriefOut(Schema):
    code: str
    full_name: str


class SignatureOut(Schema):
    person: PersonBriefOut
    typed_name: str
    signed_at: datetime


class ConfidentialityOut(Schema):
    required: bool | None = Field(description="Null until the council decides")
    version: int | None = Field(
        description="The version peers sign now; null if none. Send it back (0 for null) to "
        "change the decision"
    )
    text: str
    signatures: list[SignatureOut] = Field(
        description="Signatures that count: on the current version's exact text"
    )


class ConfidentialityIn(BodySchema):
    version: int = Field(ge=0, le=2_147_483_647, description=VERSION_IN_OR_NONE)
    required: bool
    # The domain allows 50,000 characters once line endings are normalised.
    text: Text = Field("", max_length=100_000, description="Needed when required; else ignored")


class AccessRowOut(Schema):
    person: PersonBriefOut
    role: TeamRole
    cleared: bool
    missing: list[str]
    holds_access: bool = Field(description="The log's latest entry for them is a grant")


class AccessEventOut(Schema):
    person: PersonBriefOut
    event: AccessEvent
    reason: str
    at: datetime


class DataAccessOut(Schema):
    team: list[AccessRowOut]
    events: list[AccessEventOut] = Field(description="Grants and revocations, newest first")
