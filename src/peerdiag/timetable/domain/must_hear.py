"""Who the delivery week must hear from (decision 18, issue 17), by type of diagnostic.

Coverage of the lines of enquiry says nothing about *who* is heard: a week with no interview of
the director of children's services passes it. This module holds, as data, the key people and
groups each type of diagnostic should hear from, works out which of them the week's interviews
and focus groups reach, and records the PCM's decision to dismiss a warning (with a reason,
shown, and reversible).

A session hears a role when the role is ticked on it (Session.roles), or, for some roles, when
its stakeholder group or its people say so (a session with young people hears young people; a
session whose group is "Partners" hears partners).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, claim, created_by, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, DiagnosticType
from peerdiag.diagnostics.models import Diagnostic

from ..enums import HEARING_TYPES, SessionStatus
from ..models import MustHearDismissal, Session

REASON_LIMIT = 500


@dataclass(frozen=True)
class Role:
    """A key person or group the week should hear from."""

    key: str
    label: str  # as it reads in a list: "The director of children's services"
    short: str  # as it reads on a checkbox or a tag
    # Stakeholder groups (session or attendee) whose sessions count as hearing this role.
    groups: tuple[str, ...] = ()
    young_people: bool = False  # a session with children or young people hears this role


DCS = Role("dcs", "The director of children's services", "Director of children's services")
LEAD_MEMBER = Role("lead_member", "The lead member for children's services", "Lead member")
CHIEF_EXECUTIVE = Role("chief_executive", "The chief executive", "Chief executive")
PSW = Role("psw", "The principal social worker", "Principal social worker")
IROS = Role(
    "iros",
    "Independent reviewing officers and child protection chairs",
    "IROs and child protection chairs",
)
FRONT_DOOR = Role("front_door", "The front door or MASH", "Front door or MASH")
PARTNERS = Role(
    "partners",
    "Partners such as the police, health and schools",
    "Partners",
    groups=("Partners",),
)
YOUNG_PEOPLE = Role(
    "young_people",
    "Children and young people",
    "Children and young people",
    groups=("Children, young people and families",),
    young_people=True,
)
PARENTS = Role("parents", "Parents and carers", "Parents and carers")
FRONTLINE = Role(
    "frontline",
    "Frontline staff",
    "Frontline staff",
    groups=("Frontline practitioners",),
)
MANAGERS = Role(
    "managers",
    "Team managers and practice supervisors",
    "Team managers",
    groups=("Senior and middle managers", "Team managers and practice supervisors"),
)
SEND_TEAM = Role(
    "send_team",
    "SEND casework and EHC plan staff",
    "SEND casework staff",
    groups=("SEND services",),
)
SCHOOLS = Role("schools", "Schools, SENCOs and colleges", "Schools and SENCOs")
HEALTH = Role("health", "Health partners, such as the ICB and therapists", "Health partners")
PARENT_CARER_FORUM = Role("parent_carer_forum", "The parent carer forum", "Parent carer forum")
EARLY_YEARS_SETTINGS = Role(
    "early_years_settings",
    "Early years settings and childminders",
    "Early years settings",
    groups=("Early years services",),
)
HEALTH_VISITORS = Role("health_visitors", "Health visitors and public health", "Health visitors")
FAMILY_HUBS = Role("family_hubs", "Family hubs and children's centres", "Family hubs")

ROLES: tuple[Role, ...] = (
    DCS,
    LEAD_MEMBER,
    CHIEF_EXECUTIVE,
    PSW,
    IROS,
    FRONT_DOOR,
    MANAGERS,
    FRONTLINE,
    PARTNERS,
    YOUNG_PEOPLE,
    PARENTS,
    SEND_TEAM,
    SCHOOLS,
    HEALTH,
    PARENT_CARER_FORUM,
    EARLY_YEARS_SETTINGS,
    HEALTH_VISITORS,
    FAMILY_HUBS,
)
BY_KEY: dict[str, Role] = {r.key: r for r in ROLES}

# The lead peer takes these interviews by default (decision 18).
LEADERSHIP: frozenset[str] = frozenset({DCS.key, LEAD_MEMBER.key, CHIEF_EXECUTIVE.key})

_TOP = (DCS, LEAD_MEMBER, CHIEF_EXECUTIVE)

# Who the week should hear from, by type of diagnostic.
MUST_HEAR: dict[str, tuple[Role, ...]] = {
    DiagnosticType.SAFEGUARDING: (
        *_TOP,
        PSW,
        IROS,
        FRONT_DOOR,
        MANAGERS,
        FRONTLINE,
        PARTNERS,
        YOUNG_PEOPLE,
    ),
    DiagnosticType.SEND: (
        *_TOP,
        SEND_TEAM,
        SCHOOLS,
        HEALTH,
        PARENT_CARER_FORUM,
        PARTNERS,
        YOUNG_PEOPLE,
    ),
    DiagnosticType.EARLY_YEARS: (
        *_TOP,
        EARLY_YEARS_SETTINGS,
        HEALTH_VISITORS,
        FAMILY_HUBS,
        FRONTLINE,
        PARTNERS,
        PARENTS,
    ),
    DiagnosticType.CHILDRENS_SERVICES: (
        *_TOP,
        PSW,
        IROS,
        FRONT_DOOR,
        MANAGERS,
        FRONTLINE,
        PARTNERS,
        YOUNG_PEOPLE,
    ),
    DiagnosticType.OTHER: (*_TOP, MANAGERS, FRONTLINE, PARTNERS, YOUNG_PEOPLE),
}


def must_hear_for(diagnostic: Diagnostic) -> tuple[Role, ...]:
    """The roles the week should hear from, for the diagnostic's type."""
    return MUST_HEAR.get(diagnostic.type, MUST_HEAR[DiagnosticType.OTHER])


def clean_roles(keys: Iterable[str]) -> list[str]:
    """`keys` checked (DomainError on an unknown one), without repeats, in the catalogue's order."""
    wanted = set(keys)
    unknown = wanted - set(BY_KEY)
    if unknown:
        raise DomainError("Choose key people from the list", field="roles")
    return [r.key for r in ROLES if r.key in wanted]


def session_hears(session: Session, role: Role) -> bool:
    """True if the (hearing) session hears from `role`. Uses the prefetched attendees."""
    if role.key in (session.roles or []):
        return True
    wanted = {g.casefold() for g in role.groups}
    if wanted:
        if session.group.strip().casefold() in wanted:
            return True
        if not session.group.strip() and any(
            a.group.strip().casefold() in wanted for a in session.attendees.all()
        ):
            return True
    if role.young_people:
        return session.young_people or any(a.young_person for a in session.attendees.all())
    return False


@dataclass
class Heard:
    """One role of the list: the sessions that hear it, and any dismissal of its warning."""

    role: Role
    sessions: list[Session] = field(default_factory=list)
    dismissal: MustHearDismissal | None = None

    @property
    def missing(self) -> bool:
        return not self.sessions

    @property
    def dismissed(self) -> bool:
        return self.dismissal is not None and self.dismissal.dismissed

    @property
    def warn(self) -> bool:
        return self.missing and not self.dismissed

    @property
    def message(self) -> str:
        return f"No interview or focus group hears from {self.role.label[0].lower()}" + (
            f"{self.role.label[1:]}"
        )


def must_hear_status(diagnostic: Diagnostic, sessions: Iterable[Session]) -> list[Heard]:
    """Each role the week should hear from, with the interviews and focus groups that do.

    `sessions` should have attendees prefetched (week_sessions or planned_sessions); cancelled
    sessions and meetings do not count. One query for the dismissals.
    """
    hearing = [
        s for s in sessions if s.type in HEARING_TYPES and s.status != SessionStatus.CANCELLED
    ]
    dismissals = {x.role: x for x in diagnostic.must_hear_dismissals.select_related("changed_by")}
    out = []
    for role in must_hear_for(diagnostic):
        out.append(
            Heard(
                role,
                [s for s in hearing if session_hears(s, role)],
                dismissals.get(role.key),
            )
        )
    return out


# --- Dismissing and restoring a warning ---------------------------------------------------------


def _role(key: str) -> Role:
    role = BY_KEY.get(key)
    if role is None:
        raise DomainError("There is no such key person or group", field="role")
    return role


def dismissal_of(diagnostic: Diagnostic, key: str) -> MustHearDismissal | None:
    return MustHearDismissal.objects.filter(diagnostic=diagnostic, role=key).first()


def dismiss_must_hear(
    diagnostic: Diagnostic, *, by: User | None, role: str, reason: str, version: int | None
) -> MustHearDismissal:
    """Dismiss the warning that the week does not hear from `role`, with the reason.

    `version` is the dismissal record's version the page showed (0 when it showed none).
    Refused (DomainError) without a reason, with a reason over 500 characters (refused, never
    cut), for a role not on the diagnostic's list, or once the diagnostic has ended; StaleEdit
    (nothing saved) when someone dismissed or restored it after `version`.
    Side effects: the dismissal record; audit entry.
    """
    r = _role(role)
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    if r not in must_hear_for(diagnostic):
        raise DomainError("That is not on this diagnostic's list", field="role")
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why the week need not hear from them", field="reason")
    if len(reason) > REASON_LIMIT:
        raise DomainError(
            f"Keep the reason to {REASON_LIMIT} characters (it has {len(reason)})",
            field="reason",
        )
    with transaction.atomic():
        found = dismissal_of(diagnostic, r.key)
        if found is None:
            if version not in (0, None):
                raise DomainError(
                    "Someone changed this warning after you opened it: open the page again",
                    field="version",
                )
            try:
                with transaction.atomic():
                    found = MustHearDismissal.objects.create(
                        diagnostic=diagnostic, role=r.key, reason=reason, **created_by(by)
                    )
            except IntegrityError:
                raise StaleEdit(
                    MustHearDismissal.objects.get(diagnostic=diagnostic, role=r.key),
                    noun="this warning",
                ) from None
        else:
            if version == 0:
                raise StaleEdit(found, noun="this warning")
            claim(found, version=version, by=by, noun="this warning")
            found.dismissed, found.reason = True, reason
            found.save(update_fields=with_version_fields(["dismissed", "reason"]))
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Dismissed the warning that the week does not hear from {r.short.lower()}: "
            f"{reason}",
        )
    return found


def restore_must_hear(
    diagnostic: Diagnostic, *, by: User | None, role: str, version: int | None
) -> MustHearDismissal:
    """Bring back a dismissed warning. StaleEdit (nothing saved) when someone changed the
    dismissal after `version`; DomainError when it is not dismissed or the diagnostic ended.
    Side effects: the dismissal record (kept, marked not dismissed); audit entry."""
    r = _role(role)
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    with transaction.atomic():
        found = dismissal_of(diagnostic, r.key)
        if found is None or not found.dismissed:
            raise DomainError("This warning is not dismissed")
        claim(found, version=version, by=by, noun="this warning")
        found.dismissed = False
        found.save(update_fields=with_version_fields(["dismissed"]))
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Brought back the warning that the week does not hear from {r.short.lower()}",
        )
    return found
