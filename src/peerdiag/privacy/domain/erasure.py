"""Erasing one person on request: their login and directory entry kept, but pseudonymised.

Records that other records hang off stay (the audit trail PROTECTs its actor; team places,
council roles, declarations and signatures PROTECT their person), so nothing is deleted that
would break a diagnostic's history. What identifies the person is overwritten instead: names
become "Erased person <code>", e-mail addresses an unusable one (the login) or nothing (the
directory, attendees), and job title and phone number go. What only serves the person is
deleted: API tokens, the authenticator app and recovery codes, account invitations, signed-in
sessions, calendar feeds, the bench profile (with its expertise and recent work) and the record
of timetable invitations sent to the address. Free text the person wrote about themselves is
blanked (conflict declaration details); a typed signature becomes the pseudonym, as do the
person's name and address wherever published timetable versions recorded them.

Kept as they are: the content of diagnostics (evidence notes, findings, survey answers),
which belongs to the diagnostic and now reads as written by the erased person, and audit
entries, which cannot be changed (their summaries may still name the person; see
docs/operations.md).

It lives in the privacy app, which sits above every domain app and so may reach them all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.models import (
    ApiToken,
    Invitation,
    Passkey,
    RecoveryCode,
    TotpDevice,
    User,
)
from peerdiag.common.errors import DomainError
from peerdiag.common.models import new_code
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import (
    ConflictDeclaration,
    CouncilRole,
    DataAccessEvent,
    Diagnostic,
    Signature,
    TeamMember,
)
from peerdiag.directory.models import PeerProfile, Person
from peerdiag.evaluation.models import Survey
from peerdiag.timetable.models import Attendee, CalendarFeed, SentInvitation, TimetableVersion

log = logging.getLogger("peerdiag.privacy")

ERASED_NAME = "Erased person"
# RFC 2606 reserves .invalid: nothing is ever delivered there.
ERASED_DOMAIN = "erased.invalid"
AUDIT_ACTION = "person_erased"


def erased_name(code: str) -> str:
    return f"{ERASED_NAME} {code}"


def erased_email(code: str) -> str:
    return f"erased-{code.lower()}@{ERASED_DOMAIN}"


@dataclass
class Found:
    """Who an e-mail address leads to, and what stands in the way of erasing them."""

    email: str
    user: User | None
    people: list[Person]
    attendees: list[Attendee]
    open_team_diagnostics: list[Diagnostic]

    def open_team_text(self) -> str:
        """E.g. "RPD-2027-001, which has not ended" or "A, B, which have not ended"."""
        refs = [d.reference for d in self.open_team_diagnostics]
        return f"{', '.join(refs)}, which {'has' if len(refs) == 1 else 'have'} not ended"

    def pseudonym_code(self) -> str:
        """The code for the pseudonym: the linked directory entry's, the first one's, or new."""
        linked = [p for p in self.people if self.user is not None and p.user_id == self.user.pk]
        if linked or self.people:
            return (linked or self.people)[0].code
        return new_code()


@dataclass
class Erasure:
    """What one erasure did: the pseudonym and how many records of each kind it touched."""

    pseudonym: str
    email: str
    counts: dict[str, int] = field(default_factory=dict)
    diagnostics: list[str] = field(default_factory=list)

    def add(self, what: str, n: int) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n


def find(email: str) -> Found:
    """Who is held under `email` (case ignored); DomainError if no one is."""
    email = email.strip()
    if not email:
        raise DomainError("Enter an e-mail address", field="email")
    user = User.objects.filter(email__iexact=email).first()
    person_q = Q(email__iexact=email)
    if user is not None:
        person_q |= Q(user=user)
    people = list(Person.objects.filter(person_q).order_by("pk"))
    if user is None:
        # A directory entry under this address may belong to a login with another address:
        # that login is the same person's, so it is erased too.
        linked = {p.user_id for p in people if p.user_id is not None}
        if len(linked) == 1:
            user = User.objects.get(pk=linked.pop())
    attendees = list(Attendee.objects.filter(email__iexact=email).order_by("pk"))
    if user is None and not people and not attendees:
        raise DomainError(f"No one is held with the e-mail address {email}", field="email")
    open_diagnostics = list(
        Diagnostic.objects.filter(team__person__in=people)
        .exclude(stage__in=ENDED)
        .distinct()
        .order_by("reference")
    )
    return Found(email, user, people, attendees, open_diagnostics)


def erase_person(email: str, *, reason: str = "", force: bool = False) -> Erasure:
    """Pseudonymise the person held under `email` and delete what only serves them.

    Refuses (DomainError, nothing changed) when no one is held under the address, or when
    the person is on the team of a diagnostic that has not ended, unless `force` is given.
    Side effects (one transaction: all or nothing): see the module docstring; an audit entry
    on every diagnostic the person took part in, with no actor (it is done from the command
    line) and naming only the pseudonym; a line in the "peerdiag.privacy" log.
    """
    with transaction.atomic():
        found = find(email)
        if found.open_team_diagnostics and not force:
            raise DomainError(
                f"{found.email} is on the team of {found.open_team_text()}: take them off the "
                "team or wait until it is closed or cancelled, or use --force to erase them anyway"
            )
        code = found.pseudonym_code()
        result = Erasure(pseudonym=erased_name(code), email=erased_email(code))
        diagnostics = _diagnostics_of(found)
        old = _old_values(found, result)
        _rewrite_versions(diagnostics, old, result)
        _rewrite_access_reasons(diagnostics, old, result)
        if found.user is not None:
            _erase_user(found.user, result)
        for person in found.people:
            _erase_person(person, result)
        _erase_attendees(found, result)
        result.add(
            "timetable invitations sent",
            SentInvitation.objects.filter(email__iexact=found.email).delete()[0],
        )
        summary = f"Personal details erased on request; the person now shows as {result.pseudonym}"
        if reason.strip():
            summary += f". Reason: {' '.join(reason.split())}"
        for diagnostic in diagnostics:
            audit.record(diagnostic, by=None, action=AUDIT_ACTION, summary=summary)
        result.diagnostics = [d.reference for d in diagnostics]
    log.info(
        "person erased as %s (%s); diagnostics: %s",
        result.pseudonym,
        ", ".join(f"{k}: {v}" for k, v in sorted(result.counts.items())) or "nothing",
        ", ".join(result.diagnostics) or "none",
    )
    return result


# Steps ----------------------------------------------------------------------------------------


def _diagnostics_of(found: Found) -> list[Diagnostic]:
    people = found.people
    q = (
        Q(team__person__in=people)
        | Q(council_roles__person__in=people)
        | Q(conflict_declarations__person__in=people)
        | Q(attendees__in=found.attendees)
        | Q(surveys__respondent__in=people)
    )
    return list(Diagnostic.objects.filter(q).distinct().order_by("reference"))


def _old_values(found: Found, result: Erasure) -> dict[str, str]:
    """Each name and address the person was known by, and what replaces it."""
    values: dict[str, str] = {}
    for name in [p.full_name for p in found.people] + [a.name for a in found.attendees]:
        if name.strip():
            values[name] = result.pseudonym
    if found.user is not None and found.user.full_name.strip():
        values[found.user.full_name] = result.pseudonym
    for email in [found.email, *(p.email for p in found.people)]:
        if email.strip():
            values[email] = ""
    return values


def _replace(value: object, old: dict[str, str]) -> tuple[object, int]:
    """`value` (parsed JSON) with every string equal to a key of `old` replaced; and how many."""
    if isinstance(value, str):
        return (old[value], 1) if value in old else (value, 0)
    if isinstance(value, list):
        pairs = [_replace(v, old) for v in value]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    if isinstance(value, dict):
        out, n = {}, 0
        for key, v in value.items():
            out[key], k = _replace(v, old)
            n += k
        return out, n
    return value, 0


def _rewrite_versions(diagnostics: list[Diagnostic], old: dict[str, str], result: Erasure) -> None:
    """Published timetable versions keep the names people had then: put the pseudonym in."""
    if not old:
        return
    for version in TimetableVersion.objects.filter(diagnostic__in=diagnostics):
        changed = 0
        for name in ("problem", "solution", "snapshot"):
            value, n = _replace(getattr(version, name), old)
            if n:
                setattr(version, name, value)
                changed += n
        if changed:
            version.save(update_fields=["problem", "solution", "snapshot"])
            result.add("timetable versions", 1)


def _rewrite_access_reasons(
    diagnostics: list[Diagnostic], old: dict[str, str], result: Erasure
) -> None:
    """The log of data access grants stays, but its reasons name people: put the pseudonym in."""
    names = [name for name, new in old.items() if new]
    if not names:
        return
    q = Q()
    for name in names:
        q |= Q(reason__contains=name)
    for event in DataAccessEvent.objects.filter(q, diagnostic__in=diagnostics):
        for name in names:
            event.reason = event.reason.replace(name, result.pseudonym)
        event.save(update_fields=["reason"])
        result.add("data access reasons", 1)


def _erase_user(user: User, result: Erasure) -> None:
    result.add("API tokens", ApiToken.objects.filter(user=user).delete()[0])
    result.add("authenticator apps", TotpDevice.objects.filter(user=user).delete()[0])
    result.add("passkeys", Passkey.objects.filter(user=user).delete()[0])
    result.add("recovery codes", RecoveryCode.objects.filter(user=user).delete()[0])
    result.add("account invitations", Invitation.objects.filter(user=user).delete()[0])
    result.add("sessions", _delete_sessions(user))
    throttle.clear_failures(email=user.email)
    user.full_name = result.pseudonym
    user.email = result.email
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["full_name", "email", "is_active", "password"])
    result.add("logins", 1)


def _delete_sessions(user: User) -> int:
    """Delete every stored session signed in as `user` (database-backed session engines).

    With any engine the sessions stop working anyway: the password changed (Django checks a
    hash of it on each request) and the login is switched off.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store, "get_model_class", None)
    if get_model is None:
        return 0
    deleted = 0
    for session in get_model().objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store().decode(session.session_data)
        if str(data.get("_auth_user_id")) == str(user.pk):
            store(session_key=session.session_key).delete()
            deleted += 1
    return deleted


def _erase_person(person: Person, result: Erasure) -> None:
    person.full_name = result.pseudonym
    person.job_title = ""
    person.email = ""
    person.phone = ""
    person.save(update_fields=["full_name", "job_title", "email", "phone", "updated_at"])
    result.add("directory entries", 1)
    result.add("calendar feeds", CalendarFeed.objects.filter(person=person).delete()[0])
    # The bench profile (seniority, roles, expertise, recent work, the profile text) goes
    # whole: nothing hangs off it, and an erased person is no longer offered as a peer.
    result.add(
        "bench profiles",
        PeerProfile.objects.filter(person=person).delete()[1].get(PeerProfile._meta.label, 0),
    )
    result.add(
        "declarations",
        ConflictDeclaration.objects.filter(person=person).update(details=""),
    )
    result.add(
        "signatures",
        Signature.objects.filter(person=person).update(typed_name=result.pseudonym),
    )
    # Counted for the summary only; these rows are kept as they are.
    result.add("team places kept", TeamMember.objects.filter(person=person).count())
    result.add("council roles kept", CouncilRole.objects.filter(person=person).count())
    result.add("survey answers kept", Survey.objects.filter(respondent=person).count())


def _erase_attendees(found: Found, result: Erasure) -> None:
    ids = [a.pk for a in found.attendees]
    if not ids:
        return
    result.add("calendar feeds", CalendarFeed.objects.filter(attendee_id__in=ids).delete()[0])
    result.add(
        "attendee records",
        Attendee.objects.filter(pk__in=ids).update(
            name=result.pseudonym, job_title="", email="", updated_at=timezone.now()
        ),
    )
