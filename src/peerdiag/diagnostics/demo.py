"""Demo data: the LGA, three host councils, a peer bench, one diagnostic at every stage.

Loading twice changes nothing: people are found by e-mail, diagnostics by title. Diagnostics
are walked through the real domain functions as far as today's capabilities allow; the last
step to a stage whose gate needs a capability not built yet is made by `_place_at`, which says
so in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import TotpDevice, User
from peerdiag.common.versioning import UNCHECKED
from peerdiag.common.workdays import is_working_day
from peerdiag.directory.models import Organisation, Person

from .domain import audit
from .domain import diagnostics as dd
from .domain import kloes as dk
from .domain import people as dp
from .enums import ENDED, MAIN_LINE, DiagnosticType, EndorsementStatus, Platform, Stage, TeamRole
from .kloe_suggestions import suggestions_for
from .models import Diagnostic

DEMO_PASSWORD = "peerdiag-demo-2026"  # noqa: S105 - published demo accounts, never production
# The authenticator key of the demo accounts that must use two-factor sign-in. Published on
# purpose: `peerdiag demo_code EMAIL` prints the current code for a demo account.
DEMO_TOTP_SECRET = "PEERDIAGDEMOPEERDIAGDEMO"  # noqa: S105
DEMO_DOMAIN = "@peerdiag.test"
TWO_FACTOR_ACCOUNTS = {
    "admin@peerdiag.test",
    "pcm@peerdiag.test",
    "peer@peerdiag.test",
    "auditor@peerdiag.test",
}


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    title: str
    org: str
    role: str
    staff: bool = False


ACCOUNTS = [
    Account(
        "admin@peerdiag.test", "Alex Admin", "Programme administrator", "LGA", "LGA admin", True
    ),
    Account(
        "pcm@peerdiag.test",
        "Priya Chandra",
        "Peer challenge manager",
        "LGA",
        "Peer challenge manager",
    ),
    Account(
        "peer@peerdiag.test",
        "Liam O'Connor",
        "Director of Children's Services",
        "Leeds",
        "Lead peer",
    ),
    Account(
        "manager@peerdiag.test",
        "Olivia Brown",
        "Head of Safeguarding",
        "Sheffield",
        "Operational manager peer",
    ),
    Account(
        "auditor@peerdiag.test",
        "Aisha Khan",
        "Practice Improvement Lead",
        "Manchester",
        "Case auditor",
    ),
    Account(
        "sponsor@peerdiag.test",
        "Sarah Sponsor",
        "Director of Children's Services",
        "Kent",
        "Council sponsor",
    ),
    Account(
        "organiser@peerdiag.test",
        "Owen Organiser",
        "Business Manager, Children's Services",
        "Kent",
        "Council organiser",
    ),
    Account(
        "sponsor.bristol@peerdiag.test",
        "Beth Bristow",
        "Director of Children's Services",
        "Bristol",
        "Council sponsor (another council)",
    ),
]

# A bench of peers from councils other than the hosts, in addition to the accounts above.
BENCH = [
    ("Daniel Hughes", "Director of Children's Services", "Cumberland"),
    ("Grace Okafor", "Assistant Director, Children's Social Care", "Southwark"),
    ("Tom Whitfield", "Assistant Director, Early Help", "Norfolk"),
    ("Hannah Price", "Head of Service, Children in Care", "Devon"),
    ("Mohammed Ali", "Head of Service, Front Door", "Birmingham"),
    ("Rachel Green", "Service Manager, Child Protection", "Essex"),
    ("Chris Evans", "Head of Quality Assurance", "Lancashire"),
    ("Fiona Campbell", "Principal Social Worker", "Surrey"),
    ("Jack Turner", "Head of SEND", "Camden"),
    ("Emma Wilson", "Service Manager, Care Leavers", "North Yorkshire"),
    ("Sam Patel", "Head of Early Years", "Nottinghamshire"),
    ("Laura Bennett", "Practice Supervisor", "Cornwall"),
    ("Nadia Rahman", "Team Manager, Assessment", "Wigan"),
    ("Peter Lawson", "Assistant Director, Safeguarding", "Sunderland"),
]

COUNCIL_PEOPLE = {
    "Kent": [
        ("Councillor Jo Marsh", "Cabinet Member for Children", "lead_member"),
        ("Mark Ellis", "Chief Executive", "chief_executive"),
    ],
    "Bristol": [
        ("Councillor Ravi Shah", "Cabinet Member for Children", "lead_member"),
        ("Helen Ward", "Chief Executive", "chief_executive"),
        ("Ollie Reed", "Children's Services Business Partner", "organiser"),
    ],
    "Hertfordshire": [
        ("Karen Moss", "Director of Children's Services", "sponsor"),
        ("Ian Fox", "Improvement Manager", "organiser"),
        ("Councillor Ann Lee", "Executive Member for Children", "lead_member"),
        ("Paul Grant", "Chief Executive", "chief_executive"),
    ],
}

# title, host, type, stage
DIAGNOSTICS = [
    ("Early help and the front door", "Kent", DiagnosticType.SAFEGUARDING, Stage.ENQUIRY),
    (
        "Children in care: permanence",
        "Bristol",
        DiagnosticType.CHILDRENS_SERVICES,
        Stage.SCOPING_SCHEDULED,
    ),
    ("EHC plans: timeliness and quality", "Hertfordshire", DiagnosticType.SEND, Stage.SCOPED),
    ("Multi-agency safeguarding hub", "Kent", DiagnosticType.SAFEGUARDING, Stage.TEAM_FORMING),
    ("Early language and communication", "Bristol", DiagnosticType.EARLY_YEARS, Stage.PREPARATION),
    ("Child protection practice", "Kent", DiagnosticType.SAFEGUARDING, Stage.CASE_REVIEW),
    ("Care leavers' support", "Hertfordshire", DiagnosticType.CHILDRENS_SERVICES, Stage.READY),
    ("Management oversight of practice", "Kent", DiagnosticType.SAFEGUARDING, Stage.DELIVERY),
    ("Preparation for adulthood", "Hertfordshire", DiagnosticType.SEND, Stage.DRAFTING),
    ("Workforce stability", "Bristol", DiagnosticType.CHILDRENS_SERVICES, Stage.FEEDBACK_GIVEN),
    (
        "Quality assurance framework",
        "Kent",
        DiagnosticType.SAFEGUARDING,
        Stage.WRITTEN_FEEDBACK_ISSUED,
    ),
    ("Family hubs and early years", "Hertfordshire", DiagnosticType.EARLY_YEARS, Stage.EVALUATION),
    ("Adolescent risk and exploitation", "Bristol", DiagnosticType.SAFEGUARDING, Stage.CLOSED),
    ("Whole-service review", "Kent", DiagnosticType.CHILDRENS_SERVICES, Stage.CLOSED_NOT_SUITABLE),
    ("Short breaks for disabled children", "Hertfordshire", DiagnosticType.SEND, Stage.POSTPONED),
    ("Corporate parenting", "Bristol", DiagnosticType.OTHER, Stage.CANCELLED),
]

# Weeks from this week's Monday to day 1, for stages that have a day 1.
DAY1_WEEKS = {
    Stage.TEAM_FORMING: 10,
    Stage.PREPARATION: 5,
    Stage.CASE_REVIEW: 2,
    Stage.READY: 1,
    Stage.DELIVERY: 0,
    Stage.DRAFTING: -1,
    Stage.FEEDBACK_GIVEN: -3,
    Stage.WRITTEN_FEEDBACK_ISSUED: -9,
    Stage.EVALUATION: -12,
    Stage.CLOSED: -20,
}


def _org(name: str) -> Organisation:
    if name == "LGA":
        return Organisation.objects.get(kind="lga")
    return Organisation.objects.get(name=name, kind="council")


def _person(name: str, title: str, org: Organisation, email: str = "") -> Person:
    person = Person.objects.filter(full_name=name, organisation=org).first()
    if person is None:
        person = Person.objects.create(
            full_name=name,
            job_title=title,
            organisation=org,
            email=email,
            is_dcs_or_equivalent=title == "Director of Children's Services",
        )
    return person


def _accounts() -> dict[str, Person]:
    people = {}
    for a in ACCOUNTS:
        user = User.objects.filter(email=a.email).first()
        if user is None:
            # An LGA administrator may do everything, the admin site included.
            user = User.objects.create_user(
                a.email, DEMO_PASSWORD, full_name=a.name, is_staff=a.staff, is_superuser=a.staff
            )
        person = _person(a.name, a.title, _org(a.org), a.email)
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
        people[a.email] = person
        if a.email in TWO_FACTOR_ACCOUNTS:
            TotpDevice.objects.get_or_create(
                user=user,
                defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()},
            )
    return people


PEER_ACCOUNTS = {
    "peer@peerdiag.test": ("dcs", ["lead_peer", "operational_manager"]),
    "manager@peerdiag.test": ("head_of_service", ["operational_manager", "case_auditor"]),
    "auditor@peerdiag.test": ("practitioner", ["case_auditor"]),
}


def _seniority(title: str) -> str:
    t = title.lower()
    if t.startswith("director"):
        return "dcs"
    if t.startswith("assistant director"):
        return "ad"
    if t.startswith("head"):
        return "head_of_service"
    if "manager" in t or "supervisor" in t:
        return "service_manager"
    return "practitioner"


def _profile(person: Person) -> None:
    if hasattr(person, "peer_profile"):
        return
    from peerdiag.directory.domain.bench import save_peer_profile

    from .domain.team_builder import _areas_for

    seniority, roles = PEER_ACCOUNTS.get(person.email, (_seniority(person.job_title), []))
    if not roles:
        roles = ["operational_manager", "case_auditor"]
        if seniority in ("dcs", "ad"):
            roles = ["lead_peer", "operational_manager"]
    areas = _areas_for(person.job_title) | {"safeguarding", "quality_assurance"}
    if "early" in person.job_title.lower():
        areas.add("early_years")
    save_peer_profile(
        person,
        seniority=seniority,
        roles=roles,
        expertise=sorted(areas),
        summary=f"{person.job_title} at {person.organisation}.",
        trained_on=date(2025, 9, 15),
        version=UNCHECKED,
    )


def _working_monday(weeks: int, today: date) -> date:
    day = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _place_at(d: Diagnostic, stage: str) -> None:
    """Demo only: put a diagnostic at `stage` without its gate (its capability is not built)."""
    old = d.stage
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, stage_changed_at=timezone.now())
    d.refresh_from_db()
    if stage in ENDED:
        from .domain.access import sync_data_access

        sync_data_access(d, reason=f"The diagnostic is {Stage(stage).label.lower()}")
    audit.record(
        d,
        by=None,
        action="stage",
        summary=f"Placed at {Stage(stage).label.lower()} by the demo loader",
        changes=[
            {
                "field": "stage",
                "label": "Stage",
                "old": str(Stage(old).label),
                "new": str(Stage(stage).label),
            }
        ],
    )
    d.refresh_from_db()


DEMO_BRIEFING = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_AGREEMENT = (
    "I will use what I see during this diagnostic only for the diagnostic. I will not copy, "
    "keep or share any record about a child or family, and I will tell the peer challenge "
    "manager at once if I think information has been lost or seen by someone it should not be."
)


def _team_formalities(d: Diagnostic, *, admin: User, complete: bool) -> None:
    """Council approval, declarations, briefing and agreement: all of it, or part (team forming)."""
    from django.core.files.base import ContentFile

    from .domain.briefing import acknowledge_briefing, issue_briefing
    from .domain.confidentiality import set_confidentiality, sign_agreement
    from .domain.conflicts import declare_interests

    members = list(d.team.exclude(role=TeamRole.PEER_CHALLENGE_MANAGER).select_related("person"))
    chosen = members if complete else members[:2]
    for m in chosen:
        dp.decide_on_peer(m, by=admin, decision="approved", version=UNCHECKED)
        declare_interests(d, by=admin, person=m.person, worked_for_host=False)
    briefing = issue_briefing(
        d,
        by=admin,
        file=ContentFile(DEMO_BRIEFING),
        name="peer-team-briefing.pdf",
        version=UNCHECKED,
    )
    agreement = set_confidentiality(
        d, by=admin, required=True, text=DEMO_AGREEMENT, version=UNCHECKED
    )
    everyone = list(d.team.select_related("person")) if complete else chosen[:1]
    for m in everyone:
        acknowledge_briefing(briefing, by=admin, person=m.person)
        if agreement is not None:
            sign_agreement(agreement, by=admin, person=m.person, typed_name=m.person.full_name)


def _sponsor_confirms_scope(d: Diagnostic) -> None:
    """The sponsor confirms the scope after scoping, where they have a demo login (only the
    sponsor can; elsewhere the demo places the diagnostic past that gate)."""
    from contextlib import suppress

    from peerdiag.common.errors import DomainError

    from .domain.scope import answer_scope, current_scope

    role = d.council_roles.filter(role="sponsor").select_related("person__user").first()
    user = role.person.user if role else None
    if user is None:
        return
    with suppress(DomainError):  # an incomplete scope: the walk stops at its gate anyway
        answer_scope(d, by=user, decision="confirmed", fingerprint=current_scope(d).fingerprint)


def _walk_to(d: Diagnostic, final: Stage, *, by: User) -> None:
    """Advance through the real gates as far as they open, then place the rest of the way."""
    from .domain.stages import GateBlocked, advance

    if final == Stage.CLOSED_NOT_SUITABLE:
        path = [Stage.SCOPING_SCHEDULED, Stage.SCOPED, Stage.CLOSED_NOT_SUITABLE]
    else:
        path = [s for s in MAIN_LINE[1 : MAIN_LINE.index(final) + 1]]
        if not d.case_review_in_scope and Stage.CASE_REVIEW in path:
            path.remove(Stage.CASE_REVIEW)
    for nxt in path:
        if nxt == Stage.TEAM_FORMING:
            _sponsor_confirms_scope(d)
        try:
            advance(d, nxt, by=by)
        except GateBlocked:
            _place_at(d, final)
            return


def _build(
    title: str,
    host: str,
    type_: str,
    stage: Stage,
    people: dict[str, Person],
    bench: list[Person],
    today: date,
) -> None:
    council = _org(host)
    pcm = people["pcm@peerdiag.test"]
    admin = User.objects.get(email="admin@peerdiag.test")
    d = dd.create_diagnostic(
        by=admin,
        host_council=council,
        title=title,
        type=type_,
        type_other="Corporate parenting" if type_ == DiagnosticType.OTHER else "",
        manager=pcm,
    )
    sponsor = next(
        (p for p in Person.objects.filter(organisation=council) if "Director" in p.job_title), None
    )
    if sponsor:
        dp.assign_council_role(d, by=admin, person=sponsor, role="sponsor")
    for name, job, role in COUNCIL_PEOPLE.get(host, []):
        if role != "sponsor":
            dp.assign_council_role(d, by=admin, person=_person(name, job, council), role=role)
    if host == "Kent":
        dp.assign_council_role(
            d, by=admin, person=people["organiser@peerdiag.test"], role="organiser"
        )
    step = (
        MAIN_LINE.index(stage)
        if stage in MAIN_LINE
        else {Stage.CLOSED_NOT_SUITABLE: 2, Stage.POSTPONED: 4, Stage.CANCELLED: 3}[stage]
    )
    when = timezone.make_aware(datetime.combine(today - timedelta(days=40), time(10, 0)))
    if step >= 1:
        dp.record_scoping(d, by=admin, scheduled_for=when, version=UNCHECKED)
    if step >= 2:
        review = (
            type_ in (DiagnosticType.SAFEGUARDING, DiagnosticType.CHILDRENS_SERVICES) and step >= 3
        )
        dd.update_details(
            d,
            by=admin,
            focus_statement=f"{title}: how well it works for children and families, "
            "and what would make it better.",
            covid_theme=False,
            case_review_in_scope=review,
            online_platform=Platform.TEAMS,
            written_feedback_format="report",
            version=UNCHECKED,
        )
        for theme, text in suggestions_for(type_, covid=False)[:3]:
            dk.add_kloe(d, by=admin, text=text, theme=theme)
        suitable = "not_suitable" if stage == Stage.CLOSED_NOT_SUITABLE else "suitable"
        attendees = [p for p in [sponsor, pcm] if p]
        dp.record_scoping(
            d,
            by=admin,
            scheduled_for=when,
            held_on=when.date(),
            attendees=attendees,
            suitability=suitable,
            suitability_rationale="The council wants an outside view of one part of its service."
            if suitable == "suitable"
            else "The council needs a full peer challenge, not a narrow diagnostic.",
            team_requirements="A lead peer with front door experience; "
            "operational managers from similar councils.",
            background_information="Latest inspection letter and improvement plan shared.",
            case_list_names=["Children on protection plans", "Children in need"] if review else [],
            version=UNCHECKED,
        )
    if step >= 3:
        for role in ("lead_member", "chief_executive"):
            given = step >= 6
            dp.record_endorsement(
                d,
                by=admin,
                role=role,
                status=EndorsementStatus.GIVEN if given else EndorsementStatus.PENDING,
                given_on=(today - timedelta(days=30)) if given else None,
                note="By e-mail to the LGA",
                version=UNCHECKED,
            )
    if step >= 3:
        lead = people["peer@peerdiag.test"] if host != "Leeds" else bench[0]
        dp.add_team_member(d, by=admin, person=lead, role=TeamRole.LEAD_PEER)
        for p in [people["manager@peerdiag.test"], *bench[1 + len(title) % 5 : 3 + len(title) % 5]]:
            dp.add_team_member(d, by=admin, person=p, role=TeamRole.OPERATIONAL_MANAGER)
        if d.case_review_in_scope:
            dp.add_team_member(
                d, by=admin, person=people["auditor@peerdiag.test"], role=TeamRole.CASE_AUDITOR
            )
            dp.add_team_member(d, by=admin, person=bench[8], role=TeamRole.CASE_AUDITOR)
        _team_formalities(d, admin=admin, complete=step >= 4)
    if stage in DAY1_WEEKS:
        dd.set_day1(d, by=admin, day1=_working_monday(DAY1_WEEKS[stage], today), version=UNCHECKED)
    if stage == Stage.POSTPONED:
        dd.set_day1(d, by=admin, day1=_working_monday(6, today), version=UNCHECKED)
    final = {Stage.POSTPONED: Stage.PREPARATION, Stage.CANCELLED: Stage.TEAM_FORMING}.get(
        stage, stage
    )
    _walk_to(d, final, by=admin)
    if stage == Stage.POSTPONED:
        from .domain.stages import postpone

        postpone(
            d, by=admin, reason="The council asked to move delivery after a change of director."
        )
    if stage == Stage.CANCELLED:
        from .domain.stages import cancel

        cancel(d, by=admin, reason="The council chose a different kind of support.")


# Later apps (the timetable, ...) add their demo data through these steps: each is the dotted
# path of a function called with the day the demo is loaded for, after every diagnostic exists,
# and must be idempotent. Paths, so that no demo module (nor what it imports, such as the office
# file libraries) loads with the app: only `peerdiag demo` imports them.
DemoStep = Callable[[date], None]
_demo_steps: list[str] = []


def register_demo_step(path: str) -> None:
    if path not in _demo_steps:
        _demo_steps.append(path)


@transaction.atomic
def load_demo(today: date | None = None) -> list[Account]:
    """Create whatever of the demo data is missing. Returns the demo accounts."""
    today = today or timezone.localdate()
    people = _accounts()
    bench = [
        _person(n, t, _org(c), f"{n.lower().replace(' ', '.')}@example.org") for n, t, c in BENCH
    ]
    for host, rows in COUNCIL_PEOPLE.items():
        for name, job, _ in rows:
            _person(name, job, _org(host))
    for person in [*bench, *(people[a.email] for a in ACCOUNTS if a.email in PEER_ACCOUNTS)]:
        _profile(person)
    for title, host, type_, stage in DIAGNOSTICS:
        if not Diagnostic.objects.filter(title=title, host_council__name=host).exists():
            _build(title, host, type_, stage, people, bench, today)
    from django.utils.module_loading import import_string

    for path in _demo_steps:
        step: DemoStep = import_string(path)
        step(today)
    return ACCOUNTS
