"""What the demo's people write: focus statements, lines of enquiry, scoping notes, what peers
hear in delivery, findings and recommendations, written for each plan.

Each plan has a topic (`TOPICS`, keyed by `plan.key`): its own focus, the council's worry, a
background fact and three to five lines of enquiry. Every line names the subject it is about and
the kind of question it asks (getting help, practice, oversight, workforce, partners, voice,
leadership, the offer). What peers hear, the board's findings and the recommendations come from
phrase banks per kind, chosen with the plan's seed and filled in with the line's subject and the
council's name, so no two diagnostics share a focus, a line of enquiry or a finding, and the same
plan always gets the same words.

Nothing here names a child: young people appear only as groups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from peerdiag.diagnostics.enums import DiagnosticType as T
from peerdiag.diagnostics.kloe_suggestions import suggestions_for

from .plans import Plan


@dataclass(frozen=True)
class Scoping:
    concerns: str  # what the council said worried it, in its request
    rationale: str  # why a diagnostic is (or is not) suitable
    team_requirements: str
    background: str
    case_lists: list[str]  # the case lists agreed at scoping (empty without a case review)


@dataclass(frozen=True)
class Heard:
    polarity: str  # findings.enums.Polarity value
    text: str  # two or three sentences a peer typed after a session
    kloe: int  # index into kloes(plan)


@dataclass(frozen=True)
class Quote:
    text: str
    group: str  # e.g. "Frontline practitioners" (never a child's name)
    group_size: int
    kloe: int = 0  # index into kloes(plan): the line the quote speaks to
    polarity: str = "neutral"  # "strength" or "concern": which way it points


@dataclass(frozen=True)
class BoardItem:
    kind: str  # "strength" or "area" (findings.enums.FindingKind)
    statement: str  # two to four sentences
    kloe: int


@dataclass(frozen=True)
class Advice:
    text: str
    findings: list[int]  # indexes into board(plan) of the findings it follows from


# Topics -----------------------------------------------------------------------------------------

# The kinds of question a line of enquiry asks; each has its own phrase banks below.
KINDS = ("access", "practice", "oversight", "workforce", "partners", "voice", "leadership", "offer")


@dataclass(frozen=True)
class Line:
    """One key line of enquiry in a topic: its theme and question, the subject findings name, the
    kind of bank it draws on, and optionally the group (and what they said) to quote for it."""

    theme: str
    text: str
    subject: str  # a noun phrase, e.g. "return home interviews"
    kind: str  # one of KINDS
    group: str = ""  # overrides the type's usual group for this kind
    quote: tuple[str, str] = ("", "")  # (polarity, words) said by `group`


@dataclass(frozen=True)
class Topic:
    focus: str  # "{c}" stands for the council
    worry: str  # the council's own words in its request
    fact: str  # one piece of background the council shared
    lines: tuple[Line, ...]
    case_lists: tuple[str, ...] = ()
    not_suitable: str = ""  # why a diagnostic is not the right tool, when it is not


TOPICS: dict[str, Topic] = {
    "nland-send": Topic(
        focus="How consistently mainstream schools in {c} meet the needs of children with special "
        "educational needs who do not have an EHC plan, and whether the graduated approach, "
        "outreach support and funding help schools keep those children included.",
        worry="Requests for EHC needs assessments keep rising and more parents tell us their "
        "child's school cannot meet needs without a plan. We want to know whether our support "
        "to mainstream schools is clear and whether schools are using it.",
        fact="Requests for needs assessment have risen by about a third in two years, and rural "
        "schools depend on a small outreach team.",
        lines=(
            Line(
                "Identification",
                "How early and consistently do mainstream schools identify needs, and how well "
                "do they use the graduated approach before asking for an assessment?",
                "the graduated approach in mainstream schools",
                "access",
            ),
            Line(
                "Support in schools",
                "How well do outreach, specialist teachers and training help schools meet needs "
                "at SEN support?",
                "outreach and specialist teaching support",
                "offer",
                group="SENCOs",
                quote=(
                    "strength",
                    "The outreach teacher came within a fortnight and left us "
                    "with a plan the whole class team could follow.",
                ),
            ),
            Line(
                "Co-production",
                "How well are parents and the parent carer forum involved in shaping what "
                "ordinary schools offer?",
                "joint work with the parent carer forum",
                "voice",
                group="Parent carer forum",
            ),
            Line(
                "Leadership",
                "How well do the council, schools and health leaders share responsibility for "
                "inclusion in mainstream education?",
                "shared leadership of inclusion",
                "leadership",
            ),
        ),
    ),
    "suffolk-ey": Topic(
        focus="How well partners in {c} spot children whose speech and language is slow to "
        "develop before they start school, and whether the help offered in settings and at "
        "home closes the gap.",
        worry="Too many children reach reception with language below what is expected, and the "
        "gap is widest in our coastal towns. We are not sure health visiting, settings and our "
        "own early years team are pulling in the same direction.",
        fact="The share of children reaching the expected level in communication is below the "
        "regional figure, with the widest gaps in coastal towns.",
        lines=(
            Line(
                "Identification",
                "How well do health visitors and settings pick up language delay at the "
                "two-year check, and what happens next?",
                "checks at two and the follow-up after them",
                "access",
            ),
            Line(
                "Settings",
                "How good and how consistent is the help for speech and language in nurseries "
                "and with childminders?",
                "language support in nurseries and with childminders",
                "practice",
            ),
            Line(
                "Parents",
                "How well are parents helped to build talk and play at home, particularly in "
                "families that services find hard to reach?",
                "help for parents with talk at home",
                "voice",
                group="Parents at a stay-and-play session",
            ),
            Line(
                "Strategy",
                "Do partners share one plan for early language, with data that shows whether "
                "it is working?",
                "the shared early language plan",
                "leadership",
            ),
        ),
    ),
    "plymouth-cic": Topic(
        focus="Whether {c} has enough of the right homes for children in care close to the city, "
        "how well placement decisions are matched to each child, and how the council is "
        "growing its own foster carers and children's homes.",
        worry="More of our children in care live a long way from the city, often in costly "
        "placements. We need to understand whether our sufficiency plan is realistic and what "
        "we could do differently with providers.",
        fact="More children live in homes outside the city than two years ago, and the council "
        "has opened one small children's home of its own.",
        lines=(
            Line(
                "Sufficiency",
                "Does the council understand the homes its children need, and does it have a "
                "credible plan to provide them?",
                "the sufficiency strategy",
                "leadership",
            ),
            Line(
                "Matching",
                "How well are placement decisions matched to each child's needs and kept stable?",
                "placement matching",
                "practice",
            ),
            Line(
                "Fostering",
                "How well does the council recruit, support and keep its own foster carers?",
                "support for the council's own foster carers",
                "offer",
                group="Foster carers",
                quote=(
                    "strength",
                    "The out-of-hours line answers at two in the morning, and "
                    "that is exactly when you need it.",
                ),
            ),
            Line(
                "Commissioning",
                "How well do commissioning and partnerships with providers secure good homes at "
                "a sustainable cost?",
                "commissioning with independent providers",
                "partners",
            ),
        ),
    ),
    "derby-mash": Topic(
        focus="How well the multi-agency safeguarding hub in {c} makes timely, well-informed "
        "decisions on contacts and referrals, and whether every partner understands and "
        "applies thresholds in the same way.",
        worry="Contacts to our hub have risen sharply and partners tell us decisions feel "
        "inconsistent. We want to be sure children get the right response first time.",
        fact="Contacts to the hub have risen by a fifth since the spring, and the hub moved to a "
        "new building in the summer.",
        lines=(
            Line(
                "Front door",
                "How timely and proportionate are decisions on contacts and referrals, and are "
                "thresholds applied consistently?",
                "contacts and referrals at the hub",
                "access",
                group="Hub social workers",
            ),
            Line(
                "Information sharing",
                "How well do police, health and education share information in the hub to "
                "inform decisions?",
                "information sharing between agencies in the hub",
                "partners",
            ),
            Line(
                "Step-across",
                "How well are families who do not need social care passed on to early help and "
                "other support?",
                "step-across from the hub to early help",
                "practice",
            ),
            Line(
                "Oversight",
                "How well do managers oversee decisions in the hub and learn from audit?",
                "decisions made in the hub",
                "oversight",
            ),
        ),
        case_lists=(
            "Contacts closed at the hub with no further action, last 3 months",
            "Referrals passed to assessment, last 3 months",
        ),
    ),
    "coventry-cp": Topic(
        focus="Why some children in {c} stay on child protection plans for a long time without "
        "enough change, and how well plans, core groups and conferences drive progress for "
        "them.",
        worry="Too many of our child protection plans last longer than a year, and some children "
        "come back on to a second plan. We want to know where the delay comes from.",
        fact="The share of plans lasting over a year is above similar councils, and repeat plans "
        "have risen.",
        lines=(
            Line(
                "Plans",
                "How clear, specific and child-focused are child protection plans, and do they "
                "say what must change and by when?",
                "child protection plans",
                "practice",
            ),
            Line(
                "Core groups",
                "How well do core groups and partners carry out plans between conferences?",
                "core group working",
                "partners",
            ),
            Line(
                "Oversight",
                "How well do managers and conference chairs spot drift and act on it, including "
                "use of pre-proceedings?",
                "children's progress between conferences",
                "oversight",
                group="Child protection conference chairs",
                quote=(
                    "concern",
                    "I raise drift at the conference, but between conferences nobody picks it up.",
                ),
            ),
            Line(
                "Workforce",
                "Do caseloads and changes of social worker contribute to delay?",
                "stability in the child protection teams",
                "workforce",
            ),
        ),
        case_lists=(
            "Children on protection plans for more than 12 months",
            "Children on a second or later protection plan",
        ),
    ),
    "herts-leavers": Topic(
        focus="How well {c} prepares young people leaving care for adult life: the quality of "
        "pathway planning, the help from personal advisers, homes to move on to, and routes "
        "into education, training and work.",
        worry="Our care leavers tell us they feel on their own once they turn eighteen, and too "
        "few are in education or work. We want to know whether our offer matches what they "
        "need.",
        fact="Around half of care leavers aged 19 to 21 are in education, training or work, and "
        "the council has just refreshed its local offer.",
        lines=(
            Line(
                "Pathway planning",
                "How good are pathway plans, and are young people involved in writing them?",
                "pathway planning",
                "practice",
            ),
            Line(
                "Personal advisers",
                "How well do personal advisers keep in touch and offer help that young people "
                "value?",
                "the personal adviser service",
                "workforce",
            ),
            Line(
                "Homes",
                "Do care leavers have suitable homes, and how well does the council work with "
                "housing to provide them?",
                "housing routes for care leavers",
                "offer",
            ),
            Line(
                "Corporate parenting",
                "How well do the council and its partners act as corporate parents, including "
                "through the local offer?",
                "corporate parenting for care leavers",
                "leadership",
            ),
            Line(
                "Voice",
                "How well are care leavers' views heard and acted on?",
                "the design of the local offer for care leavers",
                "voice",
                group="Care leavers' forum",
                quote=(
                    "strength",
                    "My adviser texts back the same day, and she helped me sort out my flat.",
                ),
            ),
        ),
        case_lists=(
            "Care leavers aged 18 to 21",
            "Care leavers aged 21 to 25 still receiving support",
        ),
    ),
    "lewisham-exploit": Topic(
        focus="How well agencies in {c} recognise and respond to adolescents at risk of criminal "
        "and sexual exploitation outside the home, and whether work on places and peer groups "
        "is reducing that risk.",
        worry="We see more teenagers drawn into county lines and harmed outside their homes. We "
        "want to know whether our partnership response reaches them early enough.",
        fact="The exploitation panel was redesigned last year, and the council has piloted "
        "detached youth work in two parts of the borough.",
        lines=(
            Line(
                "Identifying risk",
                "How well do partners recognise early signs that a young person is being "
                "exploited?",
                "recognition of early signs of exploitation",
                "access",
            ),
            Line(
                "Risk outside the home",
                "How well do plans address risk in places and peer groups, not only within the "
                "family?",
                "planning for risk outside the home",
                "practice",
            ),
            Line(
                "Partnership",
                "How well do police, youth justice, schools and health work together through "
                "the exploitation panel?",
                "the multi-agency exploitation panel",
                "partners",
            ),
            Line(
                "Relationships",
                "Do young people have a trusted adult, and are their views heard in plans?",
                "trusted relationships with young people",
                "voice",
                group="Young people's participation group",
                quote=("concern", "The youth worker is the only one who has stuck around."),
            ),
        ),
        case_lists=(
            "Young people discussed at the exploitation panel, last 6 months",
            "Young people reported missing three or more times, last 6 months",
        ),
    ),
    "kent-oversight": Topic(
        focus="How well managers in {c} direct and check practice: whether supervision is regular "
        "and reflective, whether decisions are recorded with reasons, and whether leaders use "
        "audit to raise quality.",
        worry="Our audits keep finding that management oversight is the weakest part of "
        "practice. We have changed the supervision policy but want an outside view of whether "
        "it is making a difference.",
        fact="Recent audits rated oversight the weakest element of practice, and a new "
        "supervision policy was launched in the spring.",
        lines=(
            Line(
                "Supervision",
                "How regular and reflective is supervision, and does it move plans on for "
                "children?",
                "the progress of children's plans",
                "oversight",
            ),
            Line(
                "Decision recording",
                "Are management decisions on case files clear, with reasons and timescales?",
                "recorded management decisions",
                "practice",
            ),
            Line(
                "Quality assurance",
                "How well does audit lead to learning and better practice?",
                "the audit programme",
                "leadership",
            ),
            Line(
                "Manager capacity",
                "Do team managers have the time and support to oversee their teams well?",
                "support for team managers",
                "workforce",
                group="Team managers",
            ),
        ),
        case_lists=(
            "Children in need with a plan, last 6 months",
            "Children on protection plans, last 6 months",
        ),
    ),
    "wirral-pfa": Topic(
        focus="How well young people with SEND in {c} are prepared for adult life from year 9 "
        "onwards (work, independent living, friendships and good health) and how smoothly they "
        "move on to adult services.",
        worry="Parents tell us the move to adult services is a cliff edge, and very few young "
        "people with EHC plans go on to paid work. We want to understand why.",
        fact="Few young people with EHC plans move into paid work, and the council has recently "
        "started a supported internship programme.",
        lines=(
            Line(
                "Planning from year 9",
                "How early and how well do EHC plans and annual reviews plan for adulthood?",
                "planning for adulthood in annual reviews",
                "practice",
            ),
            Line(
                "Transition",
                "How smoothly do young people move from children's to adult social care and "
                "health services?",
                "transition to adult services",
                "partners",
            ),
            Line(
                "Employment",
                "What routes into work, supported internships and further education are available?",
                "routes into supported internships and work",
                "offer",
            ),
            Line(
                "Co-production",
                "How well are young people and parents involved in planning?",
                "involvement of young people in their own plans",
                "voice",
                group="Young people's SEND forum",
                quote=(
                    "concern",
                    "I want someone to talk to me about jobs, not only about college.",
                ),
            ),
        ),
    ),
    "bristol-workforce": Topic(
        focus="What lies behind turnover and agency use among social workers in {c}, how the "
        "practice model and culture support staff to do good work, and what would help the "
        "council keep experienced practitioners.",
        worry="We rely heavily on agency social workers and lose too many experienced staff. We "
        "want to understand what would make people stay.",
        fact="About a quarter of social work posts are filled by agency staff, and a new practice "
        "model was introduced eighteen months ago.",
        lines=(
            Line(
                "Recruitment and retention",
                "How well is the council recruiting and keeping social workers and managers?",
                "recruitment and retention of social workers",
                "workforce",
            ),
            Line(
                "Practice model",
                "How well is the practice model understood and used across teams?",
                "the practice model",
                "practice",
            ),
            Line(
                "Learning",
                "How good are induction, training and the career pathway, including for newly "
                "qualified workers?",
                "the learning and career offer for staff",
                "offer",
                group="Social workers in their first two years",
                quote=(
                    "strength",
                    "The first-year programme is the reason I chose this "
                    "council over the one next door.",
                ),
            ),
            Line(
                "Leadership and culture",
                "Do staff feel supported, listened to and safe to raise concerns?",
                "leadership visibility and staff culture",
                "leadership",
            ),
        ),
    ),
    "nottm-hubs": Topic(
        focus="How well family hubs in {c} bring early years, health and parenting support "
        "together for families with young children, and whether the families who need help "
        "most are using them.",
        worry="We have opened family hubs across the city, but we are not sure the families who "
        "would gain most are coming through the door.",
        fact="Four family hubs opened in the last eighteen months, and registration of new "
        "births with the hubs is being tracked for the first time.",
        lines=(
            Line(
                "Reach",
                "Are the families who would benefit most using the hubs, and how is reach "
                "measured?",
                "the reach of the family hubs",
                "access",
                group="Health visitors",
            ),
            Line(
                "Integration",
                "How well do health visiting, midwifery, early years and voluntary partners work "
                "together in the hubs?",
                "joint working inside the hubs",
                "partners",
            ),
            Line(
                "Offer",
                "How good and how consistent is the early years offer across the hubs?",
                "the early years offer across the hubs",
                "offer",
            ),
            Line(
                "Parents' views",
                "How well do parents' views shape what the hubs offer?",
                "parents' part in shaping the hubs",
                "voice",
                group="Parents at a family hub",
                quote=(
                    "strength",
                    "I came in for the baby weighing and found out about everything else they do.",
                ),
            ),
        ),
    ),
    "cornwall-qa": Topic(
        focus="Whether quality assurance in {c} gives leaders an accurate picture of practice, "
        "how audit, performance data and feedback from families are used together, and how "
        "learning changes what practitioners do.",
        worry="Our audit grades look better than our inspection outcomes. We want to know "
        "whether our quality assurance tells us the truth about practice.",
        fact="A new audit framework was introduced last year, with moderation of a sample of "
        "audits each month.",
        lines=(
            Line(
                "Audit",
                "How accurate and useful are case audits, and do managers and moderators agree "
                "on grades?",
                "audited cases",
                "oversight",
            ),
            Line(
                "Performance data",
                "How well do leaders use performance information alongside audit?",
                "the use of performance information",
                "leadership",
            ),
            Line(
                "Learning",
                "How does learning from audits and reviews reach practitioners and change their "
                "work?",
                "the learning offer for practitioners",
                "workforce",
            ),
            Line(
                "Feedback from families",
                "Are the views of children and families part of quality assurance?",
                "feedback from children and families in quality assurance",
                "voice",
            ),
        ),
        case_lists=(
            "Children in need audited in the last 6 months",
            "Children in care audited in the last 6 months",
        ),
    ),
    "kent-permanence": Topic(
        focus="How early and securely {c} plans permanence for children in care, including "
        "return home, special guardianship, long-term fostering and adoption, and how well "
        "those plans are reviewed.",
        worry="Children are waiting longer for a permanence decision than they did two years "
        "ago. We want to understand where plans stall.",
        fact="The average time from entering care to a permanence decision has lengthened, and "
        "the council has set up a new permanence tracking panel.",
        lines=(
            Line(
                "Early planning",
                "Is a plan for permanence in place by the second review, with parallel plans "
                "where needed?",
                "early permanence planning",
                "practice",
            ),
            Line(
                "Tracking",
                "How well do the permanence panel and tracking prevent drift?",
                "children's permanence plans",
                "oversight",
                group="Independent reviewing officers",
                quote=("strength", "We challenge delay, and these days we are usually heard."),
            ),
            Line(
                "Special guardianship",
                "How well are special guardians and kinship carers assessed and supported?",
                "support for special guardians and kinship carers",
                "offer",
            ),
            Line(
                "Life story",
                "Do children understand their plan and their history, through life story work "
                "and later-life letters?",
                "life story work",
                "voice",
            ),
        ),
        case_lists=(
            "Children in care for more than 12 months without a permanence decision",
            "Children who left care through special guardianship, last 12 months",
        ),
    ),
    "bristol-missing": Topic(
        focus="How well partners in {c} respond when children go missing from home or care: the "
        "first police and social care response, return home interviews, and whether what "
        "children say is used to reduce future risk.",
        worry="Fewer children are taking up return home interviews, and a small group go "
        "missing again and again. We want to know whether our response protects them.",
        fact="Take-up of return home interviews has fallen below half, and a new joint protocol "
        "with the police was agreed last year.",
        lines=(
            Line(
                "First response",
                "How quickly and consistently do police and social care respond when a child is "
                "reported missing?",
                "the first response to missing episodes",
                "access",
            ),
            Line(
                "Return interviews",
                "Are return home interviews offered quickly, and do children take them up?",
                "return home interviews",
                "voice",
                group="Children in Care Council",
                quote=("concern", "Nobody asks why you went, they only ask where you were."),
            ),
            Line(
                "Using information",
                "How well is what is learned after missing episodes used in plans and in mapping "
                "risk?",
                "use of information from missing episodes",
                "practice",
            ),
            Line(
                "Partnership",
                "How well do the police, children's homes and the council share information and "
                "escalate?",
                "information sharing with police and children's homes",
                "partners",
            ),
            Line(
                "Oversight",
                "How well do managers and the strategic group oversee children who go missing "
                "often?",
                "children who go missing often",
                "oversight",
            ),
        ),
        case_lists=(
            "Children missing three or more times, last 6 months",
            "Children in care living out of area who went missing, last 6 months",
        ),
    ),
    "nland-earlyhelp": Topic(
        focus="How well early help in {c} supports families whose needs fall below the threshold "
        "for social care, and whether step-down from social care to early help is safe, "
        "planned and keeps families engaged.",
        worry="Too many families come back to social care within a year of stepping down to "
        "early help. We want to know whether step-down is planned well enough.",
        fact="Re-referrals within a year of step-down are higher than the council would like, and "
        "early help works from several locality teams across a large rural area.",
        lines=(
            Line(
                "Step-down",
                "How well planned and safe is step-down from social care to early help?",
                "step-down to early help",
                "practice",
            ),
            Line(
                "Early help offer",
                "Is the early help offer available across the rural and urban parts of the county?",
                "the early help offer across the county",
                "offer",
                group="Family support workers",
            ),
            Line(
                "Lead professionals",
                "How well do schools and health act as lead professionals for families?",
                "lead professional work by schools and health",
                "partners",
                group="School and health partners",
            ),
            Line(
                "Impact",
                "How does the council know early help makes a difference, including through "
                "re-referral rates?",
                "measuring the impact of early help",
                "leadership",
            ),
        ),
    ),
    "herts-whole": Topic(
        focus="{c} asked for an outside view of the whole of its children's services, from the "
        "front door to care leavers, before an expected inspection.",
        worry="We have a new director and expect an inspection within the year. We would like "
        "peers to look across all of our children's services and tell us where we stand.",
        fact="An inspection is expected within the year, and the council has a new director of "
        "children's services.",
        lines=(
            Line(
                "Self-knowledge",
                "How well do leaders know the quality of practice across every service, and how "
                "do they know it?",
                "the council's self-assessment across all services",
                "leadership",
            ),
            Line(
                "Priorities",
                "Which parts of the service most need improvement first, and is the improvement "
                "plan focused on them?",
                "progress against the improvement plan",
                "oversight",
            ),
            Line(
                "Capacity",
                "Does the service have the people and the budget to carry out its plan?",
                "capacity to deliver the improvement plan",
                "workforce",
            ),
        ),
        not_suitable=(
            "A diagnostic looks closely at one part of children's services over a single week. "
            "Hertfordshire wants a view across every service before its next inspection, which a "
            "full peer challenge or an improvement adviser would serve better. We have offered "
            "to put the council in touch with both, and a narrower diagnostic could follow "
            "once it has chosen where to look first."
        ),
    ),
    "wilts-breaks": Topic(
        focus="Whether disabled children and their families in {c} can get short breaks that fit "
        "their needs, how eligibility is decided and explained, and whether there is enough "
        "provision across the county.",
        worry="Families tell us they wait too long for overnight breaks and do not understand why "
        "they were refused. We want an honest view of our short breaks offer.",
        fact="Families have complained about waits for overnight breaks, and a provider closed "
        "one unit last year.",
        lines=(
            Line(
                "Eligibility",
                "How clear and fair are the routes and criteria for short breaks?",
                "eligibility for short breaks",
                "access",
            ),
            Line(
                "Provision",
                "Is there enough overnight and daytime provision, including for children with "
                "complex health needs?",
                "overnight and daytime short break provision",
                "offer",
            ),
            Line(
                "Families' views",
                "How well are parent carers involved in designing short breaks?",
                "co-design of short breaks with parent carers",
                "voice",
                group="Parent carer forum",
            ),
            Line(
                "Joint commissioning",
                "How well do the council and health commission short breaks together?",
                "joint commissioning of short breaks with health",
                "partners",
            ),
        ),
    ),
    "derby-childcare": Topic(
        focus="Whether there are enough childcare places in {c} for working parents and for "
        "funded early education, especially for two-year-olds and children with SEND, as the "
        "new entitlements grow.",
        worry="Parents in parts of the county cannot find a place, and providers say the funding "
        "rates do not cover their costs. We want to know whether our sufficiency plan will "
        "hold as the entitlements expand.",
        fact="Parts of the county have fewer than one place for every three children under five, "
        "and take-up of the two-year-old offer has fallen.",
        lines=(
            Line(
                "Sufficiency",
                "Does the council understand where childcare places are short, and does it have "
                "a plan to fill the gaps?",
                "the childcare sufficiency assessment",
                "leadership",
            ),
            Line(
                "Take-up",
                "How well are eligible families reached, particularly for the two-year-old offer?",
                "take-up of funded places for two-year-olds",
                "access",
            ),
            Line(
                "Inclusion",
                "How well are children with SEND supported to take up early education?",
                "inclusion funding for children with SEND in settings",
                "practice",
            ),
            Line(
                "Providers",
                "How well does the council work with providers on quality and funding?",
                "the council's relationship with childcare providers",
                "partners",
                group="Childcare providers",
            ),
        ),
    ),
}

_THEME_KIND = {  # for plans without a written topic: the kind of bank a suggested theme uses
    "Front door": "access",
    "Identification": "access",
    "Reach": "access",
    "Practice quality": "practice",
    "Assessment": "practice",
    "Settings": "practice",
    "Oversight": "oversight",
    "Workforce": "workforce",
    "Partnership": "partners",
    "Commissioning": "partners",
    "Co-production": "voice",
    "Parents": "voice",
    "Leadership": "leadership",
    "Strategy": "leadership",
    "Outcomes": "leadership",
    "Children in care": "offer",
    "Sufficiency": "offer",
}


def topic(plan: Plan) -> Topic:
    """The plan's topic: the written one, or for a plan added without one, lines built from the
    suggested KLOEs for its type (kinds not repeated, so its phrases do not repeat either)."""
    if plan.key in TOPICS:
        return TOPICS[plan.key]
    lines: list[Line] = []
    used: set[str] = set()
    for theme, text in suggestions_for(plan.type, covid=False):
        kind = _THEME_KIND.get(theme, "practice")
        if kind not in used:
            used.add(kind)
            lines.append(Line(theme, text, f"{theme.lower()} in {plan.title.lower()}", kind))
    if len(lines) < 3:
        lines = [
            Line(
                "Leadership",
                f"How well do leaders know {plan.title.lower()}?",
                plan.title.lower(),
                "leadership",
            ),
            Line(
                "Practice",
                f"How good is practice in {plan.title.lower()}?",
                f"practice in {plan.title.lower()}",
                "practice",
            ),
            Line(
                "Partners",
                f"How well do partners support {plan.title.lower()}?",
                f"partnership work on {plan.title.lower()}",
                "partners",
            ),
        ]
    return Topic(
        focus="{c}: " + f"{plan.title}, how well it works for children and families.",
        worry=f"We would like an outside view of {plan.title.lower()}.",
        fact="The council's self-assessment was shared.",
        lines=tuple(lines[:5]),
        case_lists=("Children on protection plans, last 6 months",) if plan.case_review else (),
    )


# Phrase banks per kind --------------------------------------------------------------------------
# "{s}" is the line's subject, "{c}" the council. Every template that becomes a finding or a
# recommendation names the subject, which is what keeps those texts unique to the plan.

HEARD_BANK: dict[str, dict[str, tuple[str, ...]]] = {
    "access": {
        "strength": (
            "Practitioners described a clear route for raising a worry about {s}, and said they "
            "usually hear back within a day. Two gave recent examples where an early conversation "
            "avoided a formal referral.",
            "Partners said the arrangements for {s} have improved noticeably over the last year. "
            "They find it easier to get advice and they understand why a decision was made.",
            "The data on {s} shows decisions mostly made within the expected time. Managers could "
            "explain the few exceptions and what was done about them.",
        ),
        "concern": (
            "Partners were not confident they understood the thresholds behind {s}. Several said "
            "they refer on to be safe, which adds to the volume coming in.",
            "Some decisions on {s} took longer than the council's own standard in the records we "
            "looked at. Staff put this down to volume and to gaps in the information received.",
            "Practitioners said families can wait weeks at the start, with nobody checking in. "
            "One group described {s} as a queue rather than a service.",
        ),
        "neutral": (
            "Leaders told us the arrangements for {s} changed in the spring. Staff are still "
            "getting used to the new process, so it is early to judge the effect.",
            "Figures on {s} have been steady for the past year. They are broadly in line with "
            "similar councils.",
        ),
    },
    "practice": {
        "strength": (
            "In the records we read on {s}, the better plans were specific and written so a family "
            "could follow them. Practitioners knew the children well and spoke about them warmly.",
            "{staff} talked confidently about {s} and could show us examples. They said the "
            "templates had been simplified and now help rather than get in the way.",
            "Records on {s} showed purposeful direct work in most of the cases we read. The "
            "reasons for decisions were usually clear.",
        ),
        "concern": (
            "Plans linked to {s} often listed services rather than what needs to change for the "
            "child. Few said by when, or what would happen if nothing changed.",
            "Quality on {s} is uneven across teams. Some records were excellent; others had long "
            "gaps with little recorded activity.",
            "Practitioners were unsure what good practice in {s} looks like, and the guidance has "
            "not been refreshed for some time. Newer staff said they learn mainly by asking "
            "colleagues.",
        ),
        "neutral": (
            "The council is rolling out a new recording template for {s}. Few records use it yet.",
            "Staff views on {s} were mixed and seemed to depend on the team. We need to test "
            "this further in the records.",
        ),
    },
    "oversight": {
        "strength": (
            "Workers said discussions about {s} happen regularly and are rarely cancelled. Several "
            "valued the time to think about the child, not just the task list.",
            "Managers had a good grip on {s} and could tell us which cases worried them and why. "
            "Their oversight notes on file were brief but clear.",
            "Managers showed us a weekly tracker for {s} that flags what is overdue. They act on "
            "it rather than just report from it.",
        ),
        "concern": (
            "On files, oversight of {s} was often present but thin, noting that a case was "
            "discussed without saying what was decided. Actions from one discussion did not "
            "always carry to the next.",
            "Staff said conversations about {s} are dominated by compliance and deadlines. There "
            "is little room to reflect on the harder cases.",
            "Where work on {s} had drifted, there was little sign a manager noticed before an "
            "audit or review did. Escalation routes were described inconsistently.",
        ),
        "neutral": (
            "A revised policy covering {s} came in this year. Compliance figures have risen, but "
            "it is too early to tell whether quality has.",
            "Managers told us audit findings on {s} broadly match their own view. We will compare "
            "this with the records we read.",
        ),
    },
    "workforce": {
        "strength": (
            "Staff spoke positively about {s}, and several had come back to the council after "
            "working elsewhere. They described colleagues as supportive and teams as settled.",
            "Newer staff said their workloads were protected and that {s} made them feel valued. "
            "Their managers confirmed this.",
            "Vacancy and agency figures relevant to {s} have fallen over the last year. Managers "
            "credited the new pay offer and more flexible working patterns.",
        ),
        "concern": (
            "Caseloads in some teams are well above the council's own target, and this affects "
            "{s}. Workers said they put visits before recording and planning.",
            "Several families had three or more workers in a year, which staff linked to {s}. "
            "Practitioners said each change meant starting the relationship again.",
            "Staff said they rarely have time for the training linked to {s}. Some had not "
            "completed the core courses after a year in post.",
        ),
        "neutral": (
            "The workforce strategy has new actions on {s}. They were agreed in the autumn and "
            "have not yet been evaluated.",
            "Agency use relevant to {s} is close to the regional average. The council follows the "
            "regional agreement on agency pay.",
        ),
    },
    "partners": {
        "strength": (
            "{partners} spoke warmly about {s}. They said working relationships "
            "are strong and disagreements are settled quickly.",
            "Partners described {s} as much improved, with a named contact they can ring. They "
            "feel listened to when they raise a concern.",
            "Partners attend the meetings linked to {s} and send information in advance. Minutes "
            "showed actions shared across agencies.",
        ),
        "concern": (
            "Partners described {s} as working well at senior level but less well on the ground. "
            "Attendance from health and schools was patchy in the records we read.",
            "Some partners were unclear how to escalate a disagreement about {s}. The escalation "
            "policy exists but few had used it.",
            "Information gathered through {s} does not always reach the worker who needs it. "
            "Practitioners said they sometimes have to ask for the same details twice.",
        ),
        "neutral": (
            "The partnership has agreed new terms of reference covering {s}. Partners expect them "
            "to take effect next quarter.",
            "Views of {s} differed between agencies. Health colleagues were more positive than "
            "schools.",
        ),
    },
    "voice": {
        "strength": (
            "{who} said staff listen to them about {s}, and gave examples of things that changed "
            "because they asked. They were proud of their work with senior leaders.",
            "Parents told us they felt involved in {s} and that staff were honest with them. "
            "Several contrasted this with their experience a few years ago.",
            "Records on {s} often captured the views of the child or parent in their own words. "
            "Practitioners used creative tools to do this.",
        ),
        "concern": (
            "Parents said they were not asked about {s} until decisions had already been made. "
            "Some felt the consultation was a formality.",
            "Young people told us they rarely hear the outcome of what they contribute on {s}. "
            "They would like to know what happened next.",
            "In many records on {s}, the child's own view was missing or put in general terms. It "
            "was hard to see how their wishes shaped the plan.",
        ),
        "neutral": (
            "The council has set up a new participation group that will cover {s}. It has met "
            "twice so far.",
            "Feedback from families on {s} is collected but not yet analysed. Leaders said a "
            "report is due next quarter.",
        ),
    },
    "leadership": {
        "strength": (
            "Senior leaders gave a candid account of {s}, including what has not worked. Their "
            "account matched what we later heard from staff.",
            "Elected members showed a good grasp of {s} and asked searching questions at the "
            "meeting we observed. They described it as a priority.",
            "The performance report on {s} is short and used at the leadership meeting. Managers "
            "could explain the trends.",
        ),
        "concern": (
            "Leaders' plans for {s} contain many actions but few measures of impact. It was hard "
            "to tell which actions mattered most.",
            "Staff were not aware of the thinking behind {s}, or how their own work contributes. "
            "Several described a gap between senior leaders and front-line teams.",
            "Data on {s} sits in systems that do not talk to each other. Managers said producing "
            "a reliable figure takes days.",
        ),
        "neutral": (
            "A new strategy covering {s} was approved last month. It is too early to judge how "
            "well it is being put into practice.",
            "Leaders are commissioning a separate review touching on {s}. They plan to read our "
            "findings alongside it.",
        ),
    },
    "offer": {
        "strength": (
            "Families and staff spoke highly of {s} and described it as flexible and responsive. "
            "Waiting lists were short compared with a year ago.",
            "The council has put new money into {s} this year. Early feedback from those using it "
            "is positive.",
            "Practitioners said {s} is well known and easy to reach. Several gave examples where "
            "it made a real difference to a family.",
        ),
        "concern": (
            "What is available through {s} varies across the area, and people in some parts of "
            "it said they travel far or go without. Staff confirmed the gaps.",
            "Demand for {s} has outgrown what is available, and waits have lengthened. Some "
            "families are offered what is free rather than what they need.",
            "Practitioners were unsure what {s} currently includes, as the information is out of "
            "date. Families said they found out by word of mouth.",
        ),
        "neutral": (
            "The council is retendering parts of {s} next year. Providers were cautious about what "
            "this would mean.",
            "Use of {s} has been steady over the last year. The council has not yet looked at who "
            "is not using it.",
        ),
    },
}

# The first sentence of a finding, which states it. Every one names "{s}".
CLAIMS: dict[str, dict[str, tuple[str, ...]]] = {
    "access": {
        "strength": (
            "{c} has made real progress on {s}, and the people who rely on it describe it as "
            "clearer and quicker than it was.",
            "The arrangements for {s} in {c} are well understood by partners, who know where to go "
            "and get a timely answer.",
            "Decisions on {s} are mostly timely and proportionate, and managers in {c} know where "
            "the exceptions lie.",
        ),
        "area": (
            "Thresholds for {s} are not yet understood the same way by everyone in {c}, so "
            "decisions vary with who makes them.",
            "Families in {c} can wait too long at the start of {s}, and nobody is clearly "
            "responsible for them while they wait.",
            "The work arriving through {s} in {c} has grown faster than the capacity to deal with "
            "it, and the plan for this is not yet clear.",
        ),
    },
    "practice": {
        "strength": (
            "Practitioners in {c} know their children and families well, and the best work we saw "
            "on {s} was specific, respectful and clearly recorded.",
            "Recording on {s} has improved in {c}: most records give the reasons for decisions, "
            "and the child's experience comes through.",
            "Staff in {c} share an understanding of what good practice in {s} looks like, and "
            "many of the records we read met it.",
        ),
        "area": (
            "The quality of {s} in {c} varies too much between teams, and the weaker work lacks a "
            "clear sense of what must change for the child.",
            "Too much of the recorded work on {s} in {c} describes activity rather than outcomes, "
            "which makes it hard to tell whether things are getting better for children.",
            "Guidance on {s} in {c} has not kept pace with changes to the service, and newer staff "
            "rely on colleagues to work out what is expected.",
        ),
    },
    "oversight": {
        "strength": (
            "Managers in {c} are close to {s}: oversight is regular and workers value it.",
            "{c} has good systems for tracking {s}, and managers use them actively to spot cases "
            "that are slipping.",
            "Oversight of {s} in {c} is visible on most files, and the better examples give a "
            "clear direction and a date.",
        ),
        "area": (
            "Oversight of {s} in {c} is frequent but often thin, recording that a discussion took "
            "place rather than what was decided and why.",
            "In {c}, discussion of {s} leans towards compliance, leaving little space for the "
            "reflection that helps workers with the hardest cases.",
            "Drift is often picked up late in {c}, by audit or review rather than through the "
            "oversight of {s}.",
        ),
    },
    "workforce": {
        "strength": (
            "Staff in {c} are committed and loyal, and the work on {s} has helped build settled "
            "teams that people want to stay in.",
            "{c} has invested sensibly in {s}, and newer staff in particular feel supported and "
            "protected.",
            "Turnover has fallen in {c}, and staff link this directly to improvements in {s}.",
        ),
        "area": (
            "Workloads in some teams in {c} are too high for {s} to work as intended, and "
            "recording and planning suffer first.",
            "Frequent changes of worker in {c} are holding back {s}, and families told staff they "
            "are tired of repeating their story.",
            "Staff in {c} struggle to find time for learning, so the investment in {s} is not yet "
            "reaching everyone it should.",
        ),
    },
    "partners": {
        "strength": (
            "Relationships between agencies on {s} in {c} are strong, and partners told us they "
            "feel part of a shared effort.",
            "Partners in {c} take joint responsibility for {s}, and the records show them "
            "contributing and acting between meetings.",
            "Partners in {c} value {s} and describe a council that listens to them and acts on "
            "what they say.",
        ),
        "area": (
            "Partnership work on {s} in {c} is strong at senior level but inconsistent on the "
            "ground, where attendance and information sharing vary.",
            "Partners in {c} are not confident about escalating disagreements over {s}, so "
            "concerns can sit unresolved.",
            "Information gathered through {s} in {c} does not reliably reach the people who need "
            "it, which causes delay and duplication.",
        ),
    },
    "voice": {
        "strength": (
            "Children, young people and families in {c} are listened to about {s}, and they can "
            "point to changes that followed.",
            "{c} has a strong culture of participation, and the work on {s} shows families' "
            "views shaping decisions.",
            "Practitioners in {c} are skilled at capturing what children and parents think about "
            "{s}, often in their own words.",
        ),
        "area": (
            "The voice of children and families does not yet consistently shape {s} in {c}, and "
            "people are often asked once decisions are made.",
            "Those who contribute to {s} in {c} rarely hear what happened as a result, which risks "
            "them giving up.",
            "The child's own view is too often missing from records on {s} in {c}, so it is hard "
            "to see how their wishes informed the plan.",
        ),
    },
    "leadership": {
        "strength": (
            "Leaders in {c} know the strengths and weaknesses of {s} well, and their "
            "self-assessment is honest.",
            "There is strong political and corporate support in {c} for {s}, and members "
            "understand what the service is trying to achieve.",
            "{c} uses performance information on {s} well, and managers at every level could "
            "explain what the figures meant.",
        ),
        "area": (
            "The plans for {s} in {c} have many actions but little sense of priority or of how "
            "success will be measured.",
            "Front-line staff in {c} do not yet see how {s} connects to their daily work.",
            "Information about {s} in {c} is spread across systems, so leaders lack a single "
            "reliable picture.",
        ),
    },
    "offer": {
        "strength": (
            "{c} has invested in {s}, and families and staff describe it as valued, flexible and "
            "well used.",
            "The range of {s} in {c} has grown in the last year, and those who refer to it know "
            "how to help people use it.",
            "Where {s} is available in {c}, it makes a clear difference, and staff gave us many "
            "examples.",
        ),
        "area": (
            "Access to {s} in {c} is uneven across the area, and some of those who need it most "
            "go without.",
            "Demand for {s} in {c} has outgrown supply, and there is no clear plan yet to close "
            "the gap.",
            "Information about {s} in {c} is out of date, so those who could use it, and some who "
            "refer to it, do not know what is available.",
        ),
    },
}

# The sentence after the claim: where the evidence came from.
EVIDENCE: dict[str, tuple[str, ...]] = {
    "strength": (
        "We heard this from practitioners, managers and partners alike, and the records we "
        "sampled bore it out.",
        "The performance data and the records we read supported what staff told us.",
        "This came through in several focus groups and was echoed by partners.",
        "Staff at every level described it in similar terms, which gave us confidence it is "
        "real rather than hoped for.",
    ),
    "area": (
        "Several groups raised it independently, and the records we read showed the same pattern.",
        "The data shows this is not confined to one team, and managers recognised it when we "
        "discussed it with them.",
        "Partners and practitioners described the same gap from different angles.",
        "Leaders are aware of it, but the actions taken so far have not yet made a visible "
        "difference.",
    ),
}

# A closing sentence for a finding without a quote.
SO_WHAT: dict[str, tuple[str, ...]] = {
    "strength": (
        "It gives the council a solid base to build on.",
        "This is worth protecting as the service changes.",
        "Other parts of the service could learn from it.",
    ),
    "area": (
        "Until this is tackled, improvement elsewhere is likely to be slower.",
        "Families are the ones who feel the effect of this most.",
        "Without a shared view of what good looks like, it is hard to hold teams to it.",
    ),
}

# Ways to bring a quote into a finding; "{g}" is the group, which opens the sentence.
QUOTE_INTO = ("{g} told us: “{q}”", "{g} put it plainly: “{q}”", "{g} made the same point: “{q}”")

ADVICE: dict[str, tuple[str, ...]] = {
    "access": (
        "Agree with partners a short, shared guide to thresholds for {s}, and test it through "
        "joint audit within six months. This should reduce referrals made only to be safe.",
        "Set and monitor a clear standard for how long families wait at each step of {s}, with "
        "someone named to keep in touch while they wait.",
    ),
    "practice": (
        "Agree a simple standard for {s} that sets out what must change, by when, and how "
        "progress will be judged, and build it into supervision and audit.",
        "Refresh the practice guidance on {s} with the staff who use it, and check through "
        "audit that the weaker teams are moving towards the best.",
    ),
    "oversight": (
        "Set a clear expectation for what a management decision on {s} must record (the "
        "decision, the reason and the next review date) and audit against it.",
        "Protect time in supervision for reflective discussion of {s}, and give team managers "
        "training and peer support to lead it.",
    ),
    "workforce": (
        "Review how work is allocated so that caseloads stay within the council's target, and "
        "report progress on {s} to senior leaders each month.",
        "Make time for learning a protected part of the working week, and track who has "
        "completed the core training linked to {s}.",
    ),
    "partners": (
        "With partners, review attendance and information sharing for {s}, and agree a few "
        "simple measures that the partnership checks every quarter.",
        "Relaunch the escalation route for {s} with front-line staff in every agency, and track "
        "how often it is used and with what result.",
    ),
    "voice": (
        "Involve children, young people and families in {s} from the start, and tell them, in a "
        "form they choose, what changed as a result.",
        "Build a simple way of reporting back to children and families on {s}, and check "
        "through audit that their views are recorded in their own words.",
    ),
    "leadership": (
        "Narrow the plan for {s} to a small number of priorities, each with a measure of impact "
        "and a named lead, and review it every quarter.",
        "Bring the data on {s} together in one regular report that managers and members use, "
        "and explain the strategy to staff in plain terms.",
    ),
    "offer": (
        "Map the demand for {s} against what is available, area by area, and agree a plan with "
        "partners to close the biggest gaps first.",
        "Refresh the information about {s} with the people who use it, keep it current, and "
        "check that practitioners can explain it.",
    ),
}

# What groups say, per kind and polarity (first person, no names).
SAID: dict[str, dict[str, tuple[str, ...]]] = {
    "access": {
        "strength": (
            "When I ring now I get someone who knows what to do with what I am telling them.",
            "It used to take weeks to get an answer; now it is usually the same day.",
        ),
        "concern": (
            "You end up referring just to cover yourself, because you are never sure what they "
            "will accept.",
            "Families wait weeks for an answer, and nobody rings them in the meantime.",
        ),
    },
    "practice": {
        "strength": (
            "I know every child I work with well enough to tell you what matters to them.",
            "The new format makes me write what will actually change, not just who is involved.",
        ),
        "concern": (
            "The plan says which meetings we will have, not what will be different for the child.",
            "Nobody showed me what a good one looks like, so I copied the last one.",
        ),
    },
    "oversight": {
        "strength": (
            "My manager reads my recording before supervision, so we talk about the children, "
            "not the paperwork.",
            "If something is slipping, my manager usually spots it before I do.",
        ),
        "concern": (
            "Supervision is a list of deadlines; there is no time to think about the hard cases.",
            "Things get noticed when an audit comes round, not before.",
        ),
    },
    "workforce": {
        "strength": (
            "I came back here after two years elsewhere because the team is so good.",
            "My caseload was kept low in my first year, and that made all the difference.",
        ),
        "concern": (
            "We have so many new starters that the experienced ones spend half their time "
            "covering.",
            "Training is the first thing to go when it is busy, and it is always busy.",
        ),
    },
    "partners": {
        "strength": (
            "I have a name and a number now, and they ring me back.",
            "We sort out disagreements over the phone instead of in long e-mail chains.",
        ),
        "concern": (
            "We send everything in and never hear what happened.",
            "Some agencies come to some meetings and not others, so the plan depends on who is "
            "in the room.",
        ),
    },
    "voice": {
        "strength": (
            "They asked what we thought and then actually changed it.",
            "Someone explained everything and did not make us repeat ourselves.",
        ),
        "concern": (
            "We did the survey and never heard anything back.",
            "By the time they asked us, it had already been decided.",
        ),
    },
    "leadership": {
        "strength": (
            "The director comes to our team meetings and knows what we are dealing with.",
            "For once the plan has a few clear priorities, and we know which ones matter.",
        ),
        "concern": (
            "There is a new strategy every year, and nobody tells us what happened to the last "
            "one.",
            "We spend days pulling figures together, and nobody is sure they are right.",
        ),
    },
    "offer": {
        "strength": (
            "It is the one service I can offer a family and know they will get it quickly.",
            "The new sessions are exactly what parents asked for.",
        ),
        "concern": (
            "There is nothing within an hour's drive, so families just go without.",
            "The waiting list is so long that I have stopped mentioning it to families.",
        ),
    },
}

_SOCIAL = {
    "access": "Front door practitioners",
    "practice": "Frontline social workers",
    "oversight": "Team managers",
    "workforce": "Frontline practitioners",
    "partners": "Police, health and school partners",
    "voice": "Children in Care Council",
    "leadership": "Practice supervisors",
    "offer": "Family support workers",
}
GROUPS: dict[str, dict[str, str]] = {
    T.SAFEGUARDING: _SOCIAL,
    T.CHILDRENS_SERVICES: _SOCIAL,
    T.OTHER: _SOCIAL,
    T.SEND: {
        "access": "SENCOs",
        "practice": "EHC plan coordinators",
        "oversight": "SEND team managers",
        "workforce": "Specialist teachers",
        "partners": "Health and adult care partners",
        "voice": "Parent carer forum",
        "leadership": "Headteachers",
        "offer": "Short breaks and keyworker staff",
    },
    T.EARLY_YEARS: {
        "access": "Health visitors",
        "practice": "Early years practitioners",
        "oversight": "Early years team leaders",
        "workforce": "Nursery managers",
        "partners": "Family hub partners",
        "voice": "Parents at a family hub",
        "leadership": "Early years advisers",
        "offer": "Childminders",
    },
}


# Public functions -------------------------------------------------------------------------------


def rng(plan: Plan, salt: str = "") -> random.Random:
    """A random source fixed by the plan and a salt, so every run writes the same words."""
    return random.Random(f"{plan.seed}:{salt}")


# The people a note names, by type: "{who}" the families met, "{staff}" the practitioners who
# do the work, "{partners}" the other agencies. Social care's are the default.
_PEOPLE: dict[str, dict[str, str]] = {
    T.SEND: {
        "who": "Parents and young people we met",
        "staff": "SEND caseworkers",
        "partners": "Health and college colleagues",
    },
    T.EARLY_YEARS: {
        "who": "Parents we met",
        "staff": "Early years practitioners",
        "partners": "Health visiting and voluntary sector colleagues",
    },
}
_SOCIAL_PEOPLE = {
    "who": "Young people we met",
    "staff": "Social workers",
    "partners": "Police and health colleagues",
}


def _fill(template: str, plan: Plan, line: Line) -> str:
    """A template with the council, the line's subject and the people it names filled in."""
    text = template.replace("{c}", plan.council).replace("{s}", line.subject)
    for slot, words in _PEOPLE.get(plan.type, _SOCIAL_PEOPLE).items():
        text = text.replace("{" + slot + "}", words)
    return text[0].upper() + text[1:]


def _as_subject(group: str) -> str:
    """A group's name to open a sentence: "The Children in Care Council", "The parent carer
    forum", "Foster carers"."""
    if "Council" in group:
        return f"The {group}"
    if group.endswith(("forum", "group")):
        return f"The {group[0].lower()}{group[1:]}"
    return group


def focus(plan: Plan) -> str:
    """The focus statement: the one part of the service the diagnostic looks at, in this
    council's terms."""
    return topic(plan).focus.replace("{c}", plan.council)


def kloes(plan: Plan) -> list[tuple[str, str]]:
    """(theme, text) for three to five key lines of enquiry that follow the focus."""
    return [(line.theme, line.text) for line in topic(plan).lines]


_CLOSINGS = (
    "We would value an honest outside view and practical ideas we can act on quickly.",
    "We want to know what is working, what is not, and where to start.",
    "Our leadership team is open to challenge and wants to use the findings in next year's plan.",
)
_RATIONALES = (
    "The council's question is specific ({t}), and a small team of peers can test it properly "
    "in a week{cr}. The sponsor has agreed to give access to staff, partners and records.",
    "This is one defined area of practice with a clear question, which suits a diagnostic "
    "rather than a wider peer challenge. Leaders are open to challenge{cr2}, and the timing fits "
    "the council's improvement planning.",
)
_TEAM: dict[str, str] = {
    T.SAFEGUARDING: "A lead peer who has been a director or assistant director of children's "
    "services; an operational manager with recent experience of {s0}; a peer with police or "
    "health partnership experience{cr}.",
    T.CHILDRENS_SERVICES: "A lead peer with senior experience in children's social care; an "
    "operational manager who has led work on {s0}; a peer who knows {s1} well{cr}.",
    T.SEND: "A lead peer who has led SEND services; a peer with a health background; a parent "
    "carer representative from another area; a peer with experience of {s0}.",
    T.EARLY_YEARS: "A lead peer with early years leadership experience; a peer from health "
    "visiting or public health; a peer who has worked on {s0}.",
    T.OTHER: "To be settled if the council narrows the scope.",
}
_DOCS: dict[str, str] = {
    T.SAFEGUARDING: "the latest inspection letter, the self-assessment, the performance "
    "scorecard and the safeguarding partnership's annual report",
    T.CHILDRENS_SERVICES: "the self-assessment, the improvement plan, and the latest "
    "sufficiency and workforce reports",
    T.SEND: "the SEND self-evaluation, the local area strategy and the latest local area "
    "inspection letter",
    T.EARLY_YEARS: "the early years strategy, the childcare sufficiency report and the latest "
    "early years outcomes data",
    T.OTHER: "the council's self-assessment and improvement plan",
}


def scoping(plan: Plan) -> Scoping:
    """What the council asked in its request and what scoping recorded: why a diagnostic suits
    it, what the team needs, the background shared, and the case lists when a case review is in
    scope."""
    t, r = topic(plan), rng(plan, "scoping")
    subjects = [line.subject for line in t.lines]
    cr = ", including a case record review" if plan.case_review else ""
    cr2 = (
        " and have agreed a case record review to test practice directly"
        if plan.case_review
        else ""
    )
    team_cr = "; two peers trained for the case record review" if plan.case_review else ""
    rationale = r.choice(_RATIONALES).format(t=plan.title.lower(), cr=cr, cr2=cr2)
    team = _TEAM.get(plan.type, _TEAM[T.OTHER]).format(
        s0=subjects[0], s1=subjects[1 % len(subjects)], cr=team_cr
    )
    return Scoping(
        concerns=f"{t.worry} {r.choice(_CLOSINGS)}",
        rationale=rationale,
        team_requirements=team,
        background=f"Shared before scoping: {_DOCS.get(plan.type, _DOCS[T.OTHER])}. {t.fact}",
        case_lists=list(t.case_lists) if plan.case_review else [],
    )


def not_suitable_rationale(plan: Plan) -> str:
    """Why scoping found a diagnostic is not the right tool for this council's request."""
    return topic(plan).not_suitable or (
        f"{plan.council} wants a view wider than one part of its service, which a diagnostic "
        "cannot give in a week. A full peer challenge would meet the need better."
    )


def _heard_counts(n: int, r: random.Random) -> list[int]:
    """How many notes each of `n` lines gets: 12 to 20 in all, at least three a line."""
    low, high = -(-12 // n), min(5, 20 // n)
    return [r.randint(low, max(low, high)) for _ in range(n)]


def heard(plan: Plan) -> list[Heard]:
    """What peers note after sessions: 12 to 20 notes spread over the lines of enquiry, each
    line with at least one strength and one concern, mixed in the order sessions would bring
    them."""
    t, r = topic(plan), rng(plan, "heard")
    out: list[Heard] = []
    for i, (line, count) in enumerate(zip(t.lines, _heard_counts(len(t.lines), r), strict=True)):
        bank = HEARD_BANK[line.kind]
        pools = {p: r.sample(bank[p], len(bank[p])) for p in ("strength", "concern", "neutral")}
        picks = ["strength", "concern"]
        while len(picks) < count:
            picks.append(r.choice([p for p in pools if picks.count(p) < len(pools[p])]))
        for p in picks:
            out.append(Heard(p, _fill(pools[p].pop(), plan, line), i))
    r.shuffle(out)
    return out


def quotes(plan: Plan) -> list[Quote]:
    """What groups said, one or two per line of enquiry, by group (never a named child or
    person); each points one way and speaks to one line."""
    t, r = topic(plan), rng(plan, "quotes")
    groups = GROUPS.get(plan.type, _SOCIAL)
    out: list[Quote] = []
    for i, line in enumerate(t.lines):
        group = line.group or groups[line.kind]
        size = r.randint(5, 8) if "Council" in group or "forum" in group else r.randint(4, 12)
        if line.quote[1]:
            out.append(Quote(line.quote[1], group, size, i, line.quote[0]))
            continue
        polarity = r.choice(("strength", "concern"))
        out.append(Quote(r.choice(SAID[line.kind][polarity]), group, size, i, polarity))
    return out


def board(plan: Plan) -> list[BoardItem]:
    """The findings: three to five strengths, then three to five areas for consideration, each
    two to four sentences on one line of enquiry, some quoting what a group said."""
    t, r = topic(plan), rng(plan, "board")
    n = len(t.lines)
    said = quotes(plan)
    items: list[BoardItem] = []
    for kind, polarity in (("strength", "strength"), ("area", "concern")):
        count = r.randint(3, max(3, min(5, n)))
        chosen = sorted(r.sample(range(n), min(count, n)))
        evidence = r.sample(EVIDENCE[kind], len(EVIDENCE[kind]))
        for j, i in enumerate(chosen):
            line = t.lines[i]
            claim = _fill(r.choice(CLAIMS[line.kind][kind]), plan, line)
            parts = [claim, evidence[j % len(evidence)]]
            fitting = [q for q in said if q.kloe == i and q.polarity == polarity]
            if fitting:
                q = fitting[0]
                parts.append(r.choice(QUOTE_INTO).format(g=_as_subject(q.group), q=q.text))
            elif r.random() < 0.5:
                parts.append(r.choice(SO_WHAT[kind]))
            items.append(BoardItem(kind, " ".join(parts), i))
    return items


def recommendations(plan: Plan) -> list[Advice]:
    """Three to five recommendations, each following from one area for consideration (the last
    sometimes from two), in the order of the areas."""
    t, r = topic(plan), rng(plan, "advice")
    items = board(plan)
    areas = [k for k, item in enumerate(items) if item.kind == "area"]
    out: list[Advice] = []
    for k in areas:
        line = t.lines[items[k].kloe]
        out.append(Advice(_fill(r.choice(ADVICE[line.kind]), plan, line), [k]))
    if len(areas) > 3 and r.random() < 0.5:  # fold the last area into the one before
        last = out.pop()
        out[-1] = Advice(out[-1].text, out[-1].findings + last.findings)
    return out
