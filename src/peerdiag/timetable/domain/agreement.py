"""The council's agreement of the published timetable (decision 19).

The organiser (or the sponsor) agrees a published version for the council: who, when and which
version number are kept on the TimetableVersion. When a later version is published, the changes
since the agreed version are listed so the council can agree again. Agreeing is only for the
latest published version: a page opened before a newer publish is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, CouncilRoleKind
from peerdiag.diagnostics.models import CouncilRole, Diagnostic

from ..models import Timetable, TimetableVersion
from .versions import Change, changes_between
from .week import timetable_for


@dataclass(frozen=True)
class AgreementState:
    latest: TimetableVersion | None
    agreed: TimetableVersion | None  # the latest version the council agreed
    changes: list[Change] = field(default_factory=list)  # since the agreed version

    @property
    def current(self) -> bool:
        """The council has agreed the latest published version."""
        return (
            self.latest is not None
            and self.agreed is not None
            and (self.agreed.number == self.latest.number)
        )

    @property
    def needs_agreement(self) -> bool:
        return self.latest is not None and not self.current

    @property
    def summary(self) -> str:
        if self.latest is None:
            return "Nothing is published yet, so there is nothing to agree"
        if self.agreed is None:
            return f"Version {self.latest.number} is not agreed by the council yet"
        who = self.agreed.agreed_by.get_full_name() if self.agreed.agreed_by else "someone"
        when = timezone.localtime(self.agreed.agreed_at).strftime("%-d %B %Y, %H:%M")
        role = f" ({self.agreed.agreed_as})" if self.agreed.agreed_as else ""
        text = f"Agreed version {self.agreed.number}: {who}{role}, {when}"
        if not self.current:
            text = (
                f"Agreed version {self.agreed.number}; version {self.latest.number} has changes"
                f" ({who}{role} agreed on {when})"
            )
        return text


def agreement_state(diagnostic: Diagnostic) -> AgreementState:
    """The latest published version, the latest agreed one, and the changes between them."""
    versions = list(
        TimetableVersion.objects.filter(diagnostic=diagnostic)
        .select_related("agreed_by")
        .order_by("-number")
        .only("number", "agreed_at", "agreed_by", "agreed_as", "snapshot", "published_at")
    )
    if not versions:
        return AgreementState(latest=None, agreed=None)
    latest = versions[0]
    agreed = next((v for v in versions if v.agreed_at is not None), None)
    changes: list[Change] = []
    if agreed is not None and agreed.number != latest.number:
        changes = changes_between(agreed.snapshot, latest.snapshot)
    return AgreementState(latest=latest, agreed=agreed, changes=changes)


def _council_role(diagnostic: Diagnostic, by: User) -> str:
    person = getattr(by, "person", None)
    if person is None:
        return ""
    roles = set(
        CouncilRole.objects.filter(
            diagnostic=diagnostic,
            person=person,
            role__in=(CouncilRoleKind.ORGANISER, CouncilRoleKind.SPONSOR),
        ).values_list("role", flat=True)
    )
    for kind in (CouncilRoleKind.ORGANISER, CouncilRoleKind.SPONSOR):
        if kind in roles:
            return CouncilRoleKind(kind).label.lower()
    return ""


def agree_version(diagnostic: Diagnostic, *, by: User, number: int) -> TimetableVersion:
    """The council (its organiser or sponsor) agrees published version `number`.

    Refused when `by` is neither the organiser nor the sponsor, when the diagnostic has ended,
    when `number` is not the latest published version (a newer one came out after the page was
    opened: its changes need reading first) and when it is already agreed.
    Side effects: the version's agreed_at, agreed_by and agreed_as; audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    role = _council_role(diagnostic, by)
    if not role:
        raise DomainError("Only the council's organiser or sponsor can agree the timetable")
    with transaction.atomic():
        # Publishing takes the same lock, so a version cannot appear while we agree.
        Timetable.objects.select_for_update().filter(pk=timetable_for(diagnostic).pk).first()
        latest = (
            TimetableVersion.objects.select_for_update()
            .filter(diagnostic=diagnostic)
            .order_by("-number")
            .first()
        )
        if latest is None:
            raise DomainError("Nothing is published yet, so there is nothing to agree")
        if latest.number != number:
            raise DomainError(
                f"Version {latest.number} was published after you opened the page, so version "
                f"{number} was not agreed. Read the changes in version {latest.number} and agree "
                "that instead",
                field="number",
            )
        if latest.agreed_at is not None:
            raise DomainError(f"Version {number} is already agreed", field="number")
        latest.agreed_at = timezone.now()
        latest.agreed_by = by
        latest.agreed_as = role
        latest.save(update_fields=["agreed_at", "agreed_by", "agreed_as"])
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Agreed timetable version {number} for the council (as {role})",
        )
    return latest
