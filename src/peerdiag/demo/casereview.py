"""The case record review, walked through the product's own functions at the dates it happens.

It runs right after the diagnostic reaches the case review stage and fills the two working
weeks up to `ctx.tl.case_review_end`:

- day 0: the council's organiser proposes how it shares its case records, the PCM accepts; the
  PCM sets the council's case reference format, imports the lists agreed at scoping (a CSV of
  pseudonymous references made up here, never a name), draws a stratified sample with a seed
  fixed per plan, and shares the cases out between the two case auditors;
- days 1 to 6: each auditor opens one case a day (the read is logged), saves a first reading,
  and finishes the audit the next afternoon; one auditor raises a safeguarding concern, which
  is e-mailed to the council at once and acknowledged by the sponsor; another logs a talk with
  a practitioner's manager;
- day 8: second readings by the lead peer and the PCM (one disagrees), then the auditors write
  the report's themes from the gathered counts;
- day 9: the PCM approves the report and issues it.

Every step is one event with a working day and a time; events run in order and the review
stops at the first event on or after the cutoff, so a diagnostic still at the case review stage
today is left with audits under way. Acting people are the real ones: the organiser proposes,
the PCM decides and chooses, each auditor writes only their own cases.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.casereview.domain import audits, concerns, report, reviews, sampling, sharing
from peerdiag.casereview.domain.lists import import_case_list, set_reference_pattern
from peerdiag.casereview.enums import (
    AgeBand,
    AuditDomain,
    Cohort,
    Grade,
    SendAuditDomain,
    SharingMethod,
    audit_domains,
)
from peerdiag.casereview.models import CaseAudit, CaseReview, SampledCase
from peerdiag.common.spreadsheets import csv_bytes
from peerdiag.common.workdays import is_working_day
from peerdiag.diagnostics.enums import CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import AgreedCaseList, TeamMember

from .context import Ctx, NotYet, moment

# The grades an overall view can take, best first (N/A is for a domain only).
SCALE = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
SAMPLE_SIZE = 10  # the usual sample (decision 6); the PCM still sets it, as the page asks
FIRST_READING = 3  # headings graded on an auditor's first day with a case
WINDOW_DAYS = 10  # working days 0..9 of the review, case_review to case_review_end

# What an auditor writes, by grade. Every text here is checked in tests/demo/test_casereview.py
# never to hold a common first name or a date, so none of it can look like a child's details.
EVIDENCE: dict[str, tuple[str, ...]] = {
    Grade.OUTSTANDING: (
        "Practice here is strong throughout the period, and the effect on the child is plain.",
        "Each entry explains what was done and why, with the child at the centre.",
        "Work is timely and creative, with clear leadership at each turning point.",
    ),
    Grade.GOOD: (
        "Work is timely and the record explains the reasons for each decision.",
        "Agreed actions are followed up and the record shows it.",
        "Practice is consistent across the period, with small gaps in recording only.",
        "Practitioners know the child well and it shows in the record.",
    ),
    Grade.REQUIRES_IMPROVEMENT: (
        "The work happens, but the record does not always show why decisions were made.",
        "There are gaps of several weeks with no reason recorded.",
        "Good intentions are visible, but progress is not measured.",
        "Practice varies: strong in some months, drifting in others.",
    ),
    Grade.INADEQUATE: (
        "Known risks were not acted on promptly.",
        "Nothing has changed for the child despite clear warning signs.",
        "There is little sign of grip on this area of the work.",
    ),
}
# What an auditor writes under one heading, by heading and grade (best first: outstanding, good,
# requires improvement, inadequate). Headings not here take a sentence from EVIDENCE alone.
BY_HEADING: dict[str, tuple[str, str, str, str]] = {
    AuditDomain.CASE_SUMMARY: (
        "The chronology is complete and analytical: it shows patterns, not only events.",
        "The summary is current and gives a new worker a clear picture of the history.",
        "The chronology lists events but does not say what they meant for the child.",
        "There is no usable chronology; key events are scattered through the notes.",
    ),
    AuditDomain.FRONT_DOOR: (
        "The referral was screened the same day, with a clear threshold decision and reasons.",
        "Contact was dealt with promptly and consent was sought and recorded.",
        "The threshold decision was right, but it took several days and the reasons are thin.",
        "A referral about harm waited over a week with no recorded decision.",
    ),
    AuditDomain.ASSESSMENT: (
        "The assessment weighs risks and strengths and ends with a clear, shared analysis.",
        "The assessment is timely and its analysis leads to the recommendation.",
        "The assessment describes the family well but says little about risk to the child.",
        "The assessment is out of date and does not reflect the known risks.",
    ),
    AuditDomain.VOICE: (
        "The child's own words run through the record and clearly changed the plan.",
        "The child is seen alone and their wishes are written down in their words.",
        "The child's views are recorded, but it is not clear how they shaped the plan.",
        "The child has not been seen alone in the period and their views are missing.",
    ),
    AuditDomain.PLANNING: (
        "The plan is specific, measurable and reviewed on time with the family.",
        "The plan sets out who does what by when, and reviews follow it up.",
        "Actions are repeated from one review to the next without an owner or a date.",
        "There is no current plan, although circumstances changed months ago.",
    ),
    AuditDomain.INTERVENTION: (
        "Direct work is creative and purposeful, with the child's progress recorded.",
        "Visits are regular and purposeful, and direct work is recorded.",
        "Visits happen, but direct work is rarely recorded or linked to the plan.",
        "Visits lapsed for long stretches with no direct work in the period.",
    ),
    AuditDomain.MULTI_AGENCY: (
        "Partners work as one team, with shared actions and prompt information sharing.",
        "Schools and health partners attend meetings and share information on time.",
        "Partners attend, but disagreements are not escalated or resolved on the record.",
        "Information from partners about harm was not shared or acted upon.",
    ),
    AuditDomain.MANAGEMENT: (
        "Supervision is reflective and challenging, and decisions are clearly recorded.",
        "Managers' decisions are recorded with reasons at each key point.",
        "Supervision is recorded, but reads as a task list rather than reflection on risk.",
        "There is no recorded management oversight at the key points of this case.",
    ),
    AuditDomain.PERMANENCE: (
        "Permanence was secured without delay and the child's placement is stable.",
        "The permanence plan is clear and agreed at the second review.",
        "The permanence plan exists, but steps towards it have drifted.",
        "No permanence plan has been agreed despite several placement moves.",
    ),
    AuditDomain.RECORDING: (
        "Recording is clear, timely and written to the child.",
        "Records are up to date and easy to follow.",
        "Several visits were written up weeks later, and some records are brief.",
        "Records are missing for key meetings and visits.",
    ),
    AuditDomain.IMPACT: (
        "The child's circumstances have clearly improved and the record shows why.",
        "Risks have reduced and the child is doing better at school and at home.",
        "Some progress is visible, but it is slow and not measured against the plan.",
        "There is no sign of improvement for the child over the period.",
    ),
    SendAuditDomain.ADVICE: (
        "Every piece of advice is specific, recent and clearly used in the plan.",
        "Advice from education, health and care is present and mostly specific.",
        "Health advice is generic and repeats an older report.",
        "Social care advice is missing and was not chased.",
    ),
    SendAuditDomain.VOICE: (
        "The child's and parents' views are vivid and shape every section.",
        "The child's and parents' views are recorded and reflected in the outcomes.",
        "Parents' views are present but the child's own views are thin.",
        "Neither the child's nor the parents' views are recorded.",
    ),
    SendAuditDomain.OUTCOMES: (
        "Outcomes are ambitious, specific and measurable, and linked to aspirations.",
        "Outcomes are specific and mostly measurable.",
        "Several outcomes describe provision rather than what the child achieves.",
        "Outcomes are vague and cannot be measured.",
    ),
    SendAuditDomain.PROVISION: (
        "Provision is specified and quantified throughout and matches each need.",
        "Provision is specified and quantified in most sections.",
        "Some provision is described as access to support rather than specified.",
        "Provision is not specified or quantified at all.",
    ),
    SendAuditDomain.TIMELINESS: (
        "The plan was issued well within twenty weeks, with every step on time.",
        "The plan was issued within twenty weeks.",
        "The plan was issued a few weeks late, with the delay explained.",
        "The plan was issued months late with no explanation on file.",
    ),
    SendAuditDomain.ANNUAL_REVIEWS: (
        "Annual reviews are on time and the plan is amended promptly after each one.",
        "Annual reviews are held on time.",
        "The last annual review was held, but amendments have not followed.",
        "No annual review is recorded in the period.",
    ),
}
COMMENTARY: dict[str, tuple[str, ...]] = {
    Grade.OUTSTANDING: ("A model of practice the council could use in training.",),
    Grade.GOOD: (
        "Consistent practice; small gaps in recording only.",
        "The team manager's oversight is visible and helpful.",
    ),
    Grade.REQUIRES_IMPROVEMENT: (
        "Sound intentions, but the plan lacks measurable outcomes.",
        "Better recording would show the good work that is happening.",
        "Drift is starting to show: decisions wait for the next meeting.",
    ),
    Grade.INADEQUATE: (
        "Needs the service manager's attention now.",
        "The risks are not held by anyone in particular.",
    ),
}
DIFFERENCE: dict[str, tuple[str, ...]] = {
    Grade.OUTSTANDING: (
        "The young person is settled, says they trust their worker, and the record shows steady "
        "progress at school and at home.",
    ),
    Grade.GOOD: (
        "The child's circumstances have improved over the year and the family now take up the "
        "support offered.",
        "Risks have reduced and the child is attending school more often than a year ago.",
    ),
    Grade.REQUIRES_IMPROVEMENT: (
        "Some progress is visible, but it is slow and the plan does not measure it.",
        "The family's situation is steadier, though it is hard to link this to the plan.",
    ),
    Grade.INADEQUATE: (
        "There is no sign of any lasting difference: the risks are much as they were a year ago.",
    ),
}
CONCERN = (
    "A recent case note records a new disclosure of harm at home. There is no strategy "
    "discussion or management decision on file since. The council is asked to check the "
    "current safety plan today."
)
MODERATION_AGREES = (
    "Second reading agrees with the grades: the evidence supports the overall view.",
    "Agree. The commentary is fair and the grades follow from it.",
    "Agree with the overall grade; planning is borderline but the evidence holds.",
)
MODERATION_DISAGREES = (
    "Second reading finds the planning domain generous: the actions have no owners or dates, "
    "so requires improvement fits better than good."
)
CONTACT_ROLE = "Team manager of the allocated social worker"
CONTACT_NOTE = (
    "Confirmed that the latest review meeting was held on time but is not yet written up; "
    "the team manager sent the minutes the same afternoon."
)
STRENGTHS = (
    "Children are seen regularly and most records show their views.",
    "Where managers' oversight is recorded, it is clear and followed up.",
    "Partner agencies are usually present at meetings and share information promptly.",
)
IMPROVEMENTS = (
    "Plans often lack owners and dates, so actions are repeated from review to review.",
    "Recording does not always explain why decisions were made, which hides good work.",
    "Supervision reads as a task list more often than as reflection on risk.",
)

# The council's case reference format: a prefix and a number of digits, as its case management
# system issues them. Two-letter prefixes (the first-name check looks at words of three letters
# or more) and a plain number, so no reference can spell a name or a date.
REFERENCE_FORMATS: dict[str, tuple[str, str, int]] = {
    "Hertfordshire": ("HF", "", 7),
    "Lewisham": ("LW", "-", 6),
    "Kent": ("KT", "", 7),
    "Cornwall": ("CW", "", 6),
    "Bristol": ("BS", "/", 6),
    "Derbyshire": ("DB", "", 7),
    "Coventry": ("CV", "-", 6),
}
# What the people on each cohort's list are known as in the CSV: team and legal status.
TEAMS: dict[str, tuple[str, ...]] = {
    Cohort.EARLY_HELP: ("Early Help Hub East", "Early Help Hub West", "Family Support Team"),
    Cohort.CHILD_IN_NEED: ("Assessment Team 1", "Assessment Team 2", "Children in Need Team"),
    Cohort.CHILD_PROTECTION: ("Safeguarding Team North", "Safeguarding Team South"),
    Cohort.CHILD_IN_CARE: ("Children in Care Team", "Permanence Team"),
    Cohort.CARE_LEAVER: ("Leaving Care Team", "Leaving Care Team (16 plus)"),
    Cohort.SEND_EHCP: ("SEND Casework Team", "SEND Assessment Team"),
    Cohort.FRONT_DOOR: ("Front Door Team", "Multi-Agency Safeguarding Hub"),
}
LEGAL_STATUS: dict[str, tuple[str, ...]] = {
    Cohort.EARLY_HELP: ("No statutory plan",),
    Cohort.CHILD_IN_NEED: ("Child in need plan (s17)",),
    Cohort.CHILD_PROTECTION: ("Child protection plan", "Child protection plan (second)"),
    Cohort.CHILD_IN_CARE: ("Care order (s31)", "Accommodated (s20)", "Placement order"),
    Cohort.CARE_LEAVER: ("Relevant", "Former relevant"),
    Cohort.SEND_EHCP: ("EHC plan",),
    Cohort.FRONT_DOOR: ("Contact only", "Referral"),
}
AGES: dict[str, tuple[str, ...]] = {
    Cohort.EARLY_HELP: (AgeBand.AGE_1_4, AgeBand.AGE_5_10, AgeBand.AGE_11_15),
    Cohort.CHILD_IN_NEED: (AgeBand.AGE_1_4, AgeBand.AGE_5_10, AgeBand.AGE_11_15),
    Cohort.CHILD_PROTECTION: (AgeBand.UNDER_1, AgeBand.AGE_1_4, AgeBand.AGE_5_10),
    Cohort.CHILD_IN_CARE: (AgeBand.AGE_5_10, AgeBand.AGE_11_15, AgeBand.AGE_16_17),
    Cohort.CARE_LEAVER: (AgeBand.AGE_18_25,),
    Cohort.SEND_EHCP: (AgeBand.AGE_5_10, AgeBand.AGE_11_15),
    Cohort.FRONT_DOOR: (AgeBand.AGE_1_4, AgeBand.AGE_5_10, AgeBand.AGE_11_15),
}
# Domains that often do not apply to a cohort (graded N/A now and then).
SOMETIMES_NA: dict[str, frozenset[str]] = {
    Cohort.CARE_LEAVER: frozenset({AuditDomain.FRONT_DOOR}),
    Cohort.CHILD_IN_CARE: frozenset({AuditDomain.FRONT_DOOR}),
    Cohort.CHILD_IN_NEED: frozenset({AuditDomain.PERMANENCE}),
    Cohort.CHILD_PROTECTION: frozenset({AuditDomain.PERMANENCE}),
    Cohort.EARLY_HELP: frozenset({AuditDomain.PERMANENCE, AuditDomain.FRONT_DOOR}),
    Cohort.SEND_EHCP: frozenset({SendAuditDomain.ANNUAL_REVIEWS}),
    Cohort.FRONT_DOOR: frozenset({AuditDomain.PERMANENCE, AuditDomain.PLANNING}),
}
# A list's cohort from its name, as agreed at scoping (first match wins).
LIST_COHORTS: tuple[tuple[str, str], ...] = (
    ("leav", Cohort.CARE_LEAVER),
    ("protection", Cohort.CHILD_PROTECTION),
    ("in care", Cohort.CHILD_IN_CARE),
    ("looked after", Cohort.CHILD_IN_CARE),
    ("in need", Cohort.CHILD_IN_NEED),
    ("early help", Cohort.EARLY_HELP),
    ("send", Cohort.SEND_EHCP),
    ("ehc", Cohort.SEND_EHCP),
    ("front door", Cohort.FRONT_DOOR),
    ("mash", Cohort.FRONT_DOOR),
    ("contact", Cohort.FRONT_DOOR),
)


def _refuse(ctx: Ctx, why: str) -> NotYet:
    """A step the demo cannot take as the right person: a bug in the demo's data. While phases
    are being written (PEERDIAG_DEMO_PARTIAL) it is printed and the diagnostic stops there;
    otherwise the load stops, as a refusing gate does."""
    from .context import DemoGateRefused

    if os.environ.get("PEERDIAG_DEMO_PARTIAL"):
        print(f"demo: {ctx.plan.key} case review stops: {why}")
        return NotYet(why)
    raise DemoGateRefused(f"{ctx.plan.key}: case review: {why}")


# The files the council sends ---------------------------------------------------------------------


def reference_format(council: str) -> tuple[str, str, int]:
    """The council's reference format: prefix, separator and number of digits (a council the
    table does not know gets its first and last letters and six digits)."""
    return REFERENCE_FORMATS.get(council, ((council[:1] + council[-1:]).upper(), "", 6))


def reference_pattern(council: str) -> str:
    """The council's format as the regular expression the PCM sets, e.g. ^HF\\d{7}$."""
    prefix, sep, digits = reference_format(council)
    return rf"^{prefix}{sep}\d{{{digits}}}$"


def make_reference(council: str, n: int) -> str:
    """Case number `n` written in the council's format, e.g. HF0412345."""
    prefix, sep, digits = reference_format(council)
    return f"{prefix}{sep}{n:0{digits}d}"


def list_cohorts(name: str) -> list[str]:
    """The cohorts a list of this name holds: the one its name says, or a mix for a list
    whose name says none (children in need, on protection plans and in care)."""
    lower = name.lower()
    for word, cohort in LIST_COHORTS:
        if word in lower:
            return [cohort]
    return [Cohort.CHILD_IN_NEED, Cohort.CHILD_PROTECTION, Cohort.CHILD_IN_CARE]


def case_list_csv(council: str, name: str, rng: random.Random, used: set[int]) -> bytes:
    """A plausible export of one agreed list: the four columns the importer reads, pseudonymous
    references in the council's format (numbers not in `used`, which it extends), no names and
    no dates."""
    _, _, digits = reference_format(council)
    cohorts = list_cohorts(name)
    size = rng.randint(28, 64)
    rows: list[list[str]] = [["reference", "cohort", "team", "legal_status"]]
    for _ in range(size):
        n = rng.randrange(10 ** (digits - 1), 10**digits)
        while n in used:
            n = rng.randrange(10 ** (digits - 1), 10**digits)
        used.add(n)
        cohort = rng.choice(cohorts)
        rows.append(
            [
                make_reference(council, n),
                str(Cohort(cohort).label),
                rng.choice(TEAMS[cohort]),
                rng.choice(LEGAL_STATUS[cohort]),
            ]
        )
    return csv_bytes(rows, bom=False)


# The grades --------------------------------------------------------------------------------------


def overall_grades(n: int, rng: random.Random) -> list[str]:
    """The overall grades of `n` audits, spread as case audits usually are: mostly requires
    improvement and good, a few inadequate, now and then one outstanding. Never fewer than
    three grades, and the second case of the first auditor (`CONCERN_SLOT`) is inadequate."""
    inadequate = max(1, round(n * 0.15))
    outstanding = 1 if rng.random() < 0.5 else 0
    good = max(1, round(n * 0.35))
    grades = [Grade.INADEQUATE.value] * inadequate + [Grade.OUTSTANDING.value] * outstanding
    grades += [Grade.GOOD.value] * good
    grades += [Grade.REQUIRES_IMPROVEMENT.value] * (n - len(grades))
    grades = grades[:n]
    rng.shuffle(grades)
    if n > CONCERN_SLOT:
        at = grades.index(Grade.INADEQUATE)
        grades[at], grades[CONCERN_SLOT] = grades[CONCERN_SLOT], grades[at]
    return grades


def domain_grades(
    d_type: str, cohort: str, overall: str, rng: random.Random, *, all_of_them: bool
) -> dict[str, audits.GradeIn]:
    """Each heading's grade near the overall view (one step either way now and then), N/A
    where the heading often does not apply to the cohort, with evidence and sometimes a
    comment. A first reading (`all_of_them` False) grades only the first three headings."""
    headings = [value for value, _ in audit_domains(d_type)]
    if not all_of_them:
        headings = headings[:FIRST_READING]
    base = SCALE.index(Grade(overall))
    out = {}
    for value in headings:
        if value in SOMETIMES_NA.get(cohort, ()) and rng.random() < 0.7:
            out[value] = audits.GradeIn(Grade.NA)
            continue
        step = rng.choice((-1, 0, 0, 0, 1))
        grade = SCALE[min(len(SCALE) - 1, max(0, base + step))]
        commentary = rng.choice(COMMENTARY[grade]) if rng.random() < 0.3 else ""
        evidence = rng.choice(EVIDENCE[grade])
        if value in BY_HEADING:
            own = BY_HEADING[value][SCALE.index(Grade(grade))]
            evidence = own if rng.random() < 0.6 else f"{own} {evidence}"
        out[value] = audits.GradeIn(grade, evidence, commentary)
    return out


# The schedule ------------------------------------------------------------------------------------

CONCERN_SLOT = 2  # the first auditor's second case (slots alternate between the two auditors)


@dataclass
class Event:
    day: int  # working day of the review, 0..9
    hhmm: str
    what: str
    act: Callable[[], None]


@dataclass
class Review:
    """One diagnostic's case review as the demo drives it: the people and the plan of grades."""

    ctx: Ctx
    organiser: User
    sponsor: User
    auditors: list[TeamMember]  # in the order `share_out` gives them cases
    moderators: list[User]  # the lead peer (when they may read cases), then the PCM
    rng: random.Random
    sample_size: int
    grades: list[str]  # overall grade by slot (case i of auditor j is slot 2 * i + j)
    shared: list[list[int]] = field(default_factory=list)  # each auditor's cases, once out

    @property
    def d_type(self) -> str:
        return self.ctx.d.type

    def review(self) -> CaseReview:
        return reviews.review_for(self.ctx.d)

    def case(self, j: int, i: int) -> SampledCase | None:
        """Auditor j's case i (in the order `share_out` gave them), read afresh."""
        if not self.shared:
            self.shared = [
                list(
                    self.review()
                    .cases.filter(auditor=m)
                    .order_by("entry__cohort", "pk")
                    .values_list("pk", flat=True)
                )
                for m in self.auditors
            ]
        pks = self.shared[j]
        if i >= len(pks):
            return None
        return SampledCase.objects.select_related(
            "entry", "auditor__person", "review__diagnostic"
        ).get(pk=pks[i])

    def user_of(self, j: int) -> User:
        user = self.auditors[j].person.user
        assert user is not None  # checked in `prepare`
        return user

    def case_rng(self, j: int, i: int, step: str) -> random.Random:
        """Randomness for one case and step, the same whatever happened before it."""
        return random.Random(f"{self.ctx.plan.seed}:casereview:{j}:{i}:{step}")


def prepare(ctx: Ctx) -> Review:
    """The people of the review, checked to hold the rights the pages would ask of them."""
    organiser = ctx.council_user(CouncilRoleKind.ORGANISER)
    sponsor = ctx.council_user(CouncilRoleKind.SPONSOR)
    if organiser is None or sponsor is None:
        raise _refuse(ctx, "the council's organiser or sponsor has no account")
    auditors = sorted(ctx.members(TeamRole.CASE_AUDITOR), key=lambda m: (m.person.full_name, m.pk))
    if len(auditors) < 2:
        raise _refuse(ctx, f"the team has {len(auditors)} case auditors, not two")
    d = ctx.d
    for m in auditors:
        user = m.person.user
        if user is None:
            raise _refuse(ctx, f"case auditor {m.person.full_name} has no account")
        if not user.has_perm("diagnostics.view_child_data", d):
            raise _refuse(ctx, f"case auditor {m.person.full_name} may not read case records")
    if not ctx.pcm.has_perm("casereview.select_cases", d):
        raise _refuse(ctx, "the PCM may not choose cases (briefing not acknowledged?)")
    lead = ctx.lead
    lead_user = lead.person.user if lead is not None else None
    moderators = [
        u
        for u in (lead_user, ctx.pcm)
        if u is not None and u.has_perm("diagnostics.view_child_data", d)
    ]
    rng = random.Random(f"{ctx.plan.seed}:casereview")
    size = SAMPLE_SIZE
    return Review(
        ctx=ctx,
        organiser=organiser,
        sponsor=sponsor,
        auditors=auditors,
        moderators=moderators,
        rng=rng,
        sample_size=size,
        grades=overall_grades(size, rng),
    )


def schedule(r: Review) -> list[Event]:
    """Every step of the review, in the order it happens."""
    ctx = r.ctx
    d = ctx.d
    events: list[Event] = []

    def at(day: int, hhmm: str, what: str) -> Callable[[Callable[[], None]], None]:
        def add(act: Callable[[], None]) -> None:
            events.append(Event(day, hhmm, what, act))

        return add

    # Day 0: how cases are shared, the lists, the sample, releasing the cases.
    @at(0, "09:30", "organiser proposes how cases are shared")
    def _propose() -> None:
        s = sharing.sharing_for(r.review())
        organiser = ctx.council_person(CouncilRoleKind.ORGANISER)
        assert organiser is not None
        sharing.propose(
            s,
            by=r.organiser,
            method=SharingMethod.ACCOUNTS,
            details=(
                "Read-only accounts in the case management system for the two case auditors, "
                "limited to the sampled cases and closed when the report is issued."
            ),
            contact_name=organiser.full_name,
            contact_email=organiser.email or r.organiser.email,
            contact_phone=f"01632 960 {100 + ctx.plan.seed % 900:03d}",
            version=s.version,
        )

    @at(0, "11:45", "PCM accepts the proposal")
    def _accept() -> None:
        s = sharing.sharing_for(r.review())
        sharing.accept(s, by=ctx.pcm, version=s.version)

    @at(0, "14:00", "PCM sets the council's reference format")
    def _pattern() -> None:
        review = r.review()
        pattern = reference_pattern(d.host_council.name)
        set_reference_pattern(review, by=ctx.pcm, pattern=pattern, version=review.version)

    lists = list(AgreedCaseList.objects.filter(diagnostic=d).order_by("name"))
    used: set[int] = set()
    for n, case_list in enumerate(lists):

        @at(0, f"14:{10 + 5 * n:02d}", f"PCM imports the list ‘{case_list.name}’")
        def _import(case_list: AgreedCaseList = case_list) -> None:
            data = case_list_csv(d.host_council.name, case_list.name, r.rng, used)
            import_case_list(case_list, by=ctx.pcm, data=data)

    @at(0, "15:00", "PCM draws the sample")
    def _draw() -> None:
        review = r.review()
        reviews.set_sample_size(review, by=ctx.pcm, size=r.sample_size, version=review.version)
        sampling.draw_sample(
            review, by=ctx.pcm, seed=f"{ctx.plan.seed:06d}", version=review.version
        )

    @at(0, "15:40", "PCM shares the cases out and releases them")
    def _share() -> None:
        review = r.review()
        sampling.share_out(review, by=ctx.pcm, version=review.version)

    # Days 1 to 6: one case a day for each auditor, finished the next afternoon.
    per_auditor = (r.sample_size + 1) // 2
    for i in range(per_auditor):
        for j in (0, 1):
            slot = 2 * i + j
            if slot >= r.sample_size:
                continue

            @at(1 + i, ("09:40", "10:25")[j], f"auditor {j + 1} reads case {i + 1}")
            def _first(j: int = j, i: int = i, slot: int = slot) -> None:
                c = r.case(j, i)
                if c is None:
                    return
                by = r.user_of(j)
                audits.read_case(c, by=by)
                rng = r.case_rng(j, i, "first")
                cohort = c.entry.cohort
                audits.save_audit(
                    c,
                    by=by,
                    header={
                        "period_months": 12,
                        "age_band": rng.choice(AGES[cohort]),
                        "placement_moves": rng.randint(0, 3)
                        if cohort in (Cohort.CHILD_IN_CARE, Cohort.CARE_LEAVER)
                        else None,
                        "referrals_last_year": rng.randint(0, 4),
                    },
                    grades=domain_grades(r.d_type, cohort, r.grades[slot], rng, all_of_them=False),
                    overall_grade="",
                    difference="",
                    finish=False,
                    version=audits.NO_AUDIT_YET,
                )

            @at(2 + i, ("14:15", "15:05")[j], f"auditor {j + 1} finishes case {i + 1}")
            def _finish(j: int = j, i: int = i, slot: int = slot) -> None:
                c = r.case(j, i)
                if c is None:
                    return
                by = r.user_of(j)
                audits.read_case(c, by=by)
                audit = CaseAudit.objects.get(case=c)
                rng = r.case_rng(j, i, "finish")
                grades = domain_grades(
                    r.d_type, c.entry.cohort, r.grades[slot], rng, all_of_them=True
                )
                audits.save_audit(
                    c,
                    by=by,
                    header={},
                    grades=grades,
                    overall_grade=r.grades[slot],
                    difference=rng.choice(DIFFERENCE[r.grades[slot]]),
                    finish=True,
                    version=audit.version,
                )

    @at(2, "11:40", "auditor 1 raises a safeguarding concern")
    def _concern() -> None:
        c = r.case(0, CONCERN_SLOT // 2)
        assert c is not None
        concern = concerns.raise_concern(
            CaseAudit.objects.get(case=c), by=r.user_of(0), summary=CONCERN
        )
        if concern.escalated_at is None:  # the e-mail failed: try again, as the page offers
            concerns.escalate_concern(concern, by=r.user_of(0))

    @at(2, "13:20", "the council acknowledges the concern")
    def _acknowledge() -> None:
        c = r.case(0, CONCERN_SLOT // 2)
        assert c is not None
        concern = CaseAudit.objects.get(case=c).concerns.get()
        concerns.acknowledge_concern(concern, by=r.sponsor, version=concern.version)

    @at(3, "12:10", "auditor 2 logs a talk with a practitioner's manager")
    def _contact() -> None:
        c = r.case(1, 2)
        if c is None:
            return
        audit = CaseAudit.objects.get(case=c)
        audits.record_contact(
            audit,
            by=r.user_of(1),
            contacted_on=timezone.localdate(),
            role_contacted=CONTACT_ROLE,
            note=CONTACT_NOTE,
        )

    # Day 8: second readings, then the report's themes.
    readings = [(0, 0, True), (1, 0, False), (0, 3, True), (1, 4, True)]
    for n, (j, i, agrees) in enumerate(readings):

        @at(8, ("09:30", "10:40", "11:50", "14:00")[n], f"second reading of case {i + 1}")
        def _moderate(j: int = j, i: int = i, agrees: bool = agrees, n: int = n) -> None:
            c = r.case(j, i)
            if c is None or not r.moderators:
                return
            # The lead peer reads most; the PCM takes the last one.
            by = r.moderators[-1] if n == len(readings) - 1 else r.moderators[0]
            audits.read_case(c, by=by, what="second reading")
            audits.moderate(
                CaseAudit.objects.get(case=c),
                by=by,
                agrees=agrees,
                note=MODERATION_AGREES[n % len(MODERATION_AGREES)]
                if agrees
                else MODERATION_DISAGREES,
            )

    @at(8, "15:30", "auditor 1 writes the report's themes")
    def _themes() -> None:
        review = r.review()
        data = report.gather_report(review)
        strengths, improvements = report_text(data, r.rng)
        report.save_report_text(
            review,
            by=r.user_of(0),
            strengths=strengths,
            improvements=improvements,
            version=review.version,
        )

    @at(9, "11:00", "PCM approves the report")
    def _approve() -> None:
        review = r.review()
        report.approve_report(review, by=ctx.pcm, version=review.version)

    @at(9, "11:05", "PCM issues the report")
    def _issue() -> None:
        review = r.review()
        report.issue_report(review, by=ctx.pcm, version=review.version)

    return sorted(events, key=lambda e: (e.day, e.hhmm))


def report_text(data: report.ReportData, rng: random.Random) -> tuple[str, str]:
    """The strengths and areas for improvement, from the gathered counts and the themes the
    auditors saw most (no case is named or described)."""
    good = data.overall.get(str(Grade.OUTSTANDING.label), 0) + data.overall.get(
        str(Grade.GOOD.label), 0
    )
    weak = data.overall.get(str(Grade.INADEQUATE.label), 0)
    ri = data.overall.get(str(Grade.REQUIRES_IMPROVEMENT.label), 0)
    strengths = [
        f"{good} of the {data.cases_audited} cases audited were judged good or better overall.",
        *rng.sample(STRENGTHS, 2),
    ]
    improvements = [
        f"{ri} cases require improvement and {weak} "
        f"{'was' if weak == 1 else 'were'} judged inadequate overall.",
        *rng.sample(IMPROVEMENTS, 2),
    ]
    return "\n".join(strengths), "\n".join(improvements)


def _moments(ctx: Ctx, events: list[Event]) -> list[tuple[date, str, Event]]:
    """Each event's working day and time. Day k of the review is the k-th working day from
    `ctx.tl.case_review`, never after `ctx.tl.case_review_end`; where bank holidays squeeze the
    window, events that would land at or before the one before them move a few minutes later,
    so the order always holds."""
    tl = ctx.tl
    days = [
        tl.case_review + timedelta(days=n)
        for n in range((tl.case_review_end - tl.case_review).days + 1)
    ]
    days = [x for x in days if is_working_day(x)] or [tl.case_review]
    out: list[tuple[date, str, Event]] = []
    last: datetime | None = None
    for e in events:
        day = days[min(len(days) - 1, e.day * len(days) // WINDOW_DAYS)]
        when = moment(day, e.hhmm)
        if last is not None and when <= last:
            when = last + timedelta(minutes=3)
        last = when
        local = timezone.localtime(when)
        out.append((local.date(), f"{local:%H:%M}", e))
    return out


def run(ctx: Ctx) -> None:
    """Between `ctx.tl.case_review` and `ctx.tl.case_review_end`: sharing proposed by the
    organiser and accepted, a stratified sample, audits by two auditors, a second reading, a
    safeguarding concern escalated and acknowledged, and the report issued. Stops at the first
    step on or after the cutoff."""
    if not ctx.due(ctx.tl.case_review, "09:30"):
        return
    r = prepare(ctx)
    for day, hhmm, event in _moments(ctx, schedule(r)):
        if not ctx.due(day, hhmm):
            return
        with ctx.at(day, hhmm):
            event.act()
