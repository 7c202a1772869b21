"""What happened to each interview and focus group during delivery, and the week's running
figures.

Each interview or focus group in the week may be recorded as held, moved (to be held at another
time) or did not attend, with how many people came from each stakeholder group. The figures
(sessions held, people heard by group, partners, elected members, young people) feed the
overview page and the "What we did" slide and report section. Where a held session has no counts,
its invited attendees stand in for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..enums import HEARING_TYPES, SessionStatus
from ..models import AttendanceCount, Attendee, Session
from .problem import latest_version
from .week import day_dates

YOUNG_PEOPLE = "Young people"
OTHERS = "Others"
NOTE_LIMIT = 300
GROUP_LIMIT = 120  # AttendanceCount.group
MOST_PEOPLE = 500  # in one group at one session

# What the form offers, and the status each one records.
OUTCOMES: dict[str, tuple[str, str]] = {
    "held": (SessionStatus.HELD, "Held"),
    "moved": (SessionStatus.RESCHEDULED, "Moved to another time"),
    "not_attended": (SessionStatus.NOT_ATTENDED, "Did not attend"),
    "clear": ("", "Not recorded yet"),
}
RECORDED = frozenset({SessionStatus.HELD, SessionStatus.RESCHEDULED, SessionStatus.NOT_ATTENDED})

# Words that put a stakeholder group in one of the headline figures.
PARTNER_WORDS = ("partner", "police", "health", "school", "voluntary")
MEMBER_WORDS = ("elected member", "councillor", "lead member", "cabinet member")


def is_partner_group(group: str) -> bool:
    g = group.lower()
    return any(w in g for w in PARTNER_WORDS)


def is_member_group(group: str) -> bool:
    g = group.lower()
    return any(w in g for w in MEMBER_WORDS)


def is_young_group(group: str) -> bool:
    return group == YOUNG_PEOPLE


def _group_of(a: Attendee) -> str:
    return YOUNG_PEOPLE if a.young_person else (a.group or OTHERS)


def attendance_groups(session: Session) -> list[str]:
    """The stakeholder groups the attendance form asks about for `session`: its own group, its
    attendees' groups (children and young people as one), any already counted, and Others."""
    out: list[str] = []

    def add(g: str) -> None:
        g = " ".join(g.split())
        if g and g.lower() not in {x.lower() for x in out}:
            out.append(g)

    add(session.group)
    for a in session.attendees.all():
        add(_group_of(a))
    if session.young_people:
        add(YOUNG_PEOPLE)
    for c in session.counts.all():
        add(c.group)
    add(OTHERS)
    return out


def _checked_counts(counts: Mapping[str, int | None] | None, *, outcome: str) -> dict[str, int]:
    """The people counted by group, names tidied and groups of the same name added up.

    Refused for a number below 0 or over 500, a group's name over 120 characters, and any
    people counted for a session that was not held.
    """
    kept: dict[str, int] = {}
    for group, n in (counts or {}).items():
        if n is None:
            continue
        if n < 0 or n > MOST_PEOPLE:
            raise DomainError(f"Give a number from 0 to {MOST_PEOPLE} for {group}", field="counts")
        group = " ".join(group.split())
        if len(group) > GROUP_LIMIT:
            raise DomainError(
                f"A group's name can be up to {GROUP_LIMIT} characters", field="counts"
            )
        if group:
            kept[group] = kept.get(group, 0) + n
    if outcome != "held" and any(kept.values()):
        raise DomainError(
            "Only a held session has people to count: clear the numbers or choose Held",
            field="counts",
        )
    return kept


def _status_when_not_recorded(session: Session) -> str:
    """Invited if the latest published version includes the session, else proposed."""
    latest = latest_version(session.diagnostic)
    published = latest is not None and any(
        s["code"] == session.code for s in latest.snapshot.get("sessions", [])
    )
    return SessionStatus.INVITED if published else SessionStatus.PROPOSED


def record_attendance(
    session: Session,
    *,
    by: User | None,
    outcome: str,
    counts: Mapping[str, int | None] | None = None,
    note: str = "",
    version: int | None,
    today: date | None = None,
) -> Session:
    """Record what happened to an interview or focus group.

    `outcome` is one of OUTCOMES ("clear" takes the record back to invited). `counts` maps a
    stakeholder group to how many people came (None or a missing group: not counted); only a
    held session keeps counts. Refused for other kinds of session, for a session not in the
    week, for held or did not attend before the session's day, for a negative or implausible
    count, a note over 300 characters, once the diagnostic has ended, and with StaleEdit when
    someone changed the session after `version`.
    Side effects: the session's status, attendance note, who and when, its AttendanceCounts;
    audit entry.
    """
    diagnostic = session.diagnostic
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    if session.type not in HEARING_TYPES:
        raise DomainError("Attendance is recorded for interviews and focus groups only")
    if outcome not in OUTCOMES:
        raise DomainError("Choose what happened to the session", field="outcome")
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise DomainError(
            f"The note can be up to {NOTE_LIMIT} characters (it has {len(note)})", field="note"
        )
    dates = day_dates(diagnostic)
    if session.day is None or session.day not in dates:
        raise DomainError(f"‘{session.title}’ is not in the week, so nothing can be recorded")
    on = dates[session.day]
    today = today or timezone.localdate()
    if outcome in ("held", "not_attended") and on > today:
        raise DomainError(
            f"‘{session.title}’ is on {on.day} {on:%B %Y}: record what happened on or after "
            "that day",
            field="outcome",
        )
    kept = _checked_counts(counts, outcome=outcome)
    with transaction.atomic():
        claim(session, version=version, by=by, noun="this session")
        session.status = OUTCOMES[outcome][0] or _status_when_not_recorded(session)
        session.attendance_note = note if outcome != "clear" else ""
        session.attendance_at = timezone.now() if outcome != "clear" else None
        session.attendance_by = by if outcome != "clear" and by and by.is_authenticated else None
        session.save(
            update_fields=with_version_fields(
                ["status", "attendance_note", "attendance_at", "attendance_by", "updated_at"]
            )
        )
        AttendanceCount.objects.filter(session=session).delete()
        if outcome == "held":
            AttendanceCount.objects.bulk_create(
                AttendanceCount(session=session, group=g, people=n) for g, n in kept.items()
            )
        people = sum(kept.values())
        what = OUTCOMES[outcome][1].lower() if outcome != "clear" else "not recorded"
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Recorded ‘{session.title}’ as {what}"
            + (f" ({people} {'person' if people == 1 else 'people'})" if kept else ""),
        )
    return session


@dataclass(frozen=True)
class Figures:
    """The week's running figures for interviews and focus groups."""

    planned: int = 0  # in the week, not cancelled
    held: int = 0
    moved: int = 0
    not_attended: int = 0
    by_group: Counter[str] = field(default_factory=Counter)
    counted_sessions: int = 0  # held sessions whose numbers were recorded

    @property
    def people(self) -> int:
        return sum(self.by_group.values())

    @property
    def group_rows(self) -> list[tuple[str, int]]:
        return sorted(self.by_group.items())

    @property
    def partners(self) -> int:
        return sum(n for g, n in self.by_group.items() if is_partner_group(g))

    @property
    def members(self) -> int:
        return sum(n for g, n in self.by_group.items() if is_member_group(g))

    @property
    def young_people(self) -> int:
        return sum(n for g, n in self.by_group.items() if is_young_group(g))


def _hearing_sessions(diagnostic: Diagnostic) -> Iterable[Session]:
    return (
        Session.objects.filter(diagnostic=diagnostic, type__in=HEARING_TYPES)
        .exclude(status=SessionStatus.CANCELLED)
        .prefetch_related(
            "counts",
            Prefetch("attendees", queryset=Attendee.objects.only("pk", "group", "young_person")),
        )
        .only("pk", "status", "day", "type", "diagnostic_id")
    )


def attendance_figures(diagnostic: Diagnostic) -> Figures:
    """Sessions held, moved and not attended, and people heard by group: the recorded counts
    of each held session, or (for a held session without counts) its invited attendees, each
    counted once across those sessions."""
    planned = held = moved = missed = counted = 0
    groups: Counter[str] = Counter()
    uncounted: dict[int, str] = {}
    for s in _hearing_sessions(diagnostic):
        if s.day is not None:
            planned += 1
        if s.status == SessionStatus.RESCHEDULED:
            moved += 1
        elif s.status == SessionStatus.NOT_ATTENDED:
            missed += 1
        if s.status != SessionStatus.HELD:
            continue
        held += 1
        rows = list(s.counts.all())
        if rows:
            counted += 1
            for c in rows:
                groups[c.group] += c.people
        else:
            for a in s.attendees.all():
                uncounted[a.pk] = _group_of(a)
    for g in uncounted.values():
        groups[g] += 1
    # A group counted as nothing is not listed.
    groups = Counter({g: n for g, n in groups.items() if n})
    return Figures(
        planned=planned,
        held=held,
        moved=moved,
        not_attended=missed,
        by_group=groups,
        counted_sessions=counted,
    )
