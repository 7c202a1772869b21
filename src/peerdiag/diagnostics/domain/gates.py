"""What must be true before a diagnostic moves from one stage to the next (domain.md d, i).

`gate_blockers` returns data, never raises: the overview page lists it as a checklist, the API
returns it, `advance` refuses while it is not empty. `gate_warnings` lists what is unusual but
allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils import timezone

from ..enums import (
    TRANSITIONS,
    CouncilRoleKind,
    EndorsementStatus,
    EndorserRole,
    Stage,
    Suitability,
    TeamRole,
)
from ..models import Diagnostic
from .capabilities import Blocker, capability_blockers, capability_warnings
from .keydates import day1_warning, delivery_days, written_feedback_due
from .scope import scope_status

GateCheck = Callable[[Diagnostic, str, date], list[Blocker]]


def _roles(diagnostic: Diagnostic) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for role, person_id in diagnostic.council_roles.values_list("role", "person_id"):
        out.setdefault(role, []).append(person_id)
    return out


def _team_counts(diagnostic: Diagnostic) -> dict[str, int]:
    counts = dict.fromkeys(TeamRole.values, 0)
    for role in diagnostic.team.values_list("role", flat=True):
        counts[role] += 1
    return counts


def _endorsements(diagnostic: Diagnostic) -> dict[str, str]:
    return dict(diagnostic.endorsements.values_list("role", "status"))


def _enquiry_to_scoping(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    if not d.host_council.region:
        out.append(Blocker("region", "The host council's LGA region is not known", "details"))
    if CouncilRoleKind.SPONSOR not in _roles(d):
        out.append(Blocker("sponsor", "Name the council's sponsor", "roles"))
    scoping = getattr(d, "scoping", None)
    if scoping is None or scoping.scheduled_for is None:
        out.append(Blocker("scoping_booked", "Book the online scoping meeting", "scoping"))
    return out


def _scoping_to_scoped(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    scoping = getattr(d, "scoping", None)
    if scoping is not None and scoping.held_on is not None and scoping.held_on > today:
        held = scoping.held_on
        out.append(
            Blocker(
                "scoping_held",
                f"The scoping meeting is recorded as held on {held.day} {held:%B %Y}, which is "
                "still to come: correct the date once it has taken place",
                "scoping",
            )
        )
    elif scoping is None or scoping.held_on is None:
        out.append(Blocker("scoping_held", "Record that the scoping meeting was held", "scoping"))
    else:
        sponsors = _roles(d).get(CouncilRoleKind.SPONSOR, [])
        attended = set(scoping.attendees.values_list("id", flat=True))
        if not sponsors or not attended.intersection(sponsors):
            out.append(
                Blocker("sponsor_attended", "Record the sponsor among those at scoping", "scoping")
            )
    if not d.suitability:
        out.append(Blocker("suitability", "Record whether a diagnostic is suitable", "scoping"))
    if not d.focus_statement.strip():
        out.append(Blocker("focus", "Write the focus statement", "details"))
    if not d.kloes.exists():
        out.append(Blocker("kloes", "Agree at least one key line of enquiry", "kloes"))
    if scoping is None or not scoping.team_requirements.strip():
        out.append(Blocker("team_requirements", "Record what the peer team needs", "scoping"))
    if d.case_review_in_scope is None:
        out.append(
            Blocker("case_review", "Decide whether a case record review is in scope", "details")
        )
    elif d.case_review_in_scope and not d.agreed_case_lists.exists():
        out.append(Blocker("case_lists", "Name the case lists agreed at scoping", "scoping"))
    if d.covid_theme is None:
        out.append(Blocker("covid", "Decide whether COVID-19 is a theme", "details"))
    return out


def _scope_confirmation(d: Diagnostic) -> list[Blocker]:
    """The sponsor's confirmation of the scope, current (nothing changed since) (issue 17)."""
    status = scope_status(d)
    if status.confirmed:
        return []
    if status.changes_requested:
        message = "The sponsor asked for changes to the scope: change it, then ask them again"
    elif status.stale:
        message = "The scope changed after the sponsor confirmed it: the sponsor confirms again"
    else:
        message = "The sponsor confirms the focus, key lines of enquiry and case review scope"
    return [Blocker("scope_confirmed", message, "scope")]


def _scoped_onwards(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    if to == Stage.CLOSED_NOT_SUITABLE:
        if d.suitability != Suitability.NOT_SUITABLE:
            return [
                Blocker(
                    "not_unsuitable", "Only a diagnostic found not suitable closes here", "scoping"
                )
            ]
        return []
    out = []
    if d.suitability != Suitability.SUITABLE:
        out.append(Blocker("suitable", "Scoping must find a diagnostic suitable", "scoping"))
    if CouncilRoleKind.ORGANISER not in _roles(d):
        out.append(Blocker("organiser", "Name the council's organiser", "roles"))
    if not d.online_platform:
        out.append(Blocker("platform", "Choose the online platform", "details"))
    given = _endorsements(d)
    for role in EndorserRole:
        if role not in given:
            out.append(
                Blocker(
                    f"endorsement_{role}",
                    f"Record the {role.label.lower()}'s endorsement, even as pending",
                    "endorsements",
                )
            )
    out += _scope_confirmation(d)
    return out


def _team_to_preparation(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    counts = _team_counts(d)
    out = []
    if counts[TeamRole.LEAD_PEER] != 1:
        out.append(
            Blocker(
                "lead_peer", f"The team needs one lead peer (it has {counts['lead_peer']})", "team"
            )
        )
    pcms = counts[TeamRole.PEER_CHALLENGE_MANAGER]
    if pcms != 1:
        out.append(
            Blocker("pcm", f"The team needs one peer challenge manager (it has {pcms})", "team")
        )
    auditors = counts[TeamRole.CASE_AUDITOR]
    if auditors and not d.case_review_in_scope:
        out.append(
            Blocker(
                "auditors", "Case auditors are only on a team with a case review in scope", "team"
            )
        )
    out += capability_blockers(
        "team",
        d,
        to,
        needs=[
            "The lead peer's DCS or AD seniority is confirmed",
            "The council has accepted the peers' profiles",
            "Every peer has acknowledged the briefing and, where required, signed",
            "Conflicts of interest are checked",
        ],
    )
    return out


def _preparation_onwards(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    if to == Stage.CASE_REVIEW and not d.case_review_in_scope:
        out.append(Blocker("no_case_review", "No case record review is in scope", "details"))
    if to == Stage.READY and d.case_review_in_scope:
        out.append(
            Blocker("case_review_first", "The case record review comes before readiness", "details")
        )
    if d.day1 is None:
        out.append(Blocker("day1", "Set delivery day 1", "dates"))
    out += capability_blockers("documents", d, to, needs=["The key documents are supplied"])
    out += capability_blockers(
        "timetable", d, to, needs=["A draft timetable covers every key line of enquiry"]
    )
    return out


def _case_review_to_ready(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    return capability_blockers(
        "case_review",
        d,
        to,
        needs=[
            "The way cases are shared is recorded",
            "Cases are selected from the agreed lists",
            "Every case audit is finished",
            "Every safeguarding concern is escalated or resolved",
            "The case review report is shared with the team and the council",
            "A case auditor carrying on into delivery is identified",
        ],
    )


def _ready_to_delivery(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    status = _endorsements(d)
    for role in EndorserRole:
        if status.get(role) != EndorsementStatus.GIVEN:
            out.append(
                Blocker(
                    f"endorsed_{role}",
                    f"The {role.label.lower()}'s endorsement must be given before delivery",
                    "endorsements",
                )
            )
    out += _scope_confirmation(d)
    out += capability_blockers(
        "timetable", d, to, needs=["The timetable is confirmed and meeting links issued"]
    )
    out += capability_blockers(
        "team", d, to, needs=["Only briefed (and, where required, signed) peers hold data access"]
    )
    return out


def _delivery_to_drafting(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    if d.day1 is None or delivery_days(d.day1)[4] >= today:
        out.append(Blocker("days_done", "Delivery days 1 to 5 are not over yet", "dates"))
    out += capability_blockers(
        "timetable",
        d,
        to,
        needs=["The KIT meetings were held", "The peer team meetings are logged"],
    )
    return out


def _drafting_to_feedback(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    if d.day1 is None or delivery_days(d.day1)[6] > today:
        out.append(
            Blocker("feedback_day", "The feedback meeting (day 7) has not happened", "dates")
        )
    out += capability_blockers(
        "findings",
        d,
        to,
        needs=[
            "The presentation sets out strengths, areas for consideration and recommendations",
            "The sponsor previewed the messages at a KIT meeting",
        ],
    )
    return out


def _feedback_to_written(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    out = []
    if not d.written_feedback_format:
        out.append(Blocker("format", "Choose report or slides for the written feedback", "details"))
    out += capability_blockers(
        "reports", d, to, needs=["The written feedback has been through its checks and issued"]
    )
    return out


def _written_to_evaluation(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    return capability_blockers(
        "evaluation", d, to, needs=["The evaluation survey has gone to the sponsor and organiser"]
    )


def _evaluation_to_closed(d: Diagnostic, to: str, today: date) -> list[Blocker]:
    return (
        capability_blockers(
            "evaluation", d, to, needs=["The evaluation is recorded and further support decided"]
        )
        + capability_blockers("retention", d, to, needs=["Case extracts are confirmed destroyed"])
        + capability_blockers("findings", d, to, needs=["Peer notes are confirmed destroyed"])
    )


GATES: dict[Stage, GateCheck] = {
    Stage.ENQUIRY: _enquiry_to_scoping,
    Stage.SCOPING_SCHEDULED: _scoping_to_scoped,
    Stage.SCOPED: _scoped_onwards,
    Stage.TEAM_FORMING: _team_to_preparation,
    Stage.PREPARATION: _preparation_onwards,
    Stage.CASE_REVIEW: _case_review_to_ready,
    Stage.READY: _ready_to_delivery,
    Stage.DELIVERY: _delivery_to_drafting,
    Stage.DRAFTING: _drafting_to_feedback,
    Stage.FEEDBACK_GIVEN: _feedback_to_written,
    Stage.WRITTEN_FEEDBACK_ISSUED: _written_to_evaluation,
    Stage.EVALUATION: _evaluation_to_closed,
}


def gate_blockers(
    diagnostic: Diagnostic, to_stage: str, *, today: date | None = None
) -> list[Blocker]:
    """Everything missing before `diagnostic` may move to `to_stage`; empty means it may."""
    current = Stage(diagnostic.stage)
    if to_stage not in TRANSITIONS.get(current, ()):
        target = Stage(to_stage).label.lower() if to_stage in Stage.values else repr(to_stage)
        return [
            Blocker(
                "no_such_move", f"A diagnostic at {current.label.lower()} cannot move to {target}"
            )
        ]
    return GATES[current](diagnostic, to_stage, today or timezone.localdate())


def next_stages(diagnostic: Diagnostic) -> list[Stage]:
    """The forward moves that make sense for this diagnostic now (for pages and the API)."""
    options = list(TRANSITIONS.get(Stage(diagnostic.stage), ()))
    if diagnostic.stage == Stage.SCOPED:
        options = (
            [Stage.CLOSED_NOT_SUITABLE]
            if diagnostic.suitability == Suitability.NOT_SUITABLE
            else [Stage.TEAM_FORMING]
        )
    if diagnostic.stage == Stage.PREPARATION:
        options = [Stage.CASE_REVIEW] if diagnostic.case_review_in_scope else [Stage.READY]
    return options


def gate_warnings(diagnostic: Diagnostic, to_stage: str) -> list[str]:
    """Unusual but allowed: shown beside the blockers, never blocking."""
    out = []
    if to_stage == Stage.SCOPED:
        sponsor = (
            diagnostic.council_roles.filter(role=CouncilRoleKind.SPONSOR)
            .select_related("person")
            .first()
        )
        if sponsor and not sponsor.person.is_dcs_or_equivalent:
            out.append(
                f"The sponsor ({sponsor.person.job_title or 'no job title'}) is normally the "
                "Director of Children's Services or equivalent"
            )
    if to_stage == Stage.PREPARATION:
        counts = _team_counts(diagnostic)
        ops = counts[TeamRole.OPERATIONAL_MANAGER]
        if not 2 <= ops <= 3:
            out.append(f"A team usually has 2 or 3 operational managers (it has {ops})")
        auditors = counts[TeamRole.CASE_AUDITOR]
        if diagnostic.case_review_in_scope and auditors != 2:
            out.append(f"A case review usually has 2 case auditors (it has {auditors})")
    out += capability_warnings(diagnostic, to_stage)
    if to_stage in (Stage.CASE_REVIEW, Stage.READY, Stage.DELIVERY):
        out += late_endorsements(diagnostic)
    if diagnostic.day1 and to_stage in (Stage.CASE_REVIEW, Stage.READY):
        warning = day1_warning(diagnostic.day1)
        if warning:
            out.append(warning)
    return out


def late_endorsements(diagnostic: Diagnostic, *, role: str = "") -> list[str]:
    """A warning for each endorsement (or `role`'s) recorded as given after delivery day 1: the
    diagnostic should not start without it, so the date is probably wrong (or day 1 is)."""
    if diagnostic.day1 is None:
        return []
    late = diagnostic.endorsements.filter(
        status=EndorsementStatus.GIVEN, given_on__gt=diagnostic.day1
    ).order_by("role")
    if role:
        late = late.filter(role=role)
    day1 = diagnostic.day1
    return [
        f"The {EndorserRole(e.role).label.lower()}'s endorsement is dated "
        f"{e.given_on.day} {e.given_on:%B %Y}, after delivery day 1 "
        f"({day1.day} {day1:%B %Y}): check the date"
        for e in late
        if e.given_on is not None
    ]


def written_feedback_overdue(diagnostic: Diagnostic, today: date) -> bool:
    return (
        diagnostic.day1 is not None
        and diagnostic.stage == Stage.FEEDBACK_GIVEN
        and diagnostic.written_feedback_issued_on is None
        and written_feedback_due(diagnostic.day1) < today
    )
