"""The key documents of preparation: asked for by the PCM, sent by the council, reviewed.

On the first morning of preparation the peer challenge manager requests the standard list of
key documents for the diagnostic's type (the documents app keeps one per type) plus one or two
documents that type calls for and the list lacks, all due on the timeline's documents date.
Over the following days the council's organiser uploads them, a few at a time, as small but
real files made here: PDFs for plans, self-assessments and letters, Excel workbooks of made-up
figures for data returns. The PCM reviews each upload the next working day: one document is
returned with a reason and comes back as a second version, one or two arrive after their due
date, and the rest are accepted as they come.

Every step goes through the documents app's domain functions at its own moment, in date order,
and stops at the first one not before the cutoff, so a diagnostic in preparation today is left
with some documents still to come. A postponed diagnostic stops where it was postponed.

Files hold no people at all: no child, no member of staff, only roles, groups and counts. The
bytes of each file are made once per process (`functools.cache`), which keeps this phase to a
fraction of a second for the whole demo.
"""

from __future__ import annotations

import random
import textwrap
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.core.files.base import ContentFile

from peerdiag.common.errors import DomainError
from peerdiag.common.workdays import is_working_day
from peerdiag.diagnostics.enums import CouncilRoleKind, DiagnosticType, Stage
from peerdiag.documents.domain.requests import (
    accept_document,
    request_document,
    request_standard_documents,
    requested_titles,
    return_document,
)
from peerdiag.documents.domain.uploads import FileToSupply, supply_documents
from peerdiag.documents.enums import Category, Classification
from peerdiag.documents.models import DocumentRequest

from .context import Ctx, moment
from .plans import postponed_on

REQUEST_NOTE = (
    "Please send what you already have: there is no need to write anything new for the "
    "diagnostic. Upload each file against its request, and tell me if something does not exist."
)

SERVICE = {
    DiagnosticType.SAFEGUARDING: "Children's social care",
    DiagnosticType.SEND: "Special educational needs and disabilities",
    DiagnosticType.EARLY_YEARS: "Early years and childcare",
    DiagnosticType.CHILDRENS_SERVICES: "Children's services",
}


@dataclass(frozen=True)
class Kind:
    """One kind of document the council sends: how its file is titled and what it says.

    `lines` are paragraphs of a PDF; `rows` (measure, low, high) make an Excel workbook of
    figures instead. Placeholders: {council}, {service}, {fy} (this financial year) and {last}
    (the year before). `fix` is the reason the PCM gives if this is the document returned."""

    stem: str
    heading: str
    lines: tuple[str, ...] = ()
    rows: tuple[tuple[str, float, float], ...] = ()
    yearly: bool = False  # columns are years, not months
    classification: str = Classification.OFFICIAL
    fix: str = ""
    note: str = ""  # a line under a workbook's heading

    @property
    def workbook(self) -> bool:
        return bool(self.rows)


GENERIC_LINES = (
    "{council} sends this document for the peer diagnostic, as asked by the peer challenge "
    "manager.",
    "It is the current version held by the service and has not been written for the diagnostic.",
    "Questions about it can go to the diagnostic organiser, who passes them on to the right team.",
)
GENERIC_ROWS = (
    ("Referrals received", 180, 320),
    ("Work completed within timescale (%)", 70, 92),
    ("Open cases at month end", 900, 1500),
)

# The documents of the standard lists (by title, in lower case) and the extras below.
KINDS: dict[str, Kind] = {
    "most recent inspection or monitoring letter": Kind(
        "inspection-letter",
        "Letter following the inspection of local authority children's services",
        (
            "To the Director of Children's Services, {council}.",
            "Inspectors spent two weeks with the council's services, meeting practitioners, "
            "managers and partners, and groups of children, young people and carers.",
            "Overall effectiveness: requires improvement to be good. Leaders know their services "
            "well and have a credible plan, but the quality of practice is not yet consistent "
            "from one team to the next.",
            "What needs to improve: the timeliness of assessments for children in need; the "
            "quality and impact of supervision; management oversight of plans that drift.",
            "Strengths: a stable senior leadership team, partnership working at the front door "
            "that is well established, and a culture in which staff say they feel supported.",
        ),
        classification=Classification.PUBLIC,
    ),
    "current improvement plan": Kind(
        "improvement-plan",
        "{service}: improvement plan {fy}",
        (
            "This plan sets out the priorities the improvement board agreed for {fy}, and how "
            "progress against each one is measured and reported.",
            "Priority 1. Consistent, good quality practice in every team, built on one practice "
            "framework and regular learning sessions.",
            "Priority 2. A stable and skilled workforce: fewer agency staff and caseloads that "
            "practitioners can manage.",
            "Priority 3. Better use of performance information, so managers act on what the "
            "figures show them.",
            "Priority 4. Listening to children, young people and families, and showing what "
            "changed because of what they said.",
            "Each priority has a senior owner, milestones for every quarter and measures that go "
            "to the improvement board every six weeks.",
        ),
        fix="This looks like an earlier draft: please send the version the improvement board "
        "agreed.",
    ),
    "latest performance data and scorecard": Kind(
        "performance-scorecard",
        "Performance scorecard",
        rows=(
            ("Re-referrals within 12 months (%)", 16, 26),
            ("Assessments completed within 45 working days (%)", 72, 93),
            ("Child protection visits within timescale (%)", 80, 97),
            ("Children in care with three or more homes in the year (%)", 7, 12),
            ("Care leavers in education, employment or training (%)", 48, 62),
            ("Cases with supervision recorded in the last month (%)", 70, 95),
        ),
        fix="This scorecard has no comparison with statistical neighbours: please send the "
        "version that has it.",
        note="Monthly figures from the case management system, checked by the performance team.",
    ),
    "quality assurance and audit framework, with recent findings": Kind(
        "quality-assurance-framework",
        "Quality assurance framework and summary of recent audit findings",
        (
            "The framework describes how {council} checks the quality of its work: monthly "
            "practice audits, themed audits, dip samples, observation of practice and feedback "
            "from families.",
            "Audits are done together by a practitioner and their manager, then moderated by the "
            "quality assurance team so that grades stay consistent.",
            "Over the last six months most audited work was graded good or better. About a third "
            "required improvement, and a small number were inadequate and were escalated at once.",
            "Common themes: plans that are not specific about what needs to change, and the views "
            "of children not always recorded in their own words.",
            "Learning from audits goes out in practice bulletins and team discussions, and the "
            "next cycle of audits checks it has taken hold.",
        ),
    ),
    "structure charts for the service": Kind(
        "structure-charts",
        "{service}: structure charts",
        (
            "Director of Children's Services, reporting to the Chief Executive.",
            "Assistant Director, Safeguarding and Family Help: the front door and MASH, "
            "assessment teams, and child protection and children in need teams.",
            "Assistant Director, Children in Care and Care Leavers: children in care teams, "
            "fostering, the council's children's homes and the leaving care service.",
            "Assistant Director, Education, SEND and Inclusion: SEND assessment and review, "
            "educational psychology, early years and childcare, and school improvement.",
            "Head of Quality Assurance: independent reviewing officers, child protection chairs, "
            "the designated officer and the audit team.",
            "Business support and the performance team work across all three divisions.",
        ),
        fix="The charts leave out the front door and the quality assurance service: please send "
        "the full set.",
    ),
    "workforce data: vacancies, turnover, agency staff and caseloads": Kind(
        "workforce-data",
        "Workforce data",
        rows=(
            ("Social worker posts (FTE)", 180, 320),
            ("Vacancy rate (%)", 9, 22),
            ("Agency social workers (FTE)", 12, 45),
            ("Turnover in the last 12 months (%)", 11, 21),
            ("Average caseload per social worker", 15, 23),
            ("Newly qualified social workers in their first year", 12, 30),
        ),
        classification=Classification.OFFICIAL_SENSITIVE,
        note="Counts and rates by month from the HR system. No individual member of staff is "
        "shown.",
    ),
    "partnership arrangements and governance": Kind(
        "partnership-arrangements",
        "Partnership arrangements and governance",
        (
            "The local safeguarding children partnership is led jointly by {council}, the "
            "integrated care board and the police.",
            "An executive group meets every quarter, supported by subgroups for learning from "
            "practice, performance, and neglect.",
            "The children and young people's partnership board oversees the wider strategy, "
            "including early help, SEND and education.",
            "An independent scrutineer tests how well the arrangements work and reports to the "
            "executive group once a year.",
            "The lead member for children's services and the corporate parenting board receive "
            "regular reports, and the scrutiny committee reviews performance twice a year.",
        ),
    ),
    "latest annual report of the local safeguarding children partnership": Kind(
        "safeguarding-partnership-annual-report",
        "{council} Safeguarding Children Partnership: annual report {last}",
        (
            "This report describes what the partnership did over the year, what difference it "
            "made, and what it plans to do next.",
            "Partners published two local practice reviews and ran learning events that several "
            "hundred practitioners attended.",
            "Priorities for the coming year: neglect, exploitation outside the home, and moving "
            "from children's to adult services.",
            "The independent scrutineer found that partners work well together at a strategic "
            "level, and that the partnership needs to show more clearly how learning changes "
            "practice.",
        ),
        classification=Classification.PUBLIC,
    ),
    # Safeguarding
    "self-evaluation of social work practice (the latest one shared with ofsted)": Kind(
        "self-evaluation-of-practice",
        "Self-evaluation of social work practice {fy}",
        (
            "This self-evaluation gives the council's own, honest view of the quality and impact "
            "of social work practice, prepared for the annual engagement meeting with Ofsted.",
            "What we know: most children get a timely and proportionate response at the front "
            "door, enquiries are completed promptly, and most children in care live in stable "
            "homes.",
            "What we need to improve: the timeliness of assessments in two locality teams, drift "
            "in some child protection plans, and the quality of pathway planning.",
            "How we know: monthly performance figures, practice audits, feedback from children "
            "and families, and learning reviews.",
            "What we are doing: more permanent social workers, a new practice framework, and "
            "closer management oversight through weekly performance clinics.",
        ),
    ),
    "ofsted ilacs annex a data from the latest return": Kind(
        "annex-a-summary",
        "Annex A return: summary counts",
        rows=(
            ("Contacts", 1400, 2600),
            ("Referrals", 320, 610),
            ("Assessments completed", 300, 560),
            ("Section 47 enquiries", 90, 180),
            ("Initial child protection conferences", 35, 75),
            ("Children subject to a child protection plan (month end)", 250, 480),
            ("Children in care (month end)", 450, 900),
        ),
        classification=Classification.OFFICIAL_SENSITIVE,
        note="Counts only. The child-level lists stay with the council and were not sent.",
    ),
    "front door and mash data: contacts, referrals and timeliness of decisions": Kind(
        "front-door-data",
        "Front door and MASH data",
        rows=(
            ("Contacts received", 1400, 2600),
            ("Contacts that became referrals (%)", 18, 32),
            ("Decisions made within one working day (%)", 78, 97),
            ("Strategy discussions held", 80, 170),
            ("Referrals with police or health information shared on time (%)", 70, 94),
        ),
        note="Monthly figures for the multi-agency safeguarding hub.",
    ),
    # SEND
    "send self-evaluation": Kind(
        "send-self-evaluation",
        "SEND self-evaluation {fy}",
        (
            "This self-evaluation is written jointly by {council}, the integrated care board and "
            "the parent carer forum.",
            "Strengths: a good range of specialist provision, needs identified early in the "
            "early years, and a strong partnership with the parent carer forum.",
            "To develop: too few education, health and care plans are issued within 20 weeks, "
            "annual reviews are not always held on time, and some families find the local offer "
            "hard to use.",
            "Evidence: performance figures, multi-agency audits of plans, complaints, tribunal "
            "outcomes and surveys of families.",
        ),
        fix="This is last year's self-evaluation: please send the one the SEND partnership "
        "board signed off this year.",
    ),
    "send improvement or strategic action plan": Kind(
        "send-action-plan",
        "SEND strategic action plan {fy}",
        (
            "The plan covers four areas: identifying needs early, timely assessment and "
            "planning, inclusion in mainstream schools, and preparing for adulthood.",
            "Each action has an owner from education, health or social care, a date by which it "
            "is due and a measure of its impact.",
            "The SEND partnership board reviews progress every two months and reports to the "
            "health and wellbeing board.",
        ),
    ),
    "ehcp data: requests, plans issued within 20 weeks and annual reviews held": Kind(
        "ehcp-data",
        "Education, health and care plans: monthly data",
        rows=(
            ("Requests for an EHC needs assessment", 60, 140),
            ("Plans issued within 20 weeks (%)", 35, 70),
            ("Plans issued within 20 weeks, excluding exceptions (%)", 40, 75),
            ("Annual reviews held on time (%)", 55, 85),
            ("Children and young people with a plan (month end)", 2800, 5200),
            ("Appeals registered with the tribunal", 4, 16),
        ),
        note="Monthly figures from the SEND case management system.",
    ),
    "parent carer forum feedback and local offer summary": Kind(
        "parent-carer-forum-feedback",
        "Parent carer forum feedback and local offer summary",
        (
            "The parent carer forum ran an online survey and three listening events this year, "
            "with families from every part of {council}.",
            "Families value SEND caseworkers once a plan is in place, but say the wait for an "
            "assessment is too long and they are not told what is happening.",
            "Most find it hard to get the right information from the local offer website; the "
            "forum and the council are rewriting its main pages together.",
        ),
    ),
    # Early years and children's services
    "self-assessment or position statement": Kind(
        "self-assessment",
        "{service}: self-assessment {fy}",
        (
            "This statement sets out where {council} believes its services stand today, what is "
            "working well and what needs to change.",
            "Strengths: committed staff, good partnership working, and leaders who know where "
            "practice needs to improve.",
            "Challenges: rising demand, recruiting and keeping experienced staff, and pressure "
            "on budgets.",
            "We would like the peer team to test whether our view of ourselves is accurate and "
            "to suggest what we should focus on next.",
        ),
    ),
    "early years outcome data, such as the share of children reaching a good level of "
    "development": Kind(
        "early-years-outcomes",
        "Early years outcomes",
        rows=(
            ("Children reaching a good level of development (%)", 62, 71),
            ("Gap for children eligible for free school meals (percentage points)", 14, 22),
            ("Two-year health and development reviews completed (%)", 72, 90),
            ("Settings judged good or outstanding (%)", 90, 98),
        ),
        yearly=True,
        note="Figures for each academic year.",
    ),
    "take-up of funded early education places for two, three and four-year-olds": Kind(
        "funded-places-take-up",
        "Take-up of funded early education places",
        rows=(
            ("Eligible two-year-olds taking up a place (%)", 68, 86),
            ("Three and four-year-olds taking up the universal hours (%)", 88, 97),
            ("Working parent entitlement codes validated", 2500, 6000),
            ("Children with SEN support in funded places", 300, 700),
        ),
        yearly=True,
        note="Figures for each academic year, from the early years funding team.",
    ),
    "sufficiency strategy for children in care and care leavers": Kind(
        "sufficiency-strategy",
        "Sufficiency strategy for children in care and care leavers {fy}",
        (
            "The strategy sets out how {council} plans to have enough homes, of the right kind "
            "and close enough, for the children it looks after.",
            "Over the last year the number of children in care went up slightly, and more children "
            "than before live outside the council's area.",
            "Actions: recruit more foster carers, open two small children's homes, and work with "
            "neighbouring councils to commission supported accommodation that meets the new "
            "standards.",
            "Care leavers are offered suitable accommodation, and the council is widening its "
            "supported lodgings scheme.",
        ),
    ),
}

# Documents a type calls for beyond the standard list (title, category), in request order.
EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    DiagnosticType.SAFEGUARDING: (
        (
            "Front door and MASH data: contacts, referrals and timeliness of decisions",
            Category.PERFORMANCE,
        ),
    ),
    DiagnosticType.SEND: (
        ("Parent carer forum feedback and local offer summary", Category.PARTNERSHIPS),
    ),
    DiagnosticType.EARLY_YEARS: (
        (
            "Take-up of funded early education places for two, three and four-year-olds",
            Category.PERFORMANCE,
        ),
    ),
    DiagnosticType.CHILDRENS_SERVICES: (
        ("Sufficiency strategy for children in care and care leavers", Category.PLANS),
    ),
}

# The documents the PCM is likeliest to send back, first found first.
RETURNABLE = (
    "latest performance data and scorecard",
    "current improvement plan",
    "structure charts for the service",
    "send self-evaluation",
)
DEFAULT_FIX = "This is not the latest version: please send the current one."
REVISED = "Revised version, sent again after the peer challenge manager's comments."


def kind_of(ask: DocumentRequest) -> Kind:
    """The kind of document asked for; a plain one, of figures for a data category, for a
    title the demo does not know (an administrator may have changed the standard lists)."""
    known = KINDS.get(ask.title.lower())
    if known is not None:
        return known
    stem = "-".join("".join(c if c.isalnum() else " " for c in ask.title.lower()).split())[:60]
    if ask.category in (Category.PERFORMANCE, Category.WORKFORCE):
        return Kind(stem or "data", ask.title, rows=GENERIC_ROWS, note="Monthly figures.")
    return Kind(stem or "document", ask.title, GENERIC_LINES)


# Years and months ------------------------------------------------------------------------------


def financial_year(day: date, back: int = 0) -> str:
    """The council's financial year (April to March) holding `day`, `back` years earlier."""
    start = (day.year if day.month >= 4 else day.year - 1) - back
    return f"{start}-{(start + 1) % 100:02d}"


def columns_for(kind: Kind, day: date) -> tuple[str, ...]:
    """The column headings of a workbook made on `day`: the last six months (as 2026-04) or
    the last three academic years (as 2025-26)."""
    if kind.yearly:
        last = day.year - 1 if day.month < 9 else day.year  # the latest academic year ended
        return tuple(f"{y - 1}-{y % 100:02d}" for y in range(last - 2, last + 1))
    out, first = [], day.replace(day=1)
    for _ in range(6):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(f"{first.year}-{first.month:02d}")
    return tuple(reversed(out))


# The files ------------------------------------------------------------------------------------


def fill(text: str, council: str, service: str, fy: str, last: str) -> str:
    """`text` with its placeholders filled in for one council and year."""
    return text.format(council=council, service=service, fy=fy, last=last)


@cache
def pdf_bytes(kind: Kind, council: str, service: str, fy: str, last: str, revised: bool) -> bytes:
    """A one-page PDF: the document's title, the council, and its paragraphs.

    Lines are wrapped here and placed with `text`: fpdf's own `multi_cell` measures every
    character and takes about 20 times as long, which the demo's time budget cannot afford."""
    from fpdf import FPDF

    title = fill(kind.heading, council, service, fy, last)
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(council)
    pdf.set_creation_date(datetime(2026, 1, 1))  # the same bytes on every load
    pdf.add_page()
    y = 25.0
    pdf.set_font("helvetica", "B", 15)
    for line in textwrap.wrap(title, 60):
        pdf.text(20, y, line)
        y += 7
    pdf.set_font("helvetica", "", 11)
    pdf.text(20, y + 1, council)
    y += 12
    paragraphs = [*kind.lines, REVISED] if revised else list(kind.lines)
    for paragraph in paragraphs:
        for line in textwrap.wrap(fill(paragraph, council, service, fy, last), 88):
            pdf.text(20, y, line)
            y += 5.5
        y += 3
    return bytes(pdf.output())


@cache
def xlsx_bytes(kind: Kind, council: str, columns: tuple[str, ...], revised: bool) -> bytes:
    """A workbook of one sheet: a heading, then a table of made-up figures (no formulas)."""
    from openpyxl.styles import Font

    from peerdiag.common import spreadsheets

    rng = random.Random(f"{council}|{kind.stem}|{columns}")
    book = spreadsheets.new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Figures"
    spreadsheets.append(sheet, [f"{council}: {kind.heading}"])
    sheet["A1"].font = Font(bold=True, size=13)
    spreadsheets.append(sheet, [kind.note or "Figures from the council's own systems."])
    if revised:
        spreadsheets.append(sheet, [REVISED])
    spreadsheets.append(sheet, [])
    heads = ["Measure", *columns, *(["Statistical neighbours"] if revised else [])]
    spreadsheets.append(sheet, heads)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for measure, low, high in kind.rows:
        start = rng.uniform(low, high)
        values: list[float] = []
        for _ in columns:
            start = min(max(start + rng.uniform(-0.06, 0.06) * (high - low), low), high)
            values.append(round(start, 1) if high <= 100 else round(start))
        if revised:
            values.append(round((low + high) / 2, 1))
        spreadsheets.append(sheet, [measure, *values])
    sheet.column_dimensions["A"].width = 60
    spreadsheets.describe(book, title=f"{council}: {kind.heading}")
    return spreadsheets.workbook_bytes(book)


def file_for(ctx: Ctx, ask: DocumentRequest, revised: bool = False) -> tuple[ContentFile, str]:
    """The file the organiser uploads for `ask` (its second version when `revised`), and its
    name as the council would call it."""
    kind = kind_of(ask)
    council = ctx.plan.council
    day = ctx.tl.preparation
    slug = "-".join(council.lower().split())
    suffix = "-v2" if revised else ""
    if kind.workbook:
        data = xlsx_bytes(kind, council, columns_for(kind, day), revised)
        return ContentFile(data), f"{slug}-{kind.stem}{suffix}.xlsx"
    service = SERVICE.get(DiagnosticType(ctx.plan.type), "Children's services")
    fy, last = financial_year(day), financial_year(day, back=1)
    data = pdf_bytes(kind, council, service, fy, last, revised)
    return ContentFile(data), f"{slug}-{kind.stem}-{fy}{suffix}.pdf"


# The steps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One move of the document exchange, run with the clock at `day` `hhmm`."""

    day: date
    hhmm: str
    act: Callable[[], None]

    @property
    def when(self) -> datetime:
        """The moment of the step, for sorting and for the cutoff."""
        return moment(self.day, self.hhmm)


def working_days(first: date, last: date) -> list[date]:
    """The working days from `first` to `last`, both included: the days the phase can use."""
    out, day = [], first
    while day <= last:
        if is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def ask_for_documents(ctx: Ctx) -> list[DocumentRequest]:
    """The PCM requests the type's standard list, then the extras it lacks; returns them all,
    in the order the council sees them."""
    due = ctx.tl.documents_due
    try:
        made = request_standard_documents(ctx.d, by=ctx.pcm, due_on=due, notes=REQUEST_NOTE)
    except DomainError:  # an administrator removed the type's list: the extras only
        made = []
    have = requested_titles(ctx.d)
    for title, category in EXTRAS.get(DiagnosticType(ctx.plan.type), ()):
        if title.lower() not in have:
            made.append(
                request_document(
                    ctx.d,
                    by=ctx.pcm,
                    title=title,
                    category=category,
                    due_on=due,
                    notes=REQUEST_NOTE,
                )
            )
    return made


def plan_steps(ctx: Ctx, asks: list[DocumentRequest], days: list[date]) -> list[Step]:
    """Who does what on which day: the organiser's uploads (batched by day, in the afternoon)
    and the PCM's reviews the next working morning; one returned, one or two late."""
    rng = random.Random(f"documents|{ctx.plan.key}")
    organiser = ctx.council_user(CouncilRoleKind.ORGANISER)
    pcm = ctx.pcm
    last = len(days) - 1
    due = max(i for i, d in enumerate(days) if d <= ctx.tl.documents_due)

    by_title = {a.title.lower(): a for a in asks}
    back = next((by_title[t] for t in RETURNABLE if t in by_title), asks[0])
    rest = [a for a in asks if a is not back]
    data = [a for a in rest if kind_of(a).workbook and a.title.lower() not in RETURNABLE]
    late = rng.sample(data or rest, k=min(len(data or rest), rng.choice((1, 2))))

    uploads: dict[int, list[tuple[DocumentRequest, bool]]] = defaultdict(list)
    reviews: dict[int, list[tuple[DocumentRequest, bool]]] = defaultdict(list)  # True: return
    first = rng.randint(1, 2)
    uploads[first].append((back, False))
    reviews[first + 1].append((back, True))
    uploads[min(first + 3, due)].append((back, True))
    reviews[min(first + 4, due + 1)].append((back, False))
    for ask in rest:
        if ask in late:  # after the due date, in time to be reviewed before the phase ends
            day = min(rng.randint(due + 1, max(due + 1, last - 1)), last - 1)
        else:
            day = rng.randint(1, due)
        uploads[day].append((ask, False))
        reviews[day + 1].append((ask, False))

    def upload(batch: list[tuple[DocumentRequest, bool]]) -> Callable[[], None]:
        def act() -> None:
            items = []
            for i, (ask, revised) in enumerate(batch):
                file, name = file_for(ctx, ask, revised)
                kind = kind_of(ask)
                items.append(FileToSupply(f"file-{i}", file, name, kind.classification, ask))
            supply_documents(ctx.d, items, by=organiser)

        return act

    def review(ask: DocumentRequest, send_back: bool) -> Callable[[], None]:
        def act() -> None:
            ask.refresh_from_db()
            if send_back:
                fix = kind_of(ask).fix or DEFAULT_FIX
                return_document(ask, by=pcm, comment=fix, version=ask.version)
            else:
                accept_document(ask, by=pcm, version=ask.version)

        return act

    steps = [
        Step(days[i], f"{rng.randint(13, 16)}:{rng.randrange(0, 60, 5):02d}", upload(batch))
        for i, batch in uploads.items()
    ]
    for i, batch in reviews.items():
        for k, (ask, send_back) in enumerate(batch):
            minutes = 10 * 60 + 6 * k  # from 10:00, six minutes for each
            steps.append(
                Step(days[i], f"{minutes // 60}:{minutes % 60:02d}", review(ask, send_back))
            )
    return sorted(steps, key=lambda s: s.when)


def run(ctx: Ctx) -> None:
    """Between `ctx.tl.preparation` and `ctx.tl.documents_end`: the PCM asks for the key
    documents, the organiser supplies them (some late, one returned and supplied again), and
    the PCM accepts them. Stops at the first step on or after the cutoff, or at the
    postponement of a diagnostic the plan postpones."""
    tl = ctx.tl
    days = working_days(tl.preparation, tl.documents_end)
    limit = moment(tl.documents_end, "17:00")
    if ctx.plan.stage == Stage.POSTPONED:
        limit = min(limit, moment(postponed_on(tl), "15:00"))
    if not ctx.due(days[0], "09:30"):
        return
    with ctx.at(days[0], "09:30"):
        asks = ask_for_documents(ctx)
    if not asks:
        return
    for step in plan_steps(ctx, asks, days):
        if step.when >= limit or not ctx.due(step.day, step.hhmm):
            return
        with ctx.at(step.day, step.hhmm):
            step.act()
