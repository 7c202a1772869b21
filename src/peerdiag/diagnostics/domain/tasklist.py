"""The diagnostic's overview as a task list: one section per part of the work (issue 18).

A pure read. Every gate of the workflow is listed here with the tasks that stand for its
conditions. The gate out of the current stage is not re-checked here: its blockers, exactly as
`gates.gate_blockers` returns them, decide which of its tasks are done, so the list and the gate
cannot disagree. A blocker that no task below names (a capability added later, say) becomes a
task of its own. Gates already passed show their tasks as completed, unless the current gate
asks for the same thing again (the scope changed after the sponsor confirmed it, for example);
gates not reached yet cannot start.

The function knows nothing of pages: the caller passes `link_for`, which turns a blocker's
`fix` into a URL the user may open, or into "" (no link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.utils import timezone

from ..enums import ENDED, MAIN_LINE, Stage
from ..models import Diagnostic
from .capabilities import Blocker
from .gates import gate_blockers, next_stages


class Status(StrEnum):
    COMPLETED = "Completed"
    IN_PROGRESS = "In progress"
    NOT_STARTED = "Not started"
    CANNOT_START = "Cannot start yet"


@dataclass(frozen=True)
class TaskDef:
    """One task of a gate. `codes` are blocker codes; one ending in '.' or '_' is a prefix.
    `started` lists codes that mean the work has begun but is not finished. `council` marks a
    task the host council's own people act on or follow."""

    key: str
    name: str
    codes: tuple[str, ...]
    fix: str
    started: tuple[str, ...] = ()
    council: bool = False
    case_review_only: bool = False

    def covers(self, code: str) -> bool:
        return any(code.startswith(c) if c[-1] in "._" else code == c for c in self.codes)

    def names(self, code: str) -> bool:
        """Whether the task names exactly this code (not through a prefix)."""
        return code in self.codes


@dataclass
class Task:
    key: str
    name: str
    status: Status
    link: str = ""
    hint: str = ""
    blockers: list[Blocker] = field(default_factory=list)
    gate: Stage | None = None  # the stage whose gate the task belongs to

    @property
    def done(self) -> bool:
        return self.status == Status.COMPLETED


@dataclass
class Section:
    key: str
    title: str
    tasks: list[Task]
    current: bool = False

    @property
    def completed(self) -> int:
        return sum(1 for t in self.tasks if t.done)

    @property
    def status(self) -> Status:
        if self.tasks and all(t.done for t in self.tasks):
            return Status.COMPLETED
        if all(t.status == Status.CANNOT_START for t in self.tasks):
            return Status.CANNOT_START
        if any(t.done or t.status == Status.IN_PROGRESS for t in self.tasks):
            return Status.IN_PROGRESS
        return Status.NOT_STARTED


T = TaskDef
# The gate out of each stage, and the tasks that stand for its conditions (gates.py).
GATE_TASKS: dict[Stage, tuple[TaskDef, ...]] = {
    Stage.ENQUIRY: (
        T("region", "Record the host council's region", ("region",), "details"),
        T("sponsor", "Name the council's sponsor", ("sponsor",), "roles", council=True),
        T("scoping_booked", "Book the scoping meeting", ("scoping_booked",), "scoping"),
    ),
    Stage.SCOPING_SCHEDULED: (
        T(
            "scoping_held",
            "Hold the scoping meeting with the sponsor",
            ("scoping_held", "sponsor_attended"),
            "scoping",
            started=("sponsor_attended",),
            council=True,
        ),
        T("suitability", "Decide whether a diagnostic is suitable", ("suitability",), "scoping"),
        T("focus", "Write the focus statement", ("focus",), "details", council=True),
        T("kloes", "Agree the key lines of enquiry", ("kloes",), "kloes", council=True),
        T("team_needs", "Record what the peer team needs", ("team_requirements",), "scoping"),
        T(
            "case_review_scope",
            "Decide on a case record review and its case lists",
            ("case_review", "case_lists"),
            "details",
            started=("case_lists",),
        ),
        T("covid", "Decide whether COVID-19 is a theme", ("covid",), "details"),
    ),
    Stage.SCOPED: (
        T(
            "suitable",
            "Confirm the diagnostic is suitable",
            ("suitable", "not_unsuitable"),
            "scoping",
        ),
        T("organiser", "Name the council's organiser", ("organiser",), "roles", council=True),
        T("platform", "Choose the online platform", ("platform",), "details"),
        T(
            "endorsements_asked",
            "Ask for the lead member's and chief executive's endorsements",
            ("endorsement_",),
            "endorsements",
            council=True,
        ),
        T(
            "scope_confirmed",
            "The sponsor confirms the scope",
            ("scope_confirmed",),
            "scope",
            council=True,
        ),
    ),
    Stage.TEAM_FORMING: (
        T(
            "team_chosen",
            "Choose the lead peer, the team and the peer challenge manager",
            ("lead_peer", "pcm", "auditors", "team.lead_seniority"),
            "team",
        ),
        T(
            "council_approval",
            "The council approves the peers",
            ("team.council_pending", "team.council_objected"),
            "team_review",
            council=True,
        ),
        T(
            "declarations",
            "Peers declare their interests; conflicts are checked",
            ("team.declaration", "team.conflict"),
            "team",
        ),
        T(
            "confidentiality_decision",
            "The council says whether peers sign a confidentiality agreement",
            ("team.confidentiality_decision",),
            "confidentiality",
            council=True,
        ),
        T(
            "briefing",
            "Issue the briefing; peers acknowledge it and sign where required",
            ("team.briefing", "team.not_cleared"),
            "briefing",
            started=("team.not_cleared",),
        ),
    ),
    Stage.PREPARATION: (
        T("day1", "Set delivery day 1", ("day1",), "dates"),
        T(
            "documents",
            "The council supplies the key documents and the team accepts them",
            ("documents.",),
            "documents",
            started=("documents.not_accepted",),
            council=True,
        ),
        T(
            "timetable_draft",
            "Publish a timetable that covers every key line of enquiry",
            ("timetable.",),
            "timetable",
            started=("timetable.kloe_uncovered", "timetable.links_missing"),
            council=True,
        ),
    ),
    Stage.CASE_REVIEW: (
        T(
            "case_sharing",
            "Agree how the council shares the cases",
            ("case_review.not_started", "case_review.sharing"),
            "case_review",
            council=True,
        ),
        T("case_selection", "Choose the cases", ("case_review.no_cases",), "case_review"),
        T(
            "case_audits",
            "Finish the case audits",
            ("case_review.audits",),
            "case_review",
            started=("case_review.audits",),
        ),
        T(
            "case_concerns",
            "Escalate every safeguarding concern to the council",
            ("case_review.concerns",),
            "case_review",
        ),
        T(
            "case_report",
            "Issue the case review report",
            ("case_review.report",),
            "case_review",
            council=True,
        ),
    ),
    Stage.READY: (
        T(
            "endorsements_given",
            "The lead member and chief executive give their endorsements",
            ("endorsed_",),
            "endorsements",
            council=True,
        ),
        T(
            "scope_still_confirmed",
            "The scope is confirmed as it stands",
            ("scope_confirmed",),
            "scope",
            council=True,
        ),
        T(
            "timetable_agreed",
            "The council agrees the published timetable, with every meeting link",
            ("timetable.",),
            "timetable",
            started=(
                "timetable.kloe_uncovered",
                "timetable.links_missing",
                "timetable.unpublished_changes",
                "timetable.not_agreed",
            ),
            council=True,
        ),
        T(
            "access_cleared",
            "Only cleared peers hold data access",
            ("team.access_not_cleared",),
            "access",
        ),
    ),
    Stage.DELIVERY: (
        T("days_done", "Hold delivery days 1 to 5", ("days_done",), "dates"),
        T(
            "meetings_held",
            "Record the KIT and peer team meetings as held",
            ("timetable.",),
            "timetable",
            started=("timetable.kit_not_held", "timetable.peer_team_not_held"),
        ),
    ),
    Stage.DRAFTING: (
        T("feedback_day", "Hold the feedback meeting (day 7)", ("feedback_day",), "dates"),
        T(
            "preview",
            "Preview the final messages with the sponsor at a KIT meeting",
            ("findings.no_preview",),
            "kit",
            council=True,
        ),
        T(
            "board",
            "Agree and approve the findings and recommendations",
            ("findings.",),
            "findings",
            started=(
                "findings.unsupported",
                "findings.recommendation_unlinked",
                "findings.unapproved",
            ),
        ),
    ),
    Stage.FEEDBACK_GIVEN: (
        T("format", "Choose report or slides for the written feedback", ("format",), "details"),
        T(
            "written_issued",
            "Take the written feedback through its checks and issue it",
            ("reports.",),
            "written",
            council=True,
        ),
    ),
    Stage.WRITTEN_FEEDBACK_ISSUED: (
        T(
            "survey_sent",
            "Send the evaluation survey to the sponsor and organiser",
            ("evaluation.",),
            "evaluation",
            council=True,
        ),
    ),
    Stage.EVALUATION: (
        T(
            "outcome",
            "Record the evaluation and the further support decided",
            ("evaluation.",),
            "evaluation",
        ),
        T(
            "case_content_destroyed",
            "Destroy the case review's content",
            ("retention.",),
            "case_review",
            case_review_only=True,
        ),
        T("notes_destroyed", "Destroy the peer notes", ("findings.notes_kept",), "findings"),
    ),
}
# The sections of the overview, in the order of the work, and the gates each one holds.
SECTIONS: tuple[tuple[str, str, tuple[Stage, ...]], ...] = (
    ("scoping", "Scoping", (Stage.ENQUIRY, Stage.SCOPING_SCHEDULED, Stage.SCOPED)),
    ("team", "Forming the team", (Stage.TEAM_FORMING,)),
    ("preparation", "Preparation", (Stage.PREPARATION,)),
    ("case_review", "Case record review", (Stage.CASE_REVIEW,)),
    ("delivery", "Delivery week and feedback", (Stage.READY, Stage.DELIVERY, Stage.DRAFTING)),
    ("written", "Written feedback", (Stage.FEEDBACK_GIVEN,)),
    ("evaluation", "Evaluation and closing", (Stage.WRITTEN_FEEDBACK_ISSUED, Stage.EVALUATION)),
)

# At scoped, a diagnostic found not suitable has one task left: closing (gates.py).
NOT_SUITABLE_TASKS = (
    T(
        "close_unsuitable",
        "Close the diagnostic as not suitable and point to other LGA support",
        ("not_unsuitable",),
        "scoping",
    ),
)

HINT_ITEMS = 3


def _hint(blockers: list[Blocker], name: str = "") -> str:
    texts = [t for t in dict.fromkeys(b.message for b in blockers) if t != name]
    shown = "; ".join(texts[:HINT_ITEMS])
    more = len(texts) - HINT_ITEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def _current_status(tdef: TaskDef | None, blockers: list[Blocker]) -> Status:
    if not blockers:
        return Status.COMPLETED
    if any(b.unavailable for b in blockers):
        return Status.CANNOT_START
    started = tdef.started if tdef else ()
    if started and all(any(b.code.startswith(s) for s in started) for b in blockers):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def _position(diagnostic: Diagnostic) -> tuple[Stage | None, bool]:
    """The main-line stage the work stands at, and whether its gate is open to checking."""
    stage = Stage(diagnostic.stage)
    if stage == Stage.POSTPONED:
        before = diagnostic.stage_before_pause
        return (Stage(before) if before in MAIN_LINE else Stage.ENQUIRY), False
    if stage == Stage.CLOSED:
        return Stage.CLOSED, False
    if stage in ENDED:
        return None, False
    return stage, True


def current_blockers(diagnostic: Diagnostic, *, today: date | None = None) -> list[Blocker]:
    """The blockers of the gate out of the current stage (the one next_stages proposes)."""
    out: list[Blocker] = []
    for to in next_stages(diagnostic):
        out += gate_blockers(diagnostic, to, today=today)
    return out


def task_list(
    diagnostic: Diagnostic,
    *,
    link_for: Callable[[str], str],
    council_only: bool = False,
    today: date | None = None,
    blockers: list[Blocker] | None = None,
) -> list[Section]:
    """The overview's sections, the current one first, each with its tasks and their status.

    `link_for(fix)` returns the page where a task is done if the user may open it, else "".
    `council_only` keeps the tasks the host council acts on or follows (for council users).
    `blockers` may pass the current gate's blockers when the caller has them already (they
    must be `current_blockers(diagnostic)`). An empty list means there is no task list (a
    cancelled diagnostic, or one closed as not suitable).
    """
    today = today or timezone.localdate()
    at, checkable = _position(diagnostic)
    if at is None:
        return []
    order = {s: i for i, s in enumerate(MAIN_LINE)}
    if not checkable:
        current: list[Blocker] = []
    elif blockers is None:
        current = current_blockers(diagnostic, today=today)
    else:
        current = blockers
    again = {b.code for b in current}
    with_review = bool(diagnostic.case_review_in_scope)
    closing_unsuitable = at == Stage.SCOPED and Stage.CLOSED_NOT_SUITABLE in next_stages(diagnostic)
    sections: list[Section] = []
    for key, title, gates in SECTIONS:
        if key == "case_review" and not with_review:
            continue
        if closing_unsuitable and key != "scoping":
            continue
        tasks: list[Task] = []
        is_current = at in gates and checkable
        for gate in gates:
            chosen = NOT_SUITABLE_TASKS if closing_unsuitable and gate == at else GATE_TASKS[gate]
            defs = [
                t
                for t in chosen
                if (with_review or not t.case_review_only) and (t.council or not council_only)
            ]
            if gate == at and checkable:
                tasks += _gate_tasks(gate, defs, current, link_for, council_only)
            elif order[gate] < order[at]:
                for t in defs:
                    # Only an exact code: a prefix (timetable.) spans several gates' conditions.
                    redo = [c for c in again if t.names(c)]
                    status = Status.IN_PROGRESS if redo else Status.COMPLETED
                    hint = "Needs doing again" if redo else ""
                    tasks.append(Task(t.key, t.name, status, link_for(t.fix), hint, gate=gate))
            else:
                hint = "Paused while the diagnostic is postponed" if gate == at else ""
                tasks += [
                    Task(t.key, t.name, Status.CANNOT_START, "", hint, gate=gate) for t in defs
                ]
        if tasks:
            sections.append(Section(key, title, tasks, current=is_current))
    sections.sort(key=lambda s: not s.current)
    return sections


def _gate_tasks(
    gate: Stage,
    defs: list[TaskDef],
    blockers: list[Blocker],
    link_for: Callable[[str], str],
    council_only: bool,
) -> list[Task]:
    mine: dict[str, list[Blocker]] = {t.key: [] for t in defs}
    loose: list[Blocker] = []
    for b in blockers:
        owner = next((t for t in defs if t.covers(b.code)), None)
        if owner is not None:
            mine[owner.key].append(b)
        elif not council_only:
            # The council sees only the tasks marked as theirs, never a stray blocker.
            loose.append(b)
    tasks = []
    for t in defs:
        found = mine[t.key]
        # The blocker's own page first (a capability may point somewhere new), else the task's.
        link = (link_for(found[0].fix) if found and found[0].fix else "") or link_for(t.fix)
        status = _current_status(t, found)
        tasks.append(Task(t.key, t.name, status, link, _hint(found, t.name), found, gate=gate))
    for b in loose:
        # A blocker no task names: shown as a task of its own, never dropped.
        status = _current_status(None, [b])
        tasks.append(Task(b.code, b.message, status, link_for(b.fix), "", [b], gate=gate))
    return tasks
