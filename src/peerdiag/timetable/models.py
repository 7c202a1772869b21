"""The delivery week: its settings, the council's attendees, sessions and published versions.

The working timetable (the draft) lives in the rows themselves: each Session holds its current
day, start and peers. Publishing freezes the draft into a TimetableVersion (problem, solution and a
readable snapshot), which is what invitations, calendar feeds and exports are made from.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import time

from django.conf import settings
from django.db import models

from peerdiag.common.models import CodedModel, TimeStampedModel, Versioned
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember
from peerdiag.directory.models import Person

from .enums import InvitationMethod, Priority, SessionStatus, SessionType


def _uid() -> str:
    return f"{uuid.uuid4().hex}@peerdiag"


def _token() -> str:
    return secrets.token_urlsafe(32)


# The week's default hours. Callables, not fixed times: Django's system check warns about a
# fixed time default when it runs within ten seconds of that time of day (fields.W161), which
# made `check --deploy --fail-level WARNING` fail at 09:00, 12:00, 14:00 and 17:30.
def default_day_start() -> time:
    return time(9, 0)


def default_day_end() -> time:
    return time(17, 30)


def default_lunch_earliest() -> time:
    return time(12, 0)


def default_lunch_latest() -> time:
    return time(14, 0)


class Timetable(TimeStampedModel, Versioned):
    """A diagnostic's week settings. Generate runs are Jobs (peerdiag.common.jobs), found through
    peerdiag.timetable.domain.runs."""

    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="timetable"
    )
    day_start = models.TimeField(default=default_day_start)
    day_end = models.TimeField(default=default_day_end)
    slot_minutes = models.PositiveSmallIntegerField(default=15)
    lunch_earliest = models.TimeField(default=default_lunch_earliest)
    lunch_latest = models.TimeField(default=default_lunch_latest)
    lunch_minutes = models.PositiveSmallIntegerField(default=30)
    peer_buffer_minutes = models.PositiveSmallIntegerField(default=15)
    max_sessions_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, default=6, help_text="Most sessions a peer sits in on one day"
    )

    def __str__(self) -> str:
        return f"Timetable of {self.diagnostic.reference}"


class Attendee(CodedModel, Versioned):
    """Someone from the council or its partners who takes part in delivery sessions."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    group = models.CharField("stakeholder group", max_length=120)
    young_person = models.BooleanField(
        "child or young person",
        default=False,
        help_text="Children and young people take part with a supporting adult and consent",
    )
    # False: available all week (the default); True: only inside the Availability windows.
    availability_given = models.BooleanField(default=False)

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """A window of one delivery day: when an attendee is free, or when a peer is not."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="+")
    attendee = models.ForeignKey(
        Attendee, null=True, blank=True, on_delete=models.CASCADE, related_name="windows"
    )
    member = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.PositiveSmallIntegerField(help_text="Delivery day, 1 to 7")
    start = models.TimeField()
    end = models.TimeField()
    available = models.BooleanField(
        help_text="True for a window when the attendee is free; False when someone is not"
    )

    class Meta:
        ordering = ["day", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendee__isnull=False) ^ models.Q(member__isnull=False),
                name="availability_one_owner",
            ),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="avail_end"),
        ]

    def __str__(self) -> str:
        return f"Day {self.day} {self.start:%H:%M}-{self.end:%H:%M}"


class Session(CodedModel, Versioned):
    """One meeting, interview or focus group of the delivery week, with its draft placement."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="sessions")
    type = models.CharField(max_length=30, choices=SessionType.choices)
    title = models.CharField(max_length=200)
    minutes = models.PositiveSmallIntegerField(default=60)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.SHOULD)
    group = models.CharField("stakeholder group", max_length=120, blank=True)
    kloes = models.ManyToManyField(Kloe, blank=True, related_name="sessions")
    attendees = models.ManyToManyField(Attendee, blank=True, related_name="sessions")
    head_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a group: how many people are expected"
    )
    peers_needed = models.PositiveSmallIntegerField(default=1)
    whole_team = models.BooleanField(
        default=False, help_text="Every peer in delivery attends (peers_needed is then ignored)"
    )
    required_peers = models.ManyToManyField(TeamMember, blank=True, related_name="+")
    restrict_peers = models.BooleanField(default=False)
    eligible_peers = models.ManyToManyField(TeamMember, blank=True, related_name="+")
    allowed_days = models.JSONField(default=list, blank=True, help_text="Day numbers; empty: any")
    fixed_day = models.PositiveSmallIntegerField(null=True, blank=True)
    fixed_start = models.TimeField(null=True, blank=True)
    internal_only = models.BooleanField(default=False)
    presentation_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overview only: the council's own presentation"
    )
    platform_link = models.URLField(max_length=500, blank=True)
    young_people = models.BooleanField("children or young people take part", default=False)
    supporting_adult = models.CharField(max_length=200, blank=True)
    consent_recorded_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.PROPOSED
    )
    # The draft placement.
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    start = models.TimeField(null=True, blank=True)
    peers = models.ManyToManyField(TeamMember, blank=True, related_name="+")
    unscheduled_reason = models.TextField(blank=True)
    # iCalendar identity: one UID for the life of the session, SEQUENCE rises with each change.
    uid = models.CharField(max_length=60, unique=True, default=_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # Attendance, recorded during delivery (held, moved or did not attend; counts per group).
    attendance_note = models.CharField(max_length=300, blank=True)
    attendance_at = models.DateTimeField(null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # --- Week defaults (issue 17: pairs, who must be heard, after school, the chair) ---------
    # Key people or groups the session hears from (keys of timetable/domain/must_hear.py).
    roles = models.JSONField(default=list, blank=True)
    # The session starts no earlier than this on any day (children and young people default to
    # after school); null: any time of the working day.
    earliest_start = models.TimeField(null=True, blank=True)
    # Who chairs a meeting (the lead peer chairs peer team meetings by default).
    chair = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # --- End of the week defaults -----------------------------------------------------------

    class Meta:
        ordering = ["day", "start", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def held(self) -> bool:
        return self.status == SessionStatus.HELD

    @property
    def placed(self) -> bool:
        return self.day is not None and self.start is not None

    @property
    def end(self) -> time | None:
        if self.start is None:
            return None
        total = self.start.hour * 60 + self.start.minute + self.minutes
        return time(total // 60 % 24, total % 60)


class TimetableVersion(models.Model):
    """A published timetable, frozen: the problem, the solution and a readable snapshot."""

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="timetable_versions"
    )
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    problem = models.JSONField()
    solution = models.JSONField()
    snapshot = models.JSONField(help_text="Sessions as people read them, for changes and exports")
    # The council's agreement of this version (the organiser or the sponsor).
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_as = models.CharField(max_length=20, blank=True, help_text="sponsor or organiser")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.diagnostic.reference} timetable version {self.number}"


class AttendanceCount(models.Model):
    """How many people from one stakeholder group came to a held session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="counts")
    group = models.CharField("stakeholder group", max_length=120)
    people = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["group"]
        constraints = [
            models.UniqueConstraint(fields=["session", "group"], name="one_count_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.people}"


class SentInvitation(models.Model):
    """What one recipient was last sent for one session (so changes go out as updates)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="sent")
    email = models.EmailField()
    name = models.CharField(max_length=200)
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=InvitationMethod.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.method} to {self.email}"


class CalendarFeed(models.Model):
    """A private iCalendar feed: whoever holds the token's URL sees that person's sessions."""

    token = models.CharField(max_length=64, unique=True, default=_token)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    attendee = models.OneToOneField(
        Attendee, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) ^ models.Q(attendee__isnull=False),
                name="feed_one_owner",
            )
        ]

    def __str__(self) -> str:
        return "Calendar feed"


# --- Week defaults (issue 17): a "who must be heard" warning the PCM has dismissed -----------


class MustHearDismissal(Versioned):
    """The PCM's decision that the week need not hear from one key role, with the reason.

    One row per diagnostic and role; restoring the warning keeps the row (dismissed False), so
    a later dismissal is a new version of it. Who and when: the Versioned fields.
    """

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="must_hear_dismissals"
    )
    role = models.CharField(max_length=40)
    dismissed = models.BooleanField(default=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "role"], name="one_dismissal_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.role} ({'dismissed' if self.dismissed else 'restored'})"
