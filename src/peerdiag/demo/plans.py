"""The demo's diagnostics: who hosts each, its type, and where it should stand today.

A plan never writes its stage. It names the stage the diagnostic should have reached and how
many working days ago it got there (`ago`); `day1_for` works out the delivery day 1 whose
timeline puts the stage's first step that long ago and the next stage's first step today or
later. The walk then runs every step dated before today, and a test checks each diagnostic
ends where its plan says. No council has two diagnostics whose timelines overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from peerdiag.common.workdays import add_working_days, is_working_day
from peerdiag.diagnostics.enums import DiagnosticType as T
from peerdiag.diagnostics.enums import Stage as S

from .timeline import Timeline


@dataclass(frozen=True)
class Plan:
    key: str  # stable and unique: the content banks and the seed are keyed by it
    title: str
    council: str
    type: str
    stage: str  # where the walk should stop, given today's date
    ago: int  # working days since the diagnostic reached `stage` (at least 1)
    case_review: bool = False
    type_other: str = ""
    turnaround: int = 17  # working days from feedback meeting to issued written feedback
    day1: date = date.min  # filled in by `planned`

    @property
    def seed(self) -> int:
        return sum(ord(c) * (i + 1) for i, c in enumerate(self.key))


PLANS: tuple[Plan, ...] = (
    Plan(
        "nland-send", "SEND support in mainstream schools", "Northumberland", T.SEND, S.ENQUIRY, 3
    ),
    Plan(
        "suffolk-ey",
        "Early language and communication",
        "Suffolk",
        T.EARLY_YEARS,
        S.SCOPING_SCHEDULED,
        4,
    ),
    Plan(
        "plymouth-cic",
        "Placement sufficiency for children in care",
        "Plymouth",
        T.CHILDRENS_SERVICES,
        S.SCOPED,
        3,
    ),
    Plan(
        "derby-mash",
        "The multi-agency safeguarding hub",
        "Derbyshire",
        T.SAFEGUARDING,
        S.TEAM_FORMING,
        8,
        case_review=True,
    ),
    Plan(
        "coventry-cp",
        "Drift and delay in child protection plans",
        "Coventry",
        T.SAFEGUARDING,
        S.PREPARATION,
        12,
        case_review=True,
    ),
    Plan(
        "herts-leavers",
        "Support for care leavers",
        "Hertfordshire",
        T.CHILDRENS_SERVICES,
        S.CASE_REVIEW,
        4,
        case_review=True,
    ),
    Plan(
        "lewisham-exploit",
        "Adolescent risk and exploitation",
        "Lewisham",
        T.SAFEGUARDING,
        S.READY,
        2,
        case_review=True,
    ),
    Plan(
        "kent-oversight",
        "Management oversight of practice",
        "Kent",
        T.SAFEGUARDING,
        S.DELIVERY,
        2,
        case_review=True,
    ),
    Plan("wirral-pfa", "Preparation for adulthood", "Wirral", T.SEND, S.DRAFTING, 1),
    Plan(
        "bristol-workforce",
        "Workforce stability and practice culture",
        "Bristol",
        T.CHILDRENS_SERVICES,
        S.FEEDBACK_GIVEN,
        6,
    ),
    Plan(
        "nottm-hubs",
        "Family hubs and the early years offer",
        "Nottingham",
        T.EARLY_YEARS,
        S.WRITTEN_FEEDBACK_ISSUED,
        4,
    ),
    Plan(
        "cornwall-qa",
        "Quality assurance and learning from practice",
        "Cornwall",
        T.CHILDRENS_SERVICES,
        S.EVALUATION,
        6,
        case_review=True,
        turnaround=24,  # issued late: the portfolio's turnaround chart shows one
    ),
    Plan(
        "kent-permanence",
        "Permanence planning for children in care",
        "Kent",
        T.CHILDRENS_SERVICES,
        S.CLOSED,
        100,
        case_review=True,
    ),
    Plan(
        "bristol-missing",
        "Children missing from home and care",
        "Bristol",
        T.SAFEGUARDING,
        S.CLOSED,
        112,
        case_review=True,
        turnaround=15,
    ),
    Plan(
        "nland-earlyhelp",
        "Early help and step-down from social care",
        "Northumberland",
        T.SAFEGUARDING,
        S.CLOSED,
        130,
    ),
    Plan(
        "herts-whole",
        "Whole-service review",
        "Hertfordshire",
        T.OTHER,
        S.CLOSED_NOT_SUITABLE,
        120,
        type_other="Whole-service improvement review",
    ),
    Plan(
        "wilts-breaks",
        "Short breaks for disabled children",
        "Wiltshire",
        T.SEND,
        S.POSTPONED,
        10,
    ),
    Plan(
        "derby-childcare",
        "Childcare sufficiency and early education",
        "Derbyshire",
        T.EARLY_YEARS,
        S.CANCELLED,
        140,
    ),
)

# The working day each stage is reached on, and the day the next one is, on a timeline.
Reached = Callable[[Timeline], date]
ENTRY: dict[str, Reached] = {
    S.ENQUIRY: lambda t: t.enquiry,
    S.SCOPING_SCHEDULED: lambda t: t.scoping_booked,
    S.SCOPED: lambda t: t.scoping_held,
    S.TEAM_FORMING: lambda t: t.team_forming,
    S.PREPARATION: lambda t: t.preparation,
    S.CASE_REVIEW: lambda t: t.case_review,
    S.READY: lambda t: t.ready,
    S.DELIVERY: lambda t: t.day1,
    S.DRAFTING: lambda t: t.day(6),
    S.FEEDBACK_GIVEN: lambda t: t.day(7),
    S.WRITTEN_FEEDBACK_ISSUED: lambda t: t.written_issued,
    S.EVALUATION: lambda t: t.surveys,
    S.CLOSED: lambda t: t.closed,
    S.CLOSED_NOT_SUITABLE: lambda t: not_suitable_on(t),
    S.POSTPONED: lambda t: postponed_on(t),
    S.CANCELLED: lambda t: cancelled_on(t),
}
NEXT: dict[str, Reached] = {
    S.ENQUIRY: ENTRY[S.SCOPING_SCHEDULED],
    S.SCOPING_SCHEDULED: ENTRY[S.SCOPED],
    S.SCOPED: lambda t: t.scope_confirmed,
    S.TEAM_FORMING: ENTRY[S.PREPARATION],
    S.PREPARATION: ENTRY[S.CASE_REVIEW],
    S.CASE_REVIEW: ENTRY[S.READY],
    S.READY: ENTRY[S.DELIVERY],
    S.DELIVERY: ENTRY[S.DRAFTING],
    S.DRAFTING: ENTRY[S.FEEDBACK_GIVEN],
    S.FEEDBACK_GIVEN: ENTRY[S.WRITTEN_FEEDBACK_ISSUED],
    S.WRITTEN_FEEDBACK_ISSUED: ENTRY[S.EVALUATION],
    S.EVALUATION: ENTRY[S.CLOSED],
}


def not_suitable_on(t: Timeline) -> date:
    return add_working_days(t.scoping_held, 1)


def postponed_on(t: Timeline) -> date:
    """Postponed two weeks into preparation, when the council's director changed."""
    return add_working_days(t.preparation, 10)


def cancelled_on(t: Timeline) -> date:
    """Cancelled while the team was being found: the council chose other support."""
    return add_working_days(t.team_named, 5)


def _latest(plan: Plan, days: list[date], target: date) -> date | None:
    """The earliest day 1 among those with the latest entry on or before `target` (entries rise
    with day 1, so a binary search finds it)."""
    entry = ENTRY[plan.stage]

    def reached(i: int) -> date:
        return entry(Timeline(days[i], plan.turnaround))

    lo, hi = 0, len(days) - 1
    if reached(lo) > target:
        return None
    while lo < hi:  # the last index whose entry is on or before the target
        mid = (lo + hi + 1) // 2
        if reached(mid) <= target:
            lo = mid
        else:
            hi = mid - 1
    best = reached(lo)
    while lo > 0 and reached(lo - 1) == best:
        lo -= 1
    return days[lo]


def day1_for(plan: Plan, today: date, days: list[date] | None = None) -> date:
    """A working day 1 whose timeline reached `plan.stage` about `plan.ago` working days before
    `today`, and the next stage not before today. Timelines move in whole weeks, so the nearest
    number of days ago that satisfies both is taken."""
    days = days or _candidates(today)
    nxt = NEXT.get(plan.stage)
    for ago in sorted(range(1, plan.ago + 10), key=lambda a: (abs(a - plan.ago), a)):
        day1 = _latest(plan, days, add_working_days(today, -ago))
        if day1 is None:
            continue
        if nxt is None or nxt(Timeline(day1, plan.turnaround)) >= today:
            return day1
    raise ValueError(f"{plan.key}: no day 1 puts it at {plan.stage} on {today}")


def _candidates(today: date) -> list[date]:
    """The working days a day 1 may fall on: from 600 days before `today` to 400 after."""
    start = today - timedelta(days=600)
    return [d for d in (start + timedelta(days=i) for i in range(1000)) if is_working_day(d)]


def planned(today: date) -> list[Plan]:
    """Every plan with its day 1 worked out for `today`."""
    from dataclasses import replace

    days = _candidates(today)
    return [replace(p, day1=day1_for(p, today, days)) for p in PLANS]
