"""The delivery week of each demo diagnostic: attendees, sessions, a solved and published
timetable, invitations, and the meetings of each delivery day recorded as held.

Every write goes through the timetable app's own domain functions, as the person who would do
it: the council's organiser adds the people and their availability and agrees the published
version; the peer challenge manager adds the sessions, runs the scheduler, adds the meeting
links, publishes and sends the invitations; the lead peer records what took place each day.

Who is heard depends on the type of diagnostic (safeguarding and children's services weeks hear
social workers, IROs and the front door; SEND weeks hear SENCOs, the parent carer forum and
EHC plan coordinators; early years weeks hear settings, health visitors and family hub staff).
Children and young people take part only as a group, after school, with a supporting adult and
recorded consent; their attendee rows carry a label such as "CiCC-member-3", never a name.

The scheduler runs outside `ctx.at` (it writes nothing) with a small, fixed budget of CP-SAT
work, so a week takes about two seconds and comes out the same on every load.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any

from peerdiag.common.workdays import add_working_days
from peerdiag.diagnostics.enums import CouncilRoleKind, DiagnosticType, TeamRole
from peerdiag.diagnostics.models import Kloe, TeamMember
from peerdiag.directory.models import Person
from peerdiag.timetable.domain.agreement import agree_version
from peerdiag.timetable.domain.attendance import YOUNG_PEOPLE, record_attendance
from peerdiag.timetable.domain.attendees import Window, add_attendee, set_availability
from peerdiag.timetable.domain.held import HELD_TYPES, record_session_held
from peerdiag.timetable.domain.invitations import send_invitations
from peerdiag.timetable.domain.placements import apply_solution
from peerdiag.timetable.domain.problem import build_problem, latest_version
from peerdiag.timetable.domain.sessions import (
    SessionDetails,
    add_session,
    set_session_links,
    update_session,
)
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.domain.week import day_dates, seed_fixed_meetings
from peerdiag.timetable.enums import HEARING_TYPES, Priority, SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session
from peerdiag.timetable.solver import parse_problem, solution_to_dict, solve

from . import content
from .context import Ctx, NotYet

# The scheduler's budget for one week. `solve` turns it into CP-SAT deterministic work
# (time_limit x WORK_PER_SECOND), which is what normally stops the search, so the week is the
# same on every load; the same number of seconds is only the wall-clock backstop.
SOLVE_SECONDS = 2.0

# Stakeholder groups, spelt as the coverage checklist spells them.
LEADERSHIP = "Council leadership"
MANAGERS = "Senior and middle managers"
TEAM_MANAGERS = "Team managers and practice supervisors"
FRONTLINE = "Frontline practitioners"
PARTNERS = "Partners"
FAMILIES = "Children, young people and families"
SEND = "SEND services"
EARLY_YEARS = "Early years services"

# The days a young people's session may be held, best first (never a Monday), and when: after
# school.
YOUNG_DAYS = (3, 2, 4, 5)
YOUNG_START = time(16, 0)
YOUNG_MINUTES = 45

# Adults' names, from the many backgrounds of people who work in English councils and their
# partners (Welsh, Irish, Polish, South Asian, African, Caribbean, English, Scottish and more).
# Each diagnostic takes a seeded shuffle of them, so no name repeats within a week.
ADULT_NAMES = (
    "Rhys Llewellyn", "Cerys Pritchard", "Gethin Vaughan", "Bethan Griffiths", "Dafydd Morgan",
    "Angharad Jenkins", "Owain Prosser", "Sioned Rees", "Siobhan Gallagher", "Ciaran O'Sullivan",
    "Niamh Doyle", "Aoife Byrne", "Declan McCarthy", "Orla Brennan", "Padraig Keane",
    "Roisin Flanagan", "Agnieszka Nowak", "Tomasz Kowalczyk", "Katarzyna Wisniewska",
    "Piotr Zielinski", "Magdalena Lewandowska", "Marek Wojcik", "Sunita Sharma", "Imran Hussain",
    "Harpreet Kaur", "Rajesh Mistry", "Farzana Begum", "Anil Chauhan", "Nasreen Akhtar",
    "Gurpreet Sandhu", "Priyanka Desai", "Tariq Mahmood", "Shabana Iqbal", "Vikram Joshi",
    "Adebayo Okonkwo", "Chidinma Adeyemi", "Kwame Mensah", "Abena Boateng", "Marcia Campbell",
    "Winston Clarke", "Folake Adebisi", "Delroy Francis", "Helen Thompson", "Gareth Hargreaves",
    "Claire Atkinson", "Stuart Whitworth", "Joanne Bailey", "Martin Lowe", "Lindsey Marshall",
    "Graham Fielding", "Fiona Fraser", "Ewan MacLeod", "Morag Sutherland", "Yusuf Ahmed",
    "Rebecca Holt", "Andrew Kerr", "Louise Pearson", "Neil Dawson", "Kirsty Doherty",
    "Hannah Goldberg", "Mehmet Yilmaz", "Elif Demir", "Giulia Romano", "Wei Chen",
    "Joao Pereira", "Ruth Okafor-Hill",
)  # fmt: skip


@dataclass(frozen=True)
class Who:
    """One council or partner person to invite: their job, group and when they are free.

    `days` lists the days they can come, each with a (start, end) window; empty means all week.
    `role` names a council role held by a person in the cast (then their real name is used).
    """

    job: str
    group: str
    days: tuple[tuple[int, str, str], ...] = ()
    role: str = ""
    email: bool = True


@dataclass(frozen=True)
class Meeting:
    """One interview, focus group or case discussion: who comes (by index into the people),
    which must-hear roles it reaches, and its length."""

    title: str
    type: str
    group: str
    people: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    minutes: int = 60
    priority: str = Priority.MUST
    all_kloes: bool = False
    young: bool = False
    head_count: int | None = None
    notes: str = ""
    # For young people: the label their attendee rows carry instead of a name ("CiCC-member"
    # gives CiCC-member-1, -2 ...). One hyphenated word, so the outbound redactor scrubs only
    # that word and never ordinary words such as "young", "member" or "council".
    label: str = ""


@dataclass
class Blueprint:
    """The people and sessions of one kind of week."""

    people: list[Who] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)


ALL_DAY = "09:00", "17:30"
NARROW = ((2, "09:00", "12:00"), (4, "13:00", "17:00"))  # leaders: two half-days
CHIEF = ((3, "10:00", "12:30"), (5, "09:00", "11:30"))
COURT = ((1, "09:00", "17:30"), (3, "09:00", "17:30"), (4, "09:00", "17:30"), (5, "13:00", "17:30"))
VISITS = (
    (1, "13:00", "17:30"),
    (2, "09:00", "17:30"),
    (4, "09:00", "17:30"),
    (5, "09:00", "17:30"),
)
ONE_DAY_TUE = ((2, "09:00", "17:30"),)
TWO_DAYS = ((3, "09:00", "13:00"), (4, "09:00", "17:30"))
TWILIGHT = ((2, "13:30", "16:00"), (4, "13:30", "16:00"))


def _leaders(ad: str) -> list[Who]:
    return [
        Who("Director of Children's Services", LEADERSHIP, role=CouncilRoleKind.SPONSOR),
        Who("Cabinet Member for Children", LEADERSHIP, NARROW, role="lead_member"),
        Who("Chief Executive", LEADERSHIP, CHIEF, role="chief_executive"),
        Who(ad, LEADERSHIP, ((1, "13:00", "17:30"), (2, "09:00", "17:30"), (5, "09:00", "13:00"))),
    ]


def _leader_meetings(focus: str) -> list[Meeting]:
    return [
        Meeting(
            "Interview: Director of Children's Services",
            SessionType.INTERVIEW,
            LEADERSHIP,
            (0,),
            ("dcs",),
            60,
            all_kloes=True,
        ),
        Meeting(
            "Interview: lead member for children",
            SessionType.INTERVIEW,
            LEADERSHIP,
            (1,),
            ("lead_member",),
            45,
            all_kloes=True,
        ),
        Meeting(
            "Interview: chief executive",
            SessionType.INTERVIEW,
            LEADERSHIP,
            (2,),
            ("chief_executive",),
            45,
            all_kloes=True,
        ),
        Meeting(f"Interview: assistant director, {focus}", SessionType.INTERVIEW, LEADERSHIP, (3,)),
    ]


def social_care(case_review: bool, leavers: bool) -> Blueprint:
    """A safeguarding or children's services week."""
    b = Blueprint(_leaders("Assistant Director, Children's Social Care"))
    b.people += [
        Who("Principal Social Worker", FRONTLINE, TWO_DAYS),  # 4
        Who("Head of Service, Children in Care", MANAGERS),  # 5
        Who("Head of Service, Safeguarding and Assessment", MANAGERS),  # 6
        Who("Head of Quality Assurance", MANAGERS, ONE_DAY_TUE),  # 7
        Who("Team Manager, Assessment", TEAM_MANAGERS, COURT),  # 8
        Who("Team Manager, Child Protection", TEAM_MANAGERS),  # 9
        Who("Practice Supervisor, Children in Care", TEAM_MANAGERS, VISITS),  # 10
        Who("Senior Social Worker", FRONTLINE, COURT),  # 11
        Who("Social Worker, Child Protection", FRONTLINE, VISITS),  # 12
        Who("Social Worker (newly qualified)", FRONTLINE),  # 13
        Who("Social Worker, Children in Care", FRONTLINE, VISITS),  # 14
        Who("Senior Practitioner, Child in Need", FRONTLINE, COURT),  # 15
        Who("Independent Reviewing Officer", FRONTLINE),  # 16
        Who("Child Protection Chair", FRONTLINE, TWO_DAYS),  # 17
        Who("MASH Team Manager", FRONTLINE),  # 18
        Who("Senior Practitioner, Front Door", FRONTLINE, VISITS),  # 19
        Who("Detective Inspector, Public Protection", PARTNERS, ONE_DAY_TUE),  # 20
        Who("Designated Nurse for Safeguarding Children", PARTNERS, ONE_DAY_TUE),  # 21
        Who("Designated Safeguarding Lead, secondary academy", PARTNERS, ONE_DAY_TUE),  # 22
        Who("Foster carer", FAMILIES, TWO_DAYS, email=False),  # 23
        Who("Foster carer", FAMILIES, TWO_DAYS, email=False),  # 24
    ]
    b.meetings += _leader_meetings("children's social care")
    b.meetings += [
        Meeting(
            "Interview: principal social worker", SessionType.INTERVIEW, FRONTLINE, (4,), ("psw",)
        ),
        Meeting("Heads of service", SessionType.FOCUS_GROUP, MANAGERS, (5, 6), ("managers",), 90),
        Meeting(
            "Quality assurance and performance",
            SessionType.INTERVIEW,
            MANAGERS,
            (7,),
            minutes=45,
            priority=Priority.SHOULD,
        ),
        Meeting(
            "Team managers and practice supervisors",
            SessionType.FOCUS_GROUP,
            TEAM_MANAGERS,
            (8, 9, 10),
            ("managers",),
            90,
        ),
        Meeting(
            "Social workers (1)",
            SessionType.FOCUS_GROUP,
            FRONTLINE,
            (11, 12, 13),
            ("frontline",),
            90,
        ),
        Meeting(
            "Social workers (2)", SessionType.FOCUS_GROUP, FRONTLINE, (14, 15), ("frontline",), 90
        ),
        Meeting(
            "Independent reviewing officers and child protection chairs",
            SessionType.FOCUS_GROUP,
            FRONTLINE,
            (16, 17),
            ("iros",),
        ),
        Meeting(
            "Front door and MASH", SessionType.FOCUS_GROUP, FRONTLINE, (18, 19), ("front_door",), 75
        ),
        Meeting(
            "Partners: police, health and schools",
            SessionType.FOCUS_GROUP,
            PARTNERS,
            (20, 21, 22),
            ("partners",),
            90,
        ),
        Meeting("Foster carers", SessionType.FOCUS_GROUP, FAMILIES, (23, 24), ("parents",), 60),
    ]
    if leavers:  # a care leavers' week hears its forum instead
        b.meetings.append(
            Meeting(
                "Young people from the care leavers' forum",
                SessionType.FOCUS_GROUP,
                FAMILIES,
                roles=("young_people",),
                minutes=YOUNG_MINUTES,
                young=True,
                head_count=5,
                notes="Care leavers aged 18 to 21 from the forum, with their personal adviser; "
                "they chose to come and their consent is on file.",
                label="Leavers-forum-member",
            )
        )
    else:
        b.meetings.append(
            Meeting(
                "Children in Care Council",
                SessionType.FOCUS_GROUP,
                FAMILIES,
                roles=("young_people",),
                minutes=YOUNG_MINUTES,
                young=True,
                head_count=6,
                notes="Members of the Children in Care Council, aged 12 to 17, with their "
                "participation worker; they chose to come and their consent is on file.",
                label="CiCC-member",
            )
        )
    if case_review:
        b.meetings += _case_discussions(11, 15)
    return b


def _case_discussions(worker: int, senior: int) -> list[Meeting]:
    return [
        Meeting(
            f"Case discussion {n}: a case from the case record review",
            SessionType.CASE_DISCUSSION,
            FRONTLINE,
            (who,),
            minutes=45,
            priority=Priority.SHOULD,
        )
        for n, who in ((1, worker), (2, senior))
    ]


def send() -> Blueprint:
    """A special educational needs and disabilities week."""
    b = Blueprint(_leaders("Assistant Director, Education and Inclusion"))
    b.people += [
        Who("Head of SEND", SEND),  # 4
        Who("Principal Educational Psychologist", SEND, TWO_DAYS),  # 5
        Who("EHC Plan Coordinator", SEND),  # 6
        Who("EHC Plan Coordinator", SEND, VISITS),  # 7
        Who("Senior EHC Plan Coordinator", SEND),  # 8
        Who("SEND Team Manager", MANAGERS),  # 9
        Who("SENCO, primary school", SEND, TWILIGHT),  # 10
        Who("SENCO, secondary academy", SEND, TWILIGHT),  # 11
        Who("Inclusion Lead, further education college", SEND, TWILIGHT),  # 12
        Who("Designated Clinical Officer for SEND", PARTNERS, ONE_DAY_TUE),  # 13
        Who("Commissioning Manager, Integrated Care Board", PARTNERS, ONE_DAY_TUE),  # 14
        Who("Co-chair, Parent Carer Forum", FAMILIES, TWO_DAYS),  # 15
        Who("Co-chair, Parent Carer Forum", FAMILIES, TWO_DAYS),  # 16
        Who("Head of Service, Children with Disabilities", MANAGERS),  # 17
        Who("Headteacher, special school", PARTNERS, ONE_DAY_TUE),  # 18
        Who("Social Worker, Children with Disabilities", FRONTLINE, VISITS),  # 19
        Who("Occupational Therapist, Children with Disabilities", FRONTLINE, COURT),  # 20
    ]
    b.meetings += _leader_meetings("education and inclusion")
    b.meetings += [
        Meeting("Interview: head of SEND", SessionType.INTERVIEW, SEND, (4,), ("send_team",)),
        Meeting(
            "Interview: principal educational psychologist",
            SessionType.INTERVIEW,
            SEND,
            (5,),
            minutes=45,
        ),
        Meeting(
            "EHC plan coordinators", SessionType.FOCUS_GROUP, SEND, (6, 7, 8), ("send_team",), 90
        ),
        Meeting("SEND team managers", SessionType.INTERVIEW, MANAGERS, (9, 17), ("managers",)),
        Meeting(
            "Children with disabilities team",
            SessionType.FOCUS_GROUP,
            FRONTLINE,
            (19, 20),
            ("frontline",),
            60,
        ),
        Meeting(
            "SENCOs and the college",
            SessionType.FOCUS_GROUP,
            SEND,
            (10, 11, 12),
            ("schools",),
            75,
        ),
        Meeting(
            "Health partners",
            SessionType.FOCUS_GROUP,
            PARTNERS,
            (13, 14),
            ("health", "partners"),
            60,
        ),
        Meeting(
            "Parent carer forum",
            SessionType.FOCUS_GROUP,
            FAMILIES,
            (15, 16),
            ("parent_carer_forum",),
            75,
        ),
        Meeting(
            "Interview: headteacher of a special school",
            SessionType.INTERVIEW,
            PARTNERS,
            (18,),
            ("schools",),
            45,
        ),
        Meeting(
            "Young people from the SEND youth forum",
            SessionType.FOCUS_GROUP,
            FAMILIES,
            roles=("young_people",),
            minutes=YOUNG_MINUTES,
            young=True,
            head_count=5,
            notes="Members of the SEND youth forum, aged 13 to 18, with their youth worker; "
            "they chose to come and their consent is on file.",
            label="Youth-forum-member",
        ),
    ]
    return b


def early_years() -> Blueprint:
    """An early years week."""
    b = Blueprint(_leaders("Assistant Director, Early Help and Prevention"))
    b.people += [
        Who("Head of Early Years and Childcare", EARLY_YEARS),  # 4
        Who("Nursery Manager, private day nursery", EARLY_YEARS, TWILIGHT),  # 5
        Who("Childminder", EARLY_YEARS, TWILIGHT),  # 6
        Who("Headteacher, maintained nursery school", EARLY_YEARS, TWILIGHT),  # 7
        Who("Health Visiting Team Leader", EARLY_YEARS, TWO_DAYS),  # 8
        Who("Health Visitor", EARLY_YEARS, VISITS),  # 9
        Who("Consultant in Public Health", PARTNERS, ONE_DAY_TUE),  # 10
        Who("Family Hub Manager", EARLY_YEARS),  # 11
        Who("Family Support Worker", FRONTLINE, VISITS),  # 12
        Who("Early Help Practitioner", FRONTLINE, COURT),  # 13
        Who("Speech and Language Therapy Lead", PARTNERS, ONE_DAY_TUE),  # 14
        Who("Early Help Team Manager", TEAM_MANAGERS),  # 15
        Who("Head of Service, Early Help", MANAGERS),  # 16
    ]
    b.meetings += _leader_meetings("early help and prevention")
    b.meetings += [
        Meeting(
            "Interview: head of early years",
            SessionType.INTERVIEW,
            EARLY_YEARS,
            (4,),
            ("early_years_settings",),
        ),
        Meeting(
            "Early years settings and childminders",
            SessionType.FOCUS_GROUP,
            EARLY_YEARS,
            (5, 6, 7),
            ("early_years_settings",),
            75,
        ),
        Meeting(
            "Health visitors",
            SessionType.FOCUS_GROUP,
            EARLY_YEARS,
            (8, 9),
            ("health_visitors",),
            60,
        ),
        Meeting(
            "Public health",
            SessionType.INTERVIEW,
            PARTNERS,
            (10,),
            ("health_visitors", "partners"),
            45,
        ),
        Meeting(
            "Family hub staff", SessionType.FOCUS_GROUP, EARLY_YEARS, (11, 12), ("family_hubs",), 75
        ),
        Meeting(
            "Early help practitioners",
            SessionType.FOCUS_GROUP,
            FRONTLINE,
            (12, 13),
            ("frontline",),
            60,
        ),
        Meeting(
            "Speech and language therapy", SessionType.INTERVIEW, PARTNERS, (14,), ("partners",), 45
        ),
        Meeting(
            "Early help managers", SessionType.FOCUS_GROUP, MANAGERS, (15, 16), ("managers",), 60
        ),
        Meeting(
            "Parents from a family hub stay-and-play group",
            SessionType.FOCUS_GROUP,
            FAMILIES,
            roles=("parents",),
            minutes=60,
            head_count=6,
            notes="Parents and carers of children under five who use the family hub.",
        ),
    ]
    return b


def blueprint(ctx: Ctx) -> Blueprint:
    """The week that fits the diagnostic's type."""
    if ctx.plan.type == DiagnosticType.SEND:
        return send()
    if ctx.plan.type == DiagnosticType.EARLY_YEARS:
        return early_years()
    return social_care(ctx.plan.case_review, "leaver" in ctx.plan.title.lower())


def _names(ctx: Ctx, count: int) -> list[str]:
    """`count` different adults' names for this diagnostic, the same on every load."""
    names = list(ADULT_NAMES)
    content.rng(ctx.plan, "week").shuffle(names)
    return names[:count]


def _slug(ctx: Ctx) -> str:
    """The council's name squeezed into the made-up e-mail domain of its staff."""
    return "".join(c for c in ctx.plan.council.lower() if c.isalnum())


def _windows(who: Who) -> list[Window] | None:
    """When `who` said they are free, as timetable windows; None for all week."""
    if not who.days:
        return None
    return [
        Window(day, time.fromisoformat(start), time.fromisoformat(end))
        for day, start, end in who.days
    ]


def _add_people(ctx: Ctx, plan: Blueprint) -> list[Attendee]:
    """The organiser adds everyone: the council's own leaders under their names, others with
    generated names; those who gave their free times get them set."""
    organiser = ctx.council_user(CouncilRoleKind.ORGANISER) or ctx.pcm
    names = _names(ctx, len(plan.people))
    out: list[Attendee] = []
    for i, who in enumerate(plan.people):
        person: Person | None = ctx.council_person(who.role) if who.role else None
        if person is None and who.role:
            person = ctx.cast.council(ctx.plan.council).get(who.role)
        if person is not None:
            name, email, job = person.full_name, person.email, person.job_title or who.job
        else:
            name, job = names[i], who.job
            address = name.lower().replace("'", "").replace(" ", ".")
            email = f"{address}@{_slug(ctx)}.example.org" if who.email else ""
        found = Attendee.objects.filter(diagnostic=ctx.d, name=name).first()
        if found is None:
            found = add_attendee(
                ctx.d, by=organiser, name=name, group=who.group, job_title=job, email=email
            )
        out.append(found)
    for m in plan.meetings:
        for n in range(1, (m.head_count or 0) + 1 if m.young else 1):
            add_attendee(
                ctx.d,
                by=organiser,
                name=f"{m.label}-{n}",
                group=FAMILIES,
                young_person=True,
            )
    return out


def _young_rows(ctx: Ctx, m: Meeting) -> tuple[Attendee, ...]:
    """The labelled (never named) attendee rows of a young people's session."""
    if not m.young:
        return ()
    rows = Attendee.objects.filter(
        diagnostic=ctx.d, young_person=True, name__startswith=f"{m.label}-"
    )
    return tuple(rows.order_by("pk"))


def _set_availability(ctx: Ctx, plan: Blueprint, people: list[Attendee]) -> None:
    """The organiser records the free times people sent back (leaders narrow, partners a day
    or two, frontline staff around court and home visits); the rest stay free all week."""
    organiser = ctx.council_user(CouncilRoleKind.ORGANISER) or ctx.pcm
    for who, a in zip(plan.people, people, strict=True):
        windows = _windows(who)
        if windows is not None:
            set_availability(a, by=organiser, windows=windows, version=a.version)


def _kloes_for(kloes: list[Kloe], n: int, m: Meeting) -> tuple[Kloe, ...]:
    """The lines of enquiry session `n` explores: all of them with leaders, else two in turn,
    so every line is heard in several interviews and focus groups (the preparation gate)."""
    if m.all_kloes or not kloes:
        return tuple(kloes)
    return (kloes[n % len(kloes)], kloes[(n + 1) % len(kloes)])


def _auditor(ctx: Ctx) -> tuple[TeamMember, ...]:
    """The case auditor who stays for delivery: they take the case discussions."""
    found = [m for m in ctx.members(TeamRole.CASE_AUDITOR) if m.continues_to_delivery]
    return tuple(found[:1])


def _young_days(ctx: Ctx, plan: Blueprint) -> list[int]:
    """The days of the young people's sessions, one a day: midweek school days first, never a
    Monday (delivery day 1 is not always a Monday, so the dates decide)."""
    dates = day_dates(ctx.d)
    wanted = sum(1 for m in plan.meetings if m.young)
    days = [n for n in YOUNG_DAYS if dates[n].weekday() != 0]
    return days[:wanted]


def _fixed_meetings(ctx: Ctx, plan: Blueprint) -> None:
    """The PCM sets up the week's standing meetings; on a day with a young people's session
    after school, the peer team meets after it, at 17:00 (moved while the week is still
    empty, so nothing else has to be checked against it)."""
    seed_fixed_meetings(ctx.d, by=ctx.pcm)
    for day in _young_days(ctx, plan):
        meeting = Session.objects.get(diagnostic=ctx.d, type=SessionType.PEER_TEAM, fixed_day=day)
        moved = replace(SessionDetails.of(meeting), fixed_start=time(17, 0))
        update_session(meeting, by=ctx.pcm, details=moved, version=meeting.version)


def _add_sessions(ctx: Ctx, plan: Blueprint, people: list[Attendee], day: date) -> None:
    """The PCM adds the interviews, focus groups and case discussions; a young people's
    session is fixed after school on its day."""
    kloes = list(ctx.d.kloes.order_by("order"))
    auditor = _auditor(ctx)
    young_days = iter(_young_days(ctx, plan))
    for n, m in enumerate(plan.meetings):
        fixed: dict[str, object] = {}
        if m.young:
            on = next(young_days)
            fixed = {
                "fixed_day": on,
                "fixed_start": YOUNG_START,
                "allowed_days": (on,),
                "earliest_start": YOUNG_START,
            }
        details = SessionDetails(
            type=m.type,
            title=m.title,
            minutes=m.minutes,
            priority=m.priority,
            group=m.group,
            kloes=_kloes_for(kloes, n, m) if m.type in HEARING_TYPES else (),
            attendees=tuple(people[i] for i in m.people) + _young_rows(ctx, m),
            head_count=m.head_count,
            roles=m.roles,
            young_people=m.young,
            supporting_adult="Participation worker" if m.young else "",
            consent_recorded_on=day if m.young else None,
            notes=m.notes,
            required_peers=auditor if m.type == SessionType.CASE_DISCUSSION else (),
            **fixed,  # type: ignore[arg-type]
        )
        add_session(ctx.d, by=ctx.pcm, details=details)


def _link(session: Session) -> str:
    """A Teams meeting link of the shape the platform check accepts, one per session."""
    return f"https://teams.microsoft.com/l/meetup-join/peerdiag-demo-{session.code.lower()}"


def _renamed(doc: Any, names: dict[str, str]) -> Any:
    """`doc` (JSON-shaped) with every string that is a key of `names` replaced by its value."""
    if isinstance(doc, dict):
        return {k: _renamed(v, names) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_renamed(v, names) for v in doc]
    if isinstance(doc, str):
        return names.get(doc, doc)
    return doc


def _solved(ctx: Ctx) -> dict[str, Any]:
    """The scheduler's timetable of the week, as a solution document for apply_solution.

    The app's codes for sessions, peers and attendees are random, and the scheduler breaks
    ties by id, so the demo hands it the same problem with ids numbered in the problem's own
    (stable) order and maps the answer back: the demo's week is the same on every load.
    """
    doc = build_problem(ctx.d, with_previous=False)
    ids = [p["id"] for p in doc["people"]] + [s["id"] for s in doc["sessions"]]
    stable = {old: f"id{n:04d}" for n, old in enumerate(ids)}
    result = solve(parse_problem(_renamed(doc, stable)), time_limit=SOLVE_SECONDS, workers=1)
    back = {new: old for old, new in stable.items()}
    solution: dict[str, Any] = _renamed(solution_to_dict(result.solution), back)
    return solution


def _step(ctx: Ctx, day: date, hhmm: str) -> None:
    """Stop the walk (NotYet) before a step dated on or after the cutoff."""
    if not ctx.due(day, hhmm):
        raise NotYet


def prepare(ctx: Ctx) -> None:
    """Between `ctx.tl.timetable_start` and `ctx.tl.timetable_agreed`: attendees and their
    availability, the sessions, a solve by the scheduler, meeting links, publishing, and the
    organiser agreeing the published version."""
    tl = ctx.tl
    plan = blueprint(ctx)
    people_day = tl.timetable_start
    free_day = add_working_days(tl.timetable_start, 1)
    sessions_day = add_working_days(tl.timetable_start, 2)
    _step(ctx, people_day, "09:45")
    # The standing meetings first: they invite the council's partner representatives, not
    # every partner the organiser adds later for one focus group on one day.
    with ctx.at(people_day, "09:45"):
        _fixed_meetings(ctx, plan)
    _step(ctx, people_day, "10:30")
    with ctx.at(people_day, "10:30"):
        people = _add_people(ctx, plan)
    _step(ctx, free_day, "14:15")
    with ctx.at(free_day, "14:15"):
        _set_availability(ctx, plan, people)
    _step(ctx, sessions_day, "11:00")
    with ctx.at(sessions_day, "11:00"):
        _add_sessions(ctx, plan, people, sessions_day)
    _step(ctx, tl.timetable_published, "15:00")
    # The scheduler writes nothing, and its time limit reads a real clock: run it outside.
    solution = _solved(ctx)
    with ctx.at(tl.timetable_published, "14:30"):
        apply_solution(ctx.d, solution, by=ctx.pcm, summary="Generated the week")
    with ctx.at(tl.timetable_published, "14:50"):
        rows = list(Session.objects.filter(diagnostic=ctx.d).order_by("pk"))
        set_session_links(
            ctx.d,
            by=ctx.pcm,
            links={s: _link(s) for s in rows},
            versions={s: s.version for s in rows},
        )
    with ctx.at(tl.timetable_published, "15:00"):
        version = publish(ctx.d, by=ctx.pcm, note="First published version", notify=False)
    _step(ctx, tl.timetable_agreed, "10:15")
    organiser = ctx.council_user(CouncilRoleKind.ORGANISER)
    with ctx.at(tl.timetable_agreed, "10:15"):
        agree_version(ctx.d, by=organiser or ctx.pcm, number=version.number)


def confirm(ctx: Ctx) -> None:
    """On `ctx.tl.invitations`: invitations out for every session (ready to delivery)."""
    _step(ctx, ctx.tl.invitations, "10:00")
    version = latest_version(ctx.d)
    if version is None:
        return
    with ctx.at(ctx.tl.invitations, "10:00"):
        send_invitations(version, previous=None)


def _counts(session: Session, rng: random.Random) -> dict[str, int | None]:
    """How many came, by group: the invited adults (now and then one short), or the group's
    expected number for young people and parents."""
    if session.young_people:
        return {YOUNG_PEOPLE: session.head_count or 4}
    people = list(session.attendees.all())
    if not people:
        return {session.group: session.head_count or 5}
    out: dict[str, int | None] = {}
    for a in people:
        out[a.group] = out.get(a.group, 0) + 1  # type: ignore[operator]
    if len(people) > 2 and rng.random() < 0.3:
        first = next(iter(out))
        out[first] = max(1, (out[first] or 1) - 1)
    return out


def hold(ctx: Ctx, day: int) -> None:
    """At the end of delivery day `day`: that day's sessions recorded as held (the KIT and
    peer team meetings always)."""
    when = ctx.tl.day(day)
    _step(ctx, when, "17:50")
    lead = ctx.lead
    by = lead.person.user if lead is not None and lead.person.user else ctx.pcm
    rng = content.rng(ctx.plan, f"held-{day}")
    rows = list(
        Session.objects.filter(diagnostic=ctx.d, day=day)
        .exclude(status=SessionStatus.CANCELLED)
        .prefetch_related("attendees")
        .order_by("start", "pk")
    )
    with ctx.at(when, "17:40"):
        for s in rows:
            if s.type in HEARING_TYPES and s.status != SessionStatus.HELD:
                record_attendance(
                    s, by=ctx.pcm, outcome="held", counts=_counts(s, rng), version=s.version
                )
    with ctx.at(when, "17:50"):
        for s in rows:
            if s.type in HELD_TYPES and s.status != SessionStatus.HELD:
                record_session_held(s, by=by, held=True, version=s.version)
