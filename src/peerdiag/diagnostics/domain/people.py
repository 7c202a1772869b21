"""Council roles, endorsements, the scoping record and the peer team."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, claim, created_by
from peerdiag.directory.models import Person

from ..enums import (
    ENDED,
    SINGLE_COUNCIL_ROLES,
    CouncilDecision,
    CouncilRoleKind,
    EndorsementStatus,
    EndorserRole,
    TeamRole,
)
from ..models import (
    AgreedCaseList,
    CouncilRole,
    Diagnostic,
    Endorsement,
    ScopingMeeting,
    TeamMember,
)
from . import audit
from .access import sync_data_access
from .conflicts import conflicts_for


def _open(diagnostic: Diagnostic) -> None:
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")


def _claim_or_first(
    existing: Endorsement | ScopingMeeting | None,
    *,
    version: int | None,
    by: User | None,
    noun: str,
) -> None:
    """For a record made on its first save: `version` 0 means the person saw none yet, so one
    made since by someone else is a conflict; otherwise claim the version they saw."""
    if existing is None:
        if version not in (0, None):
            raise DomainError(
                f"{noun[0].upper()}{noun[1:]} you opened is no longer there: it was removed "
                "after you opened it. Open the page again",
                field="version",
            )
        return
    if version == 0:
        raise StaleEdit(existing, noun=noun)
    claim(existing, version=version, by=by, noun=noun)


def _save_first(obj: Endorsement | ScopingMeeting, *, noun: str, **lookup: object) -> None:
    """Save a record's first version; if someone else's first save won the race, theirs is a
    conflict like any other."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise StaleEdit(type(obj)._default_manager.get(**lookup), noun=noun) from None


def assign_council_role(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    person: Person,
    role: str,
    replacing: str | None = None,
) -> CouncilRole:
    """Give `person` a council role on the diagnostic, replacing the holder of a single role.

    `replacing` is the code of the single role's holding the person saw ("" when nobody held
    it). A holder is replaced by a new holding, not edited, so the code (not a version) tells
    whether someone else named a holder since; if so, StaleEdit refuses the change (nothing
    saved). The API and internal callers leave it out: for them, naming someone replaces
    whoever holds the role. Side effects: audit entry.
    """
    _open(diagnostic)
    if role not in CouncilRoleKind.values:
        raise DomainError("Choose a role", field="role")
    label = CouncilRoleKind(role).label
    if role != CouncilRoleKind.PARTNER_REP and person.organisation_id != diagnostic.host_council_id:
        raise DomainError(f"The {label.lower()} must work for the host council", field="person")
    with transaction.atomic():
        old = ""
        if role in SINGLE_COUNCIL_ROLES:
            current = diagnostic.council_roles.filter(role=role).select_related("person").first()
            if current is not None and replacing is not None and current.code != replacing:
                raise StaleEdit(current, noun=f"the {label.lower()}")
            if current is not None:
                if current.person_id == person.pk:
                    return current
                old = str(current.person)
                current.delete()
        try:
            with transaction.atomic():
                held = CouncilRole.objects.create(
                    diagnostic=diagnostic, person=person, role=role, **created_by(by)
                )
        except IntegrityError:
            raise DomainError(f"{person} is already a {label.lower()}", field="person") from None
        audit.record(
            diagnostic,
            by=by,
            action="council_role",
            summary=f"{person} named as {label.lower()}",
            changes=[{"field": role, "label": str(label), "old": old, "new": str(person)}],
        )
    return held


def assign_council_role_to_new_person(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    role: str,
    full_name: str,
    job_title: str = "",
    email: str = "",
    is_dcs_or_equivalent: bool = False,
    replacing: str | None = None,
) -> Person:
    """Add someone new at the host council and give them `role`, both or neither (a refused
    role, or a stale `replacing`, leaves no person behind). Returns the person."""
    from peerdiag.directory.domain.people import add_person

    with transaction.atomic():
        person = add_person(
            diagnostic.host_council,
            full_name=full_name,
            job_title=job_title,
            email=email,
            is_dcs_or_equivalent=is_dcs_or_equivalent,
        )
        assign_council_role(diagnostic, by=by, person=person, role=role, replacing=replacing)
    return person


def remove_council_role(held: CouncilRole, *, by: User | None, version: int | None) -> None:
    """Take a council role away.

    Refused with StaleEdit (nothing removed) when the role changed after `version`.
    Side effects: audit entry.
    """
    diagnostic = held.diagnostic
    _open(diagnostic)
    label = CouncilRoleKind(held.role).label
    with transaction.atomic():
        claim(held, version=version, by=by, noun=f"the {label.lower()} role")
        held.delete()
        audit.record(
            diagnostic,
            by=by,
            action="council_role",
            summary=f"{held.person} is no longer {label.lower()}",
            changes=[{"field": held.role, "label": str(label), "old": str(held.person), "new": ""}],
        )


def record_endorsement(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    role: str,
    status: str,
    given_on: date | None = None,
    note: str = "",
    file: object | None = None,
    version: int | None,
) -> Endorsement:
    """Record the lead member's or chief executive's endorsement (pending or given).

    A given endorsement needs its date. `version` is the one the person saw, 0 when none was
    recorded yet; a stale one is refused with StaleEdit (nothing saved).
    Side effects: audit entry listing what changed.
    """
    _open(diagnostic)
    if role not in EndorserRole.values:
        raise DomainError("Choose whose endorsement this is", field="role")
    if status not in EndorsementStatus.values:
        raise DomainError("Say whether the endorsement is given or pending", field="status")
    if status == EndorsementStatus.GIVEN and given_on is None:
        raise DomainError("Enter the date the endorsement was given", field="given_on")
    if status == EndorsementStatus.PENDING:
        given_on = None
    with transaction.atomic():
        existing = diagnostic.endorsements.filter(role=role).first()
        noun = f"the {EndorserRole(role).label.lower()} endorsement"
        _claim_or_first(existing, version=version, by=by, noun=noun)
        endorsement = existing or Endorsement(diagnostic=diagnostic, role=role, **created_by(by))
        fields = ["status", "given_on", "note", "file"]
        before = audit.snapshot(endorsement, fields) if endorsement.pk else {}
        endorsement.status, endorsement.given_on, endorsement.note = status, given_on, note.strip()
        if file is not None:
            endorsement.file = file  # type: ignore[assignment]
        if existing is None:
            _save_first(endorsement, noun=noun, diagnostic=diagnostic, role=role)
        else:
            endorsement.save()
        diff = audit.diff(before, audit.snapshot(endorsement, fields))
        if diff:
            audit.record(
                diagnostic,
                by=by,
                action="endorsement",
                summary=f"{EndorserRole(role).label} endorsement: "
                f"{EndorsementStatus(status).label.lower()}",
                changes=diff,
            )
    return endorsement


def _check_scoping(
    *,
    held_on: date | None,
    today: date | None,
    suitability: str,
    suitability_rationale: str,
) -> None:
    """A DomainError for a meeting held after `today`, or a suitability decision unexplained."""
    if held_on is not None and today is not None and held_on > today:
        raise DomainError(
            "The date the meeting was held cannot be in the future. Leave it empty until the "
            "meeting has taken place",
            field="held_on",
        )
    if suitability and not suitability_rationale.strip():
        raise DomainError("Explain the suitability decision", field="suitability_rationale")


def _set_agreed_case_lists(diagnostic: Diagnostic, *, by: User | None, names: list[str]) -> None:
    """Keep exactly the agreed case lists named `names` (deleting the others)."""
    diagnostic.agreed_case_lists.exclude(name__in=names).delete()
    for name in names:
        AgreedCaseList.objects.get_or_create(
            diagnostic=diagnostic, name=name, defaults=created_by(by)
        )


def _list_changes(
    *, before_people: list[str], after_people: list[str], before_lists: list[str], names: list[str]
) -> list[dict[str, str]]:
    """Audit changes for the meeting's attendees and the agreed case lists, when they moved."""
    changes = []
    if after_people != before_people:
        changes.append(
            {
                "field": "attendees",
                "label": "Attendees",
                "old": ", ".join(before_people),
                "new": ", ".join(after_people),
            }
        )
    if sorted(before_lists) != names:
        changes.append(
            {
                "field": "case_lists",
                "label": "Agreed case lists",
                "old": ", ".join(sorted(before_lists)),
                "new": ", ".join(names),
            }
        )
    return changes


def record_scoping(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    scheduled_for: datetime | None,
    held_on: date | None = None,
    attendees: list[Person] | None = None,
    suitability: str = "",
    suitability_rationale: str = "",
    team_requirements: str = "",
    background_information: str = "",
    case_list_names: list[str] | None = None,
    version: int | None,
    today: date | None = None,
) -> ScopingMeeting:
    """Write the scoping meeting record and the decisions taken at it (with the agreed case
    lists and the suitability decision, which the record's version covers too).

    `version` is the record's version the person saw, 0 when there was none yet; a stale one
    is refused with StaleEdit (nothing saved). Given `today`, a `held_on` after it is refused
    (a meeting cannot be recorded as held before it happens). Side effects: one audit entry
    with every field that changed.
    """
    _open(diagnostic)
    _check_scoping(
        held_on=held_on,
        today=today,
        suitability=suitability,
        suitability_rationale=suitability_rationale,
    )
    attendees = attendees or []
    names = sorted({n.strip() for n in (case_list_names or []) if n.strip()})
    with transaction.atomic():
        existing = ScopingMeeting.objects.filter(diagnostic=diagnostic).first()
        _claim_or_first(existing, version=version, by=by, noun="the scoping record")
        meeting = existing or ScopingMeeting(diagnostic=diagnostic, **created_by(by))
        if existing is None:
            _save_first(meeting, noun="the scoping record", diagnostic=diagnostic)
        m_fields = ["scheduled_for", "held_on", "team_requirements", "background_information"]
        d_fields = ["suitability", "suitability_rationale"]
        before = {**audit.snapshot(meeting, m_fields), **audit.snapshot(diagnostic, d_fields)}
        before_people = sorted(str(p) for p in meeting.attendees.all())
        before_lists = list(diagnostic.agreed_case_lists.values_list("name", flat=True))
        meeting.scheduled_for, meeting.held_on = scheduled_for, held_on
        meeting.team_requirements = team_requirements.strip()
        meeting.background_information = background_information.strip()
        meeting.save()
        meeting.attendees.set(attendees)
        diagnostic.suitability = suitability
        diagnostic.suitability_rationale = suitability_rationale.strip()
        diagnostic.save(update_fields=["suitability", "suitability_rationale", "updated_at"])
        _set_agreed_case_lists(diagnostic, by=by, names=names)
        after = {**audit.snapshot(meeting, m_fields), **audit.snapshot(diagnostic, d_fields)}
        diff = audit.diff(before, after)
        diff.extend(
            _list_changes(
                before_people=before_people,
                after_people=sorted(str(p) for p in attendees),
                before_lists=before_lists,
                names=names,
            )
        )
        if diff:
            audit.record(
                diagnostic,
                by=by,
                action="scoping",
                summary="Updated the scoping record",
                changes=diff,
            )
    return meeting


def add_team_member(
    diagnostic: Diagnostic, *, by: User | None, person: Person, role: str
) -> TeamMember:
    """Put `person` on the peer team in `role`.

    Refused for someone from the host council (no peer reviews their own council), for a
    second lead peer or PCM, for case auditors without a case review, and for a PCM who is not
    LGA staff. Side effects: audit entry.
    """
    _open(diagnostic)
    if role not in TeamRole.values:
        raise DomainError("Choose a team role", field="role")
    if person.organisation_id == diagnostic.host_council_id:
        raise DomainError("A peer cannot come from the host council", field="person")
    if role == TeamRole.PEER_CHALLENGE_MANAGER and not person.organisation.is_lga:
        raise DomainError("The peer challenge manager must be LGA staff", field="person")
    if (
        role in (TeamRole.LEAD_PEER, TeamRole.PEER_CHALLENGE_MANAGER)
        and diagnostic.team.filter(role=role).exists()
    ):
        raise DomainError(f"The team already has a {TeamRole(role).label.lower()}", field="role")
    if role == TeamRole.CASE_AUDITOR and not diagnostic.case_review_in_scope:
        raise DomainError("Case auditors join only when a case review is in scope", field="role")
    if diagnostic.team.filter(person=person).exists():
        raise DomainError(f"{person} is already on the team", field="person")
    profile = getattr(person, "peer_profile", None)
    if role == TeamRole.LEAD_PEER and (profile is None or not profile.may_lead):
        raise DomainError(
            "A lead peer must be a director or assistant director on the bench",
            field="person",
        )
    if role != TeamRole.PEER_CHALLENGE_MANAGER and (
        profile is None or not profile.active or role not in profile.roles
    ):
        raise DomainError(
            f"{person} is not on the bench as {TeamRole(role).label.lower()}", field="person"
        )
    if role != TeamRole.PEER_CHALLENGE_MANAGER:
        blocked = conflicts_for(diagnostic, person).blocked
        if blocked:
            raise DomainError(blocked[0], field="person")
    with transaction.atomic():
        member = TeamMember.objects.create(
            diagnostic=diagnostic, person=person, role=role, **created_by(by)
        )
        audit.record(
            diagnostic,
            by=by,
            action="team",
            summary=f"{person} added as {TeamRole(role).label.lower()}",
        )
    return member


def remove_team_member(member: TeamMember, *, by: User | None, version: int | None) -> None:
    """Take someone off the team.

    Refused with StaleEdit (nobody removed) when the place changed after `version` (a council
    decision, say). Side effects: audit entry.
    """
    diagnostic = member.diagnostic
    _open(diagnostic)
    with transaction.atomic():
        claim(member, version=version, by=by, noun=f"{member.person}'s place on the team")
        member.delete()
        sync_data_access(diagnostic, reason=f"{member.person} left the team")
        audit.record(
            diagnostic,
            by=by,
            action="team",
            summary=f"{member.person} removed from the team "
            f"({TeamRole(member.role).label.lower()})",
        )


def decide_on_peer(
    member: TeamMember, *, by: User | None, decision: str, reason: str = "", version: int | None
) -> TeamMember:
    """The council approves a proposed peer, or objects with a reason.

    Refused with StaleEdit (nothing saved) when the team place changed after `version`.
    Side effects: audit entry with the decision and reason.
    """
    _open(member.diagnostic)
    if member.role == TeamRole.PEER_CHALLENGE_MANAGER:
        raise DomainError("The council approves the peers, not the LGA's manager", field="member")
    if decision not in (CouncilDecision.APPROVED, CouncilDecision.OBJECTED):
        raise DomainError("Approve the peer or object", field="decision")
    if decision == CouncilDecision.OBJECTED and not reason.strip():
        raise DomainError("Give the reason for the objection", field="reason")
    verb = "approved" if decision == CouncilDecision.APPROVED else "objected to"
    with transaction.atomic():
        claim(member, version=version, by=by, noun=f"the decision on {member.person}")
        member.council_decision = decision
        member.council_reason = reason.strip()
        member.council_decided_at = timezone.now()
        member.save(
            update_fields=["council_decision", "council_reason", "council_decided_at", "updated_at"]
        )
        audit.record(
            member.diagnostic,
            by=by,
            action="team",
            summary=f"Council {verb} {member.person}"
            + (f": {reason.strip()}" if reason.strip() else ""),
        )
    return member


def set_continues_to_delivery(
    member: TeamMember, *, by: User | None, continues: bool, version: int | None
) -> TeamMember:
    """Mark a case auditor as carrying on into delivery (R29).

    Refused with StaleEdit (nothing saved) when the team place changed after `version`.
    Side effects: audit entry.
    """
    _open(member.diagnostic)
    if member.role != TeamRole.CASE_AUDITOR:
        raise DomainError("Only case auditors carry on from the case review", field="role")
    with transaction.atomic():
        claim(member, version=version, by=by, noun=f"{member.person}'s place on the team")
        if member.continues_to_delivery != continues:
            member.continues_to_delivery = continues
            member.save(update_fields=["continues_to_delivery", "updated_at"])
            audit.record(
                member.diagnostic,
                by=by,
                action="team",
                summary=f"{member.person} {'will' if continues else 'will not'} carry on "
                "into delivery",
            )
    return member
