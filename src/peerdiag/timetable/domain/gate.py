"""The timetable's gate conditions and warnings, registered as the 'timetable' capability.

- Leaving preparation: a published timetable, every KLOE heard in at least one interview or
  focus group, and a meeting link on every session.
- Ready to delivery: the latest published version is the current draft (nothing unpublished),
  every session has its link and invitations out, and the council (its organiser or sponsor)
  has agreed that version ("timetable confirmed", decision 19).
- Delivery to drafting: each KIT meeting and peer team meeting of days 1-5 is recorded as held.
"""

from __future__ import annotations

from peerdiag.diagnostics.domain.capabilities import (
    Blocker,
    register_capability,
    register_warnings,
)
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

from ..enums import HEARING_TYPES, SessionStatus, SessionType
from ..models import Session
from .problem import latest_version

LEAVING_PREPARATION = frozenset({Stage.CASE_REVIEW, Stage.READY})


def uncovered_kloes(diagnostic: Diagnostic, sessions: list[dict[str, object]]) -> list[str]:
    """Texts of KLOEs no placed interview or focus group in `sessions` (snapshot form) covers."""
    heard: set[str] = set()
    for s in sessions:
        if s["type"] in HEARING_TYPES:
            heard.update(s["kloes"])  # type: ignore[arg-type]
    return [k.text for k in diagnostic.kloes.order_by("order") if k.code not in heard]


def _published(diagnostic: Diagnostic, *, confirmed: bool) -> list[Blocker]:
    version = latest_version(diagnostic)
    if version is None:
        return [
            Blocker("timetable.unpublished", "The timetable has not been published", "timetable")
        ]
    out = []
    sessions = version.snapshot.get("sessions", [])
    for text in uncovered_kloes(diagnostic, sessions):
        out.append(
            Blocker(
                "timetable.kloe_uncovered",
                f"No interview or focus group covers the line of enquiry ‘{text}’",
                "timetable",
            )
        )
    missing = [s["title"] for s in sessions if not s["link"]]
    if missing:
        shown = ", ".join(f"‘{t}’" for t in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        out.append(
            Blocker(
                "timetable.links_missing",
                f"{len(missing)} sessions have no meeting link: {shown}{more}",
                "timetable",
            )
        )
    if confirmed:
        from .versions import changes_between, snapshot

        if changes_between(version.snapshot, snapshot(diagnostic)):
            out.append(
                Blocker(
                    "timetable.unpublished_changes",
                    "The timetable has changes that are not published",
                    "timetable",
                )
            )
        if version.agreed_at is None:
            out.append(
                Blocker(
                    "timetable.not_agreed",
                    f"The council has not agreed version {version.number} of the timetable",
                    "timetable",
                )
            )
    return out


def _held(diagnostic: Diagnostic) -> list[Blocker]:
    out = []
    kinds = ((SessionType.KIT, "KIT meeting"), (SessionType.PEER_TEAM, "peer team meeting"))
    # One query for both kinds (the overview asks on every view during delivery).
    in_week = list(
        Session.objects.filter(
            diagnostic=diagnostic, type__in=[k for k, _ in kinds], day__lte=5, day__isnull=False
        )
        .exclude(status=SessionStatus.CANCELLED)
        .only("type", "status", "title", "day")
        .order_by("day", "pk")
    )
    for kind, label in kinds:
        rows = [s for s in in_week if s.type == kind]
        if not rows:
            out.append(
                Blocker(f"timetable.no_{kind}", f"No {label} is in the timetable", "timetable")
            )
        for s in (s for s in rows if s.status != SessionStatus.HELD):
            out.append(
                Blocker(
                    f"timetable.{kind}_not_held",
                    f"‘{s.title}’ (day {s.day}) is not recorded as held",
                    "timetable",
                )
            )
    return out


def timetable_blockers(diagnostic: Diagnostic, to_stage: str) -> list[Blocker]:
    if diagnostic.stage == Stage.PREPARATION and to_stage in LEAVING_PREPARATION:
        return _published(diagnostic, confirmed=False)
    if diagnostic.stage == Stage.READY and to_stage == Stage.DELIVERY:
        return _published(diagnostic, confirmed=True)
    if diagnostic.stage == Stage.DELIVERY and to_stage == Stage.DRAFTING:
        return _held(diagnostic)
    return []


def timetable_warnings(diagnostic: Diagnostic, to_stage: str) -> list[str]:
    """The coverage matrix's advice that a KLOE is heard from only one stakeholder group."""
    if not (diagnostic.stage == Stage.PREPARATION and to_stage in LEAVING_PREPARATION):
        return []
    from .coverage import coverage_warnings

    return [w.message for w in coverage_warnings(diagnostic) if w.kind == "kloe_one_group"]


def register() -> None:
    register_capability("timetable", timetable_blockers)
    register_warnings("timetable", timetable_warnings)
