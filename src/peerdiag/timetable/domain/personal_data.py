"""What the timetable app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import ERASED, Policy, destroyed, not_personal

from .retention import STEP

_CHOICE = not_personal("a fixed choice")
_LOG = destroyed(STEP, how="blanked: the scheduler's messages name people")

FIELDS: dict[str, dict[str, Policy]] = {
    "Attendee": {
        "name": destroyed(STEP, how="anonymised to 'Attendee n (removed)'"),
        "job_title": destroyed(STEP, how="blanked"),
        "email": destroyed(STEP, how="blanked"),
        "group": not_personal("a stakeholder group, kept so sessions still count by group"),
    },
    "Session": {
        "type": _CHOICE,
        "title": not_personal(
            "what the meeting is, by role or group (the form asks for 'Front door social "
            "workers', not names)"
        ),
        "priority": _CHOICE,
        "group": not_personal("a stakeholder group"),
        "allowed_days": not_personal("day numbers"),
        "platform_link": not_personal("a meeting link"),
        "supporting_adult": destroyed(STEP, how="blanked (decision 15's supporting adult)"),
        "notes": destroyed(STEP, how="blanked"),
        "status": _CHOICE,
        "unscheduled_reason": destroyed(STEP, how="blanked: the scheduler's reasons name people"),
        "uid": not_personal("an iCalendar identifier"),
        "roles": not_personal("key roles the session hears from, fixed choices"),
        "attendance_note": destroyed(STEP, how="blanked with the session's other notes"),
    },
    "AttendanceCount": {
        "group": not_personal("a stakeholder group, counted, never a person"),
    },
    "MustHearDismissal": {
        "role": _CHOICE,
        "reason": not_personal(
            "why the week need not hear from a role; the form asks about the role, not a person"
        ),
    },
    "TimetableVersion": {
        "note": not_personal("what changed in this version"),
        "agreed_as": _CHOICE,
        "problem": destroyed(
            STEP, how="attendees renamed as on the Attendee, availability windows dropped"
        ),
        "solution": destroyed(STEP, how="the scheduler's reasons blanked"),
        "snapshot": destroyed(
            STEP,
            how="attendees renamed and their addresses blanked, supporting adults and "
            "reasons blanked; peers stay (the team's names are theirs to erase on request)",
        ),
    },
    "SentInvitation": {
        "email": destroyed(STEP, how="the row is deleted"),
        "name": destroyed(STEP, how="the row is deleted"),
        "method": _CHOICE,
    },
    "CalendarFeed": {
        # One field, two owners: a peer's or PCM's feed lives with their directory entry.
        "token": destroyed(
            STEP,
            how="an attendee's feed is deleted; a person's own feed is erased on request "
            f"({ERASED.note})",
        ),
    },
}
