"""Choices of the delivery-week timetable."""

from __future__ import annotations

from django.db import models


class SessionType(models.TextChoices):
    OVERVIEW = "overview", "Overview meeting"
    INTERVIEW = "interview", "Interview"
    FOCUS_GROUP = "focus_group", "Focus group"
    KIT = "kit_meeting", "Keeping-in-touch meeting"
    PEER_TEAM = "peer_team_meeting", "Peer team meeting"
    DRAFTING = "drafting", "Drawing the findings together"
    FEEDBACK = "feedback_meeting", "Feedback meeting"
    CASE_DISCUSSION = "case_review_discussion", "Case review discussion"
    PRACTITIONER = "practitioner_contact", "Practitioner contact"


# Sessions that hear from council people and so count towards covering a KLOE (R20).
HEARING_TYPES = frozenset({SessionType.INTERVIEW, SessionType.FOCUS_GROUP})
# Meetings that sit at a fixed time; the scheduler places everything else.
MEETING_TYPES = frozenset(
    {
        SessionType.OVERVIEW,
        SessionType.KIT,
        SessionType.PEER_TEAM,
        SessionType.DRAFTING,
        SessionType.FEEDBACK,
    }
)
# The council never sees these (peer team meetings and drafting are private to the team).
INTERNAL_TYPES = frozenset({SessionType.PEER_TEAM, SessionType.DRAFTING})


class Priority(models.TextChoices):
    MUST = "must", "Must happen"
    SHOULD = "should", "Should happen"
    COULD = "could", "Could happen"


class SessionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INVITED = "invited", "Invited"
    CONFIRMED = "confirmed", "Confirmed"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
    RESCHEDULED = "rescheduled", "Moved"
    NOT_ATTENDED = "not_attended", "Did not attend"


class JobState(models.TextChoices):
    IDLE = "idle", "Not started"
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Solving"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class InvitationMethod(models.TextChoices):
    REQUEST = "request", "Invitation"
    CANCEL = "cancel", "Cancellation"


# The council's presentation inside the day 1 overview may not run longer than this (decision 5).
PRESENTATION_CAP_MINUTES = 20
# Delivery days on which interviews and focus groups may be placed (decision 3).
HEARING_DAYS = (1, 2, 3, 4, 5)
DELIVERY_DAYS = 7
