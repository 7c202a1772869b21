"""The council's attendees and when people can take part in the delivery week.

An attendee is available all week unless their availability is given, in which case they are
free only inside their windows (Availability rows with available=True). A peer is available all
week except inside their windows (available=False). Windows sit on delivery days 1 to 5, inside
the week's working day and on its slot grid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, created_by, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, TeamMember

from ..enums import HEARING_DAYS
from ..models import Attendee, Availability, Timetable
from .week import timetable_for

ENDED_MESSAGE = "This diagnostic has ended, so its timetable can no longer change"


@dataclass(frozen=True, order=True)
class Window:
    """A stretch of one delivery day."""

    day: int
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def at(total: int) -> time:
    return time(total // 60, total % 60)


def check_open(diagnostic: Diagnostic) -> None:
    if diagnostic.stage in ENDED:
        raise DomainError(ENDED_MESSAGE)


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Windows sorted by day and start, with overlapping or touching ones on a day joined."""
    out: list[Window] = []
    for w in sorted(windows):
        last = out[-1] if out else None
        if last is not None and last.day == w.day and w.start <= last.end:
            out[-1] = Window(w.day, last.start, max(last.end, w.end))
        else:
            out.append(w)
    return out


def hour_blocks(timetable: Timetable) -> list[tuple[time, time]]:
    """The grid's columns: hourly blocks from day start to day end (the last may be shorter)."""
    start, end = minutes(timetable.day_start), minutes(timetable.day_end)
    return [(at(m), at(min(m + 60, end))) for m in range(start, end, 60)]


def windows_from_blocks(ticked: Iterable[tuple[int, time]], timetable: Timetable) -> list[Window]:
    """Ticked (day, block start) cells of the grid, adjacent blocks merged into windows."""
    ends = dict(hour_blocks(timetable))
    return merge_windows(Window(day, start, ends[start]) for day, start in ticked)


def window_problem(w: Window, timetable: Timetable) -> str | None:
    """Why a window cannot be used in this week, as a sentence fragment; None if it can."""
    if w.day not in HEARING_DAYS:
        return "choose a day from 1 to 5"
    if w.end <= w.start:
        return "the end time must be after the start time"
    if w.start < timetable.day_start or w.end > timetable.day_end:
        return f"times must be between {timetable.day_start:%H:%M} and {timetable.day_end:%H:%M}"
    base, step = minutes(timetable.day_start), timetable.slot_minutes
    end_of_day = minutes(timetable.day_end)
    for t in (w.start, w.end):
        m = minutes(t)
        if (m - base) % step and m != end_of_day:
            return f"times must fall on the {step}-minute grid, for example {at(base + step):%H:%M}"
    return None


def check_windows(windows: Iterable[Window], timetable: Timetable) -> list[Window]:
    """The windows merged, or DomainError naming the first that does not fit the week."""
    given = list(windows)
    for w in given:
        problem = window_problem(w, timetable)
        if problem:
            raise DomainError(f"Day {w.day}, {w}: {problem}", field="windows")
    return merge_windows(given)


def valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _clean_person(name: str, group: str, email: str) -> tuple[str, str, str]:
    name, group, email = name.strip(), group.strip(), email.strip()
    if not name:
        raise DomainError("Enter the person's name", field="name")
    if not group:
        raise DomainError("Enter their stakeholder group", field="group")
    if email and not valid_email(email):
        raise DomainError(
            "Enter an email address in the right format, like name@example.org", field="email"
        )
    return name, group, email


def _check_email_free(diagnostic: Diagnostic, email: str, *, besides: int | None = None) -> None:
    if not email:
        return
    taken = Attendee.objects.filter(diagnostic=diagnostic, email__iexact=email)
    if besides is not None:
        taken = taken.exclude(pk=besides)
    if taken.exists():
        raise DomainError("Someone with this email address is already an attendee", field="email")


def add_attendee(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    name: str,
    group: str,
    job_title: str = "",
    email: str = "",
    young_person: bool = False,
) -> Attendee:
    """Add someone from the council or its partners, available all week to begin with.

    Side effects: audit entry.
    """
    check_open(diagnostic)
    name, group, email = _clean_person(name, group, email)
    _check_email_free(diagnostic, email)
    with transaction.atomic():
        a = Attendee.objects.create(
            diagnostic=diagnostic,
            name=name,
            group=group,
            job_title=job_title.strip(),
            email=email,
            young_person=young_person,
            **created_by(by),
        )
        audit.record(diagnostic, by=by, action="timetable", summary=f"Added attendee {name}")
    return a


def update_attendee(
    attendee: Attendee,
    *,
    by: User | None,
    name: str,
    group: str,
    job_title: str = "",
    email: str = "",
    young_person: bool = False,
    version: int | None,
) -> Attendee:
    """Change an attendee's details (not their availability).

    Refused with StaleEdit (nothing saved) when someone changed the attendee, or their
    availability, after `version`. Side effects: audit entry.
    """
    d = attendee.diagnostic
    check_open(d)
    name, group, email = _clean_person(name, group, email)
    _check_email_free(d, email, besides=attendee.pk)
    with transaction.atomic():
        claim(attendee, version=version, by=by, noun="this attendee")
        attendee.name, attendee.group, attendee.email = name, group, email
        attendee.job_title, attendee.young_person = job_title.strip(), young_person
        attendee.save(
            update_fields=with_version_fields(
                ["name", "group", "email", "job_title", "young_person", "updated_at"]
            )
        )
        audit.record(d, by=by, action="timetable", summary=f"Changed attendee {name}")
    return attendee


def remove_attendee(attendee: Attendee, *, by: User | None, version: int | None) -> int:
    """Remove an attendee and their windows; returns how many sessions lost them.

    Refused with StaleEdit (nothing removed) when someone changed the attendee after `version`,
    so nobody removes a person whose details they have not seen as they are now.
    Side effects: they leave every session they were in; audit entry naming that number.
    """
    d = attendee.diagnostic
    check_open(d)
    with transaction.atomic():
        claim(attendee, version=version, by=by, noun="this attendee")
        lost = attendee.sessions.count()
        name = attendee.name
        attendee.delete()
        note = f", who was in {lost} session{'s' if lost != 1 else ''}" if lost else ""
        audit.record(d, by=by, action="timetable", summary=f"Removed attendee {name}{note}")
    return lost


def set_availability(
    owner: Attendee | TeamMember,
    *,
    by: User | None,
    windows: Iterable[Window] | None,
    version: int | None,
) -> list[Window]:
    """Replace when someone can or cannot take part; returns the windows as stored (merged).

    For an attendee the windows are when they are free: None means available all week, and an
    empty list is refused (nobody is never available). For a peer they are when the peer is not
    available; None or empty clears them.
    The windows hang off the owner, so the owner's version guards them: refused with StaleEdit
    (nothing saved) when the attendee or team member changed after `version`, and a save moves
    the owner to its next version.
    Side effects: replaces the owner's windows of that kind; for an attendee sets
    availability_given; audit entry.
    """
    d = owner.diagnostic
    check_open(d)
    week = timetable_for(d)
    merged = check_windows(windows or [], week)
    is_attendee = isinstance(owner, Attendee)
    if is_attendee and windows is not None and not merged:
        raise DomainError(
            "Tick at least one time they are available, or choose available all week",
            field="windows",
        )
    who = owner.name if isinstance(owner, Attendee) else owner.person.full_name
    with transaction.atomic():
        claim(owner, version=version, by=by, noun=f"the availability of {who}")
        kind: dict[str, Attendee | TeamMember] = (
            {"attendee": owner} if isinstance(owner, Attendee) else {"member": owner}
        )
        Availability.objects.filter(diagnostic=d, available=is_attendee, **kind).delete()
        Availability.objects.bulk_create(
            Availability(
                diagnostic=d, day=w.day, start=w.start, end=w.end, available=is_attendee, **kind
            )
            for w in merged
        )
        if isinstance(owner, Attendee):
            owner.availability_given = windows is not None
            owner.save(update_fields=with_version_fields(["availability_given"]))
        audit.record(d, by=by, action="timetable", summary=f"Set the availability of {who}")
    return merged


def stored_windows(owner: Attendee | TeamMember) -> list[Window]:
    """The owner's windows of the kind set_availability manages."""
    if isinstance(owner, Attendee):
        rows = Availability.objects.filter(attendee=owner, available=True)
    else:
        rows = Availability.objects.filter(member=owner, available=False)
    return [Window(r.day, r.start, r.end) for r in rows.order_by("day", "start")]


def day_label(day: int, dates: dict[int, date]) -> str:
    """'Mon 1 Mar' when the date is known, else 'Day 3'."""
    when = dates.get(day)
    return f"{when:%a} {when.day} {when:%b}" if when else f"Day {day}"


def describe_day(windows: list[Window], timetable: Timetable) -> str:
    """One day's windows as people write them: 'all day' or '09:00-12:00, 13:00-17:30'."""
    if len(windows) == 1 and (windows[0].start, windows[0].end) == (
        timetable.day_start,
        timetable.day_end,
    ):
        return "all day"
    return ", ".join(str(w) for w in windows)


def describe_windows(
    windows: list[Window], timetable: Timetable, dates: dict[int, date]
) -> list[str]:
    """One line per day that has windows, like 'Mon 1 Mar: 09:00-12:00'."""
    by_day: dict[int, list[Window]] = {}
    for w in windows:
        by_day.setdefault(w.day, []).append(w)
    return [
        f"{day_label(day, dates)}: {describe_day(ws, timetable)}"
        for day, ws in sorted(by_day.items())
    ]
