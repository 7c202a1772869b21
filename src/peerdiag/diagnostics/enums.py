"""Choices and the stage transition table of a diagnostic."""

from __future__ import annotations

from django.db import models


class DiagnosticType(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEND = "send", "SEND"
    EARLY_YEARS = "early_years", "Early years"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    OTHER = "other", "Other"


class Platform(models.TextChoices):
    TEAMS = "teams", "Microsoft Teams"
    ZOOM = "zoom", "Zoom"
    OTHER = "other", "Other"


class FeedbackFormat(models.TextChoices):
    REPORT = "report", "Report"
    SLIDES = "slides", "Slides"


class Suitability(models.TextChoices):
    SUITABLE = "suitable", "Suitable: a diagnostic is the right tool"
    NOT_SUITABLE = "not_suitable", "Not suitable: signpost to other LGA support"


class CouncilRoleKind(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor"
    ORGANISER = "organiser", "Organiser"
    LEAD_MEMBER = "lead_member", "Lead member"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"
    PARTNER_REP = "partner_rep", "Partner representative"


# Roles a diagnostic holds at most one of; partner representatives can be many.
SINGLE_COUNCIL_ROLES = frozenset(
    {
        CouncilRoleKind.SPONSOR,
        CouncilRoleKind.ORGANISER,
        CouncilRoleKind.LEAD_MEMBER,
        CouncilRoleKind.CHIEF_EXECUTIVE,
    }
)


class EndorserRole(models.TextChoices):
    LEAD_MEMBER = "lead_member", "Lead member"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"


class EndorsementStatus(models.TextChoices):
    PENDING = "pending", "Asked for, not yet given"
    GIVEN = "given", "Given"


class TeamRole(models.TextChoices):
    LEAD_PEER = "lead_peer", "Lead peer"
    OPERATIONAL_MANAGER = "operational_manager", "Operational manager"
    CASE_AUDITOR = "case_auditor", "Case auditor"
    PEER_CHALLENGE_MANAGER = "peer_challenge_manager", "Peer challenge manager"


class CouncilDecision(models.TextChoices):
    PENDING = "pending", "Waiting for the council"
    APPROVED = "approved", "Approved by the council"
    OBJECTED = "objected", "The council objected"


class AccessEvent(models.TextChoices):
    GRANTED = "granted", "Access granted"
    REVOKED = "revoked", "Access revoked"


class Stage(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry"
    SCOPING_SCHEDULED = "scoping_scheduled", "Scoping meeting booked"
    SCOPED = "scoped", "Scoped"
    TEAM_FORMING = "team_forming", "Team forming"
    PREPARATION = "preparation", "Preparation"
    CASE_REVIEW = "case_review", "Case record review"
    READY = "ready", "Ready for delivery"
    DELIVERY = "delivery", "Delivery"
    DRAFTING = "drafting", "Drafting"
    FEEDBACK_GIVEN = "feedback_given", "Feedback given"
    WRITTEN_FEEDBACK_ISSUED = "written_feedback_issued", "Written feedback issued"
    EVALUATION = "evaluation", "Evaluation"
    CLOSED = "closed", "Closed"
    CLOSED_NOT_SUITABLE = "closed_not_suitable", "Closed: not suitable"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


# The main line, in order. Case review is skipped when it is not in scope.
MAIN_LINE: tuple[Stage, ...] = (
    Stage.ENQUIRY,
    Stage.SCOPING_SCHEDULED,
    Stage.SCOPED,
    Stage.TEAM_FORMING,
    Stage.PREPARATION,
    Stage.CASE_REVIEW,
    Stage.READY,
    Stage.DELIVERY,
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
    Stage.CLOSED,
)

ENDED = frozenset({Stage.CLOSED, Stage.CLOSED_NOT_SUITABLE, Stage.CANCELLED})
OPEN_STAGES = frozenset(s for s in Stage if s not in ENDED)

# Forward moves along the workflow; each has a gate in domain/gates.py.
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.ENQUIRY: (Stage.SCOPING_SCHEDULED,),
    Stage.SCOPING_SCHEDULED: (Stage.SCOPED,),
    Stage.SCOPED: (Stage.TEAM_FORMING, Stage.CLOSED_NOT_SUITABLE),
    Stage.TEAM_FORMING: (Stage.PREPARATION,),
    Stage.PREPARATION: (Stage.CASE_REVIEW, Stage.READY),
    Stage.CASE_REVIEW: (Stage.READY,),
    Stage.READY: (Stage.DELIVERY,),
    Stage.DELIVERY: (Stage.DRAFTING,),
    Stage.DRAFTING: (Stage.FEEDBACK_GIVEN,),
    Stage.FEEDBACK_GIVEN: (Stage.WRITTEN_FEEDBACK_ISSUED,),
    Stage.WRITTEN_FEEDBACK_ISSUED: (Stage.EVALUATION,),
    Stage.EVALUATION: (Stage.CLOSED,),
}

# Stages where the KLOEs may still change (delivery fixes them).
KLOES_EDITABLE = frozenset(
    {
        Stage.ENQUIRY,
        Stage.SCOPING_SCHEDULED,
        Stage.SCOPED,
        Stage.TEAM_FORMING,
        Stage.PREPARATION,
        Stage.CASE_REVIEW,
        Stage.READY,
        Stage.POSTPONED,
    }
)
