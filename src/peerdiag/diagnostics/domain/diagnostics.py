"""Creating a diagnostic and changing its details and day 1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim
from peerdiag.directory.models import Organisation, Person

from ..enums import ENDED, DiagnosticType, Stage, TeamRole
from ..models import Diagnostic, ReferenceCounter, TeamMember
from . import audit
from .keydates import day1_problem, day1_warning

EARLIEST_DAY1, LATEST_DAY1 = date(2000, 1, 1), date(2099, 12, 31)

DETAIL_FIELDS = (
    "title",
    "type",
    "type_other",
    "focus_statement",
    "covid_theme",
    "online_platform",
    "online_platform_other",
    "case_review_in_scope",
    "written_feedback_format",
    "internal_notes",
)

# Fields whose text the retention run destroys: their old and new values stay out of the
# audit trail.
UNRECORDED_TEXT = frozenset({"internal_notes"})


def _next_reference(year: int) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    while True:
        counter.last += 1
        reference = f"RPD-{year}-{counter.last:03d}"
        # Skip numbers already taken by a reference made some other way (an import, say).
        if not Diagnostic.objects.filter(reference=reference).exists():
            break
    counter.save(update_fields=["last"])
    return reference


def create_diagnostic(
    *,
    by: User | None,
    host_council: Organisation,
    title: str,
    type: str,
    type_other: str = "",
    manager: Person | None = None,
    year: int | None = None,
) -> Diagnostic:
    """Open a diagnostic at the enquiry stage with the next reference of the year.

    `manager` becomes the team's peer challenge manager. Side effects: audit entry.
    """
    if not host_council.is_council:
        raise DomainError("The host must be a council", field="host_council")
    if type not in DiagnosticType.values:
        raise DomainError("Choose a type of diagnostic", field="type")
    if type == DiagnosticType.OTHER and not type_other.strip():
        raise DomainError("Say what kind of diagnostic this is", field="type_other")
    if not title.strip():
        raise DomainError("Enter a title", field="title")
    _check_choices_and_lengths({"title": title.strip(), "type_other": type_other.strip()})
    with transaction.atomic():
        d = Diagnostic.objects.create(
            reference=_next_reference(year or timezone.localdate().year),
            host_council=host_council,
            title=title.strip(),
            type=type,
            type_other=type_other.strip() if type == DiagnosticType.OTHER else "",
            created_by=by,
            stage_changed_at=timezone.now(),
        )
        audit.record(d, by=by, action="create", summary=f"Opened {d.reference} for {host_council}")
        if manager is not None:
            TeamMember.objects.create(
                diagnostic=d, person=manager, role=TeamRole.PEER_CHALLENGE_MANAGER
            )
            audit.record(
                d, by=by, action="team", summary=f"{manager} added as peer challenge manager"
            )
    return d


def update_details(
    diagnostic: Diagnostic, *, by: User | None, version: int | None, **changes: Any
) -> list[dict[str, str]]:
    """Change any of DETAIL_FIELDS. Returns the changes made (empty when nothing changed).

    Refused with StaleEdit (nothing saved) when someone saved the details or day 1 after
    `version`. Side effects: one audit entry listing every field that changed.
    """
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")
    if "title" in changes and not str(changes["title"]).strip():
        raise DomainError("Enter a title", field="title")
    new_type = changes.get("type", diagnostic.type)
    if new_type not in DiagnosticType.values:
        raise DomainError("Choose a type of diagnostic", field="type")
    new_other = changes.get("type_other", diagnostic.type_other)
    if new_type == DiagnosticType.OTHER and not str(new_other).strip():
        raise DomainError("Say what kind of diagnostic this is", field="type_other")
    if (
        "case_review_in_scope" in changes
        and _past_preparation(diagnostic)
        and changes["case_review_in_scope"] != diagnostic.case_review_in_scope
    ):
        raise DomainError(
            "Whether a case review is in scope cannot change once preparation is over",
            field="case_review_in_scope",
        )
    _check_choices_and_lengths(changes)
    with transaction.atomic():
        claim(diagnostic, version=version, by=by, noun="the details of this diagnostic")
        before = audit.snapshot(diagnostic, changes)
        for name, value in changes.items():
            setattr(diagnostic, name, value)
        if diagnostic.type != DiagnosticType.OTHER:
            diagnostic.type_other = ""
        after = audit.snapshot(diagnostic, changes)
        diff = audit.diff(before, after)
        for change in diff:
            if change["field"] in UNRECORDED_TEXT:
                # The trail cannot be blanked later, so text that retention must destroy
                # is never copied into it: the entry says only that it changed.
                change["old"] = change["new"] = "(not recorded)"
        if diff:
            # Only the fields changed here: claim() has already written the version.
            diagnostic.save(update_fields=[*changes, "type_other", "updated_at"])
            audit.record(
                diagnostic,
                by=by,
                action="details",
                summary="Changed " + ", ".join(c["label"].lower() for c in diff),
                changes=diff,
            )
    return diff


def _check_choices_and_lengths(changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        field = Diagnostic._meta.get_field(name)
        if not isinstance(value, str) or not isinstance(field, models.Field):
            continue
        if field.choices and value and value not in {str(c[0]) for c in field.choices}:
            raise DomainError(f"{value!r} is not one of the choices", field=name)
        max_length = getattr(field, "max_length", None)
        if max_length and len(value) > max_length:
            raise DomainError(f"Keep this under {max_length} characters", field=name)


def _past_preparation(d: Diagnostic) -> bool:
    return d.stage in {
        Stage.CASE_REVIEW,
        Stage.READY,
        Stage.DELIVERY,
        Stage.DRAFTING,
        Stage.FEEDBACK_GIVEN,
        Stage.WRITTEN_FEEDBACK_ISSUED,
        Stage.EVALUATION,
    }


def _check_already_held(by: User | None, *, already_held: bool) -> None:
    """A day 1 in the past is refused, unless an LGA administrator confirms that the diagnostic
    was already held and is being recorded after the event."""
    admin = by is not None and by.is_staff
    if not admin:
        raise DomainError(
            "Day 1 cannot be in the past. To record a diagnostic that was already held, ask an "
            "LGA administrator",
            field="day1",
        )
    if not already_held:
        raise DomainError(
            "Day 1 is in the past. If this diagnostic was already held and you are recording "
            "it, tick the box to confirm",
            field="already_held",
        )


def set_day1(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    day1: date | None,
    version: int | None,
    today: date | None = None,
    already_held: bool = False,
) -> str | None:
    """Set (or clear) delivery day 1; every key date follows. Returns a warning, if any.

    Refused for a weekend or bank holiday, and once delivery has started; refused with
    StaleEdit (nothing saved) when someone saved the details or day 1 after `version`.
    Given `today`, a new day 1 before it is refused unless an LGA administrator confirms
    `already_held` (recording a diagnostic that has taken place). Side effects: audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="day1")
    if _past_preparation(diagnostic) and diagnostic.stage not in {Stage.CASE_REVIEW, Stage.READY}:
        raise DomainError("Day 1 cannot change once delivery has started", field="day1")
    if day1 is not None and not EARLIEST_DAY1 <= day1 <= LATEST_DAY1:
        raise DomainError(
            f"Day 1 must fall between {EARLIEST_DAY1.year} and {LATEST_DAY1.year}", field="day1"
        )
    if day1 is not None:
        problem = day1_problem(day1)
        if problem:
            raise DomainError(problem, field="day1")
    past = day1 is not None and today is not None and day1 < today and day1 != diagnostic.day1
    if past:
        _check_already_held(by, already_held=already_held)
    with transaction.atomic():
        claim(diagnostic, version=version, by=by, noun="the dates of this diagnostic")
        before = audit.snapshot(diagnostic, ["day1"])
        diagnostic.day1 = day1
        diff = audit.diff(before, audit.snapshot(diagnostic, ["day1"]))
        if diff:
            diagnostic.save(update_fields=["day1", "updated_at"])
            audit.record(
                diagnostic,
                by=by,
                action="dates",
                summary="Cleared delivery day 1"
                if day1 is None
                else "Set delivery day 1"
                + (" (recording a diagnostic already held)" if past else ""),
                changes=diff,
            )
    return day1_warning(day1) if day1 else None


@dataclass(frozen=True)
class DetailsChanged:
    fields: list[str]  # the names of the fields that changed (day1 among them)
    warnings: list[str]  # about day 1, when it is unusual but allowed


def change_details(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    version: int | None,
    changes: dict[str, Any],
    already_held: bool = False,
    today: date | None = None,
) -> DetailsChanged:
    """Change delivery day 1 (a `day1` key in `changes`) and any other details in one go, all
    or nothing, as set_day1 and update_details each would. A stale `version` refuses the lot
    with StaleEdit; so does anything either refuses (DomainError), with nothing saved."""
    rest = dict(changes)
    changed: list[str] = []
    warnings: list[str] = []
    with transaction.atomic():
        if "day1" in rest:
            day1 = rest.pop("day1")
            before = diagnostic.day1
            warning = set_day1(
                diagnostic,
                by=by,
                day1=day1,
                version=version,
                today=today or timezone.localdate(),
                already_held=already_held,
            )
            version = diagnostic.version  # one request, one change: the details follow on
            changed += ["day1"] if before != day1 else []
            warnings += [warning] if warning else []
        if rest:
            changed += [
                c["field"] for c in update_details(diagnostic, by=by, version=version, **rest)
            ]
    return DetailsChanged(fields=changed, warnings=warnings)
