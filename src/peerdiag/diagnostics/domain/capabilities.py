"""Gate conditions owned by capabilities that live in other apps.

A capability (the team builder, key documents, the timetable, the case review, findings,
reports, evaluation) registers a check here when it is built. Until then, its conditions
report themselves as not yet available, so a gate never passes on something nobody checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import Diagnostic


@dataclass(frozen=True)
class Blocker:
    """One thing missing before a diagnostic may move on, in words a PCM understands.

    `fix` names the part of the diagnostic where it is put right (the web and API map it to a
    page or endpoint); `unavailable` marks a condition whose capability is not built yet.
    """

    code: str
    message: str
    fix: str = ""
    unavailable: bool = False


# The page (a URL name taking the diagnostic's reference) where each kind of blocker is put
# right: the overview's task list, the to-do lists and the gate messages all link through it.
FIX_PAGES = {
    "details": "web:diagnostic_edit",
    "dates": "web:diagnostic_dates",
    "kloes": "web:kloe_list",
    "roles": "web:council_roles",
    "endorsements": "web:council_roles",
    "scoping": "web:scoping",
    "scope": "web:scope",
    "team": "web:team",
    "briefing": "web:briefing",
    "confidentiality": "web:confidentiality",
    "access": "web:data_access",
    "documents": "web:document_list",
    "timetable": "web:timetable",
    "findings": "web:drafting_board",
    "kit": "web:kit_digests",
    "written": "web:written_feedback",
    "evaluation": "web:evaluation",
    "closing": "web:closing_destroy",
}


CapabilityCheck = Callable[[Diagnostic, str], list[Blocker]]

CAPABILITY_LABELS = {
    "team": "peer team",
    "documents": "key documents",
    "timetable": "timetable",
    "case_review": "case record review",
    "findings": "findings",
    "reports": "reports",
    "evaluation": "evaluation",
    "retention": "data retention",
}

_registry: dict[str, CapabilityCheck] = {}


def register_capability(name: str, check: CapabilityCheck) -> None:
    if name not in CAPABILITY_LABELS:
        raise ValueError(f"Unknown capability {name!r}")
    _registry[name] = check


WarningCheck = Callable[[Diagnostic, str], list[str]]
_warnings: dict[str, WarningCheck] = {}


def register_warnings(name: str, check: WarningCheck) -> None:
    """A capability's advice for a move: shown beside the blockers, never blocking."""
    if name not in CAPABILITY_LABELS:
        raise ValueError(f"Unknown capability {name!r}")
    _warnings[name] = check


def capability_warnings(diagnostic: Diagnostic, to_stage: str) -> list[str]:
    return [w for name in sorted(_warnings) for w in _warnings[name](diagnostic, to_stage)]


def unregister_capability(name: str) -> None:
    _registry.pop(name, None)


def registered() -> dict[str, CapabilityCheck]:
    """A copy of the registry (tests save and restore it)."""
    return dict(_registry)


def restore(saved: dict[str, CapabilityCheck]) -> None:
    _registry.clear()
    _registry.update(saved)


def capability_blockers(
    name: str, diagnostic: Diagnostic, to_stage: str, *, needs: list[str]
) -> list[Blocker]:
    """The capability's own blockers, or one 'not yet available' blocker per condition."""
    check = _registry.get(name)
    if check is not None:
        return check(diagnostic, to_stage)
    label = CAPABILITY_LABELS[name]
    return [
        Blocker(
            code=f"{name}.unavailable",
            message=f"{need} (cannot be checked yet: the {label} part of peerdiag is "
            "not yet available)",
            fix=name,
            unavailable=True,
        )
        for need in needs
    ]
