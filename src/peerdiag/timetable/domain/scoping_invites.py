"""The scoping meeting's online link and its calendar invitations (issue 17).

The scoping record lives in the diagnostics app, which may not import the timetable; the link is
checked like a delivery session's (sessions.check_platform_link) and the invitation is an .ics
made with the timetable's calendar code (ics), so both live here, above the diagnostics app.

The invitation goes to the sponsor, the organiser, the peer challenge manager and the lead peer
(those with an e-mail address). The PCM is the ORGANIZER, as for delivery sessions. Each send
moves the meeting's SEQUENCE on, so a second send updates the event already in calendars rather
than adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone
from icalendar import Event, vCalAddress
from icalendar.enums import STATUS

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import Diagnostic, ScopingMeeting

from . import ics
from .invitations import organiser, reply_to
from .outbound import redactor_for
from .sessions import check_platform_link

MIN_MINUTES, MAX_MINUTES = 15, 240


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str
    role: str


def _meeting(diagnostic: Diagnostic) -> ScopingMeeting:
    meeting = ScopingMeeting.objects.filter(diagnostic=diagnostic).first()
    if meeting is None:
        raise DomainError("Book the scoping meeting first", field="scheduled_for")
    return meeting


def set_scoping_link(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    link: str,
    duration_minutes: int,
    version: int | None,
) -> ScopingMeeting:
    """Record (or, with an empty link, remove) the scoping meeting's online link and its length.

    Refused unless the link is one of the diagnostic's online platform (any https link when none
    is chosen yet), and with StaleEdit (nothing saved) when someone changed the scoping record
    after `version`. Side effects: audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="link")
    link = link.strip()
    if link:
        problem = check_platform_link(diagnostic.online_platform, link)
        if problem:
            raise DomainError(problem, field="link")
    if len(link) > 500:
        raise DomainError("Keep the meeting link under 500 characters", field="link")
    if not MIN_MINUTES <= duration_minutes <= MAX_MINUTES:
        raise DomainError(
            f"The meeting lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes",
            field="duration_minutes",
        )
    with transaction.atomic():
        meeting = _meeting(diagnostic)
        claim(meeting, version=version, by=by, noun="the scoping record")
        before = audit.snapshot(meeting, ["meeting_link", "duration_minutes"])
        meeting.meeting_link, meeting.duration_minutes = link, duration_minutes
        diff = audit.diff(before, audit.snapshot(meeting, ["meeting_link", "duration_minutes"]))
        meeting.save(
            update_fields=with_version_fields(["meeting_link", "duration_minutes", "updated_at"])
        )
        if diff:
            audit.record(
                diagnostic,
                by=by,
                action="scoping",
                summary="Changed the scoping meeting's link"
                if link
                else "Removed the scoping meeting's link",
                changes=diff,
            )
    return meeting


def invitees(diagnostic: Diagnostic) -> list[Invitee]:
    """Who is invited: the sponsor and organiser, then the PCM and lead peer, each once."""
    out: dict[str, Invitee] = {}
    for role in (
        diagnostic.council_roles.filter(
            role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
        )
        .select_related("person")
        .order_by("-role")
    ):
        email = role.person.email.strip().lower()
        if email and email not in out:
            out[email] = Invitee(role.person.full_name, email, role.get_role_display())
    for m in (
        diagnostic.team.filter(role__in=[TeamRole.PEER_CHALLENGE_MANAGER, TeamRole.LEAD_PEER])
        .select_related("person")
        .order_by("-role")
    ):
        email = m.person.email.strip().lower()
        if email and email not in out:
            out[email] = Invitee(m.person.full_name, email, m.get_role_display())
    return list(out.values())


def _event(
    diagnostic: Diagnostic,
    meeting: ScopingMeeting,
    *,
    people: list[Invitee],
    sequence: int,
    title: str,
    stamp: datetime,
) -> Event:
    start = timezone.localtime(meeting.scheduled_for, ics.LONDON)  # type: ignore[arg-type]
    end = start + timedelta(minutes=meeting.duration_minutes)
    lines = [f"Online scoping meeting for {diagnostic.reference}, {title}"]
    if meeting.meeting_link:
        lines.append(f"Join online: {meeting.meeting_link}")
    org = organiser(diagnostic)
    ev = Event.new(
        uid=f"scoping-{diagnostic.reference.lower()}@peerdiag",
        sequence=sequence,
        summary=f"Scoping meeting: {diagnostic.reference}",
        stamp=stamp,
        description="\n".join(lines),
        status=STATUS.CONFIRMED,
        organizer=vCalAddress.new(org["email"], cn=org.get("name") or None),
        attendees=[
            vCalAddress.new(
                p.email, cn=p.name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False
            )
            for p in people
        ]
        or None,
        location=meeting.meeting_link or None,
        url=meeting.meeting_link or None,
    )
    ev.start, ev.end = start, end
    return ev


def _body(diagnostic: Diagnostic, meeting: ScopingMeeting, who: Invitee, title: str) -> str:
    start = timezone.localtime(meeting.scheduled_for, ics.LONDON)  # type: ignore[arg-type]
    lines = [
        f"Hello {who.name or who.email},",
        "",
        f"You are invited to the online scoping meeting of the peer diagnostic {title} "
        f"({diagnostic.reference}) on {start:%A} {start.day} {start:%B %Y} at {start:%H:%M} "
        f"(UK time), for {meeting.duration_minutes} minutes.",
        "",
    ]
    if meeting.meeting_link:
        lines += [f"Join online: {meeting.meeting_link}", ""]
    lines += [
        "The meeting agrees whether a diagnostic is right for the council, its focus, the key "
        "lines of enquiry and what the peer team needs.",
        "",
        "The attached calendar file adds the meeting to your calendar (or updates it, if you "
        "had an earlier invitation).",
    ]
    return "\n".join(lines) + "\n"


def send_scoping_invitations(
    diagnostic: Diagnostic, *, by: User | None, version: int | None
) -> list[Invitee]:
    """E-mail the scoping meeting's invitation (.ics) to the sponsor, organiser, PCM and lead
    peer. Returns who was invited.

    Refused when the meeting has no date and time, when it is already held, when nobody has an
    e-mail address, and with StaleEdit (nothing sent) when the scoping record changed after
    `version` (a second press of the button is refused the same way). Side effects: the
    meeting's invitation sequence and time sent; audit entry; the e-mails, sent once the
    transaction commits.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="version")
    with transaction.atomic():
        meeting = _meeting(diagnostic)
        if meeting.scheduled_for is None:
            raise DomainError("Set the date and time of the scoping meeting first")
        if meeting.held_on is not None:
            raise DomainError("The scoping meeting has already been held")
        people = invitees(diagnostic)
        if not people:
            raise DomainError(
                "Nobody to invite yet: name the sponsor and organiser with their e-mail addresses"
            )
        claim(meeting, version=version, by=by, noun="the scoping record")
        meeting.invitation_sequence += 1
        meeting.invitations_sent_at = timezone.now()
        meeting.save(
            update_fields=with_version_fields(
                ["invitation_sequence", "invitations_sent_at", "updated_at"]
            )
        )
        title = redactor_for(diagnostic).text(diagnostic.title)
        content = ics.calendar(
            [
                _event(
                    diagnostic,
                    meeting,
                    people=people,
                    sequence=meeting.invitation_sequence,
                    title=title,
                    stamp=ics.now(),
                )
            ],
            method="REQUEST",
        ).decode("utf-8")
        replies = reply_to(organiser(diagnostic))
        first = meeting.invitation_sequence == 1
        messages = []
        for who in people:
            msg = mail.EmailMessage(
                subject=f"{diagnostic.reference}: "
                + ("scoping meeting invitation" if first else "scoping meeting updated"),
                body=_body(diagnostic, meeting, who, title),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[who.email],
                reply_to=replies,
            )
            msg.attach("scoping-meeting.ics", content, "text/calendar; method=REQUEST")
            messages.append(msg)
        audit.record(
            diagnostic,
            by=by,
            action="scoping",
            summary=("Sent" if first else "Sent updated")
            + " scoping meeting invitations to "
            + ", ".join(f"{p.name} ({p.role.lower()})" for p in people),
        )
        transaction.on_commit(lambda: _send(messages, diagnostic))
    return people


def _send(messages: list[mail.EmailMessage], diagnostic: Diagnostic | None = None) -> None:
    # Each one is recorded in the diagnostic's outbox (issue 18), delivered or failed.
    outbox.send_messages(messages, kind=MailKind.SCOPING_INVITE, diagnostic=diagnostic)
