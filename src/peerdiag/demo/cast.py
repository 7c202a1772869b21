"""The demo's people: LGA staff, each host council's people, and the bench of peers.

Everyone is invented. Names are varied on purpose (Welsh, Irish, Polish, South Asian, West
African and English names, accents kept) and job titles follow what councils really call their
posts, so the demo reads like a real programme rather than a test fixture. Each host council's
lead member has the title its governance gives them: a cabinet or executive member under a
leader and cabinet, the chair of the children's committee under a committee system (Bristol,
Wirral), a member of the mayor's cabinet where there is a directly elected mayor (Lewisham).

Every person is found by e-mail address before anything is created, so loading twice adds no
one. Every address ends in the demo's own domain, so `peerdiag demo` still recognises a
database that holds only demo accounts and can be run again. Only the eight `ACCOUNTS` are
printed for people to sign in with; every other peer and council sponsor or organiser also has
an account (same password) because the walk acts as them: peers write their own notes, and
sponsors approve teams and confirm scope.

`Cast` is what the walk asks for people: the accounts, each council's people by role, the peer
challenge manager for a plan, and the team for a diagnostic, chosen from the team builder's
ranking as a PCM would, keeping nobody on two diagnostics whose delivery weeks overlap.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import get_hasher, make_password
from django.utils import timezone

from peerdiag.accounts.models import TotpDevice, User
from peerdiag.common.workdays import is_working_day
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.directory.enums import Expertise as E
from peerdiag.directory.enums import PeerRoleOffer as R
from peerdiag.directory.enums import Seniority as S
from peerdiag.directory.models import Organisation, Person

if TYPE_CHECKING:
    from .plans import Plan

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

PCM = "pcm@peerdiag.test"
PEER = "peer@peerdiag.test"
MANAGER = "manager@peerdiag.test"
AUDITOR = "auditor@peerdiag.test"


@dataclass(frozen=True)
class Account:
    """A demo sign-in printed by `peerdiag demo`: address, person, and what they can try."""

    email: str
    name: str
    title: str
    org: str
    role: str
    staff: bool = False


ACCOUNTS = [
    Account(
        "admin@peerdiag.test",
        "Catrin Llewelyn",
        "Programme Administrator, Children's Improvement",
        "LGA",
        "LGA admin",
        True,
    ),
    Account(PCM, "Anjali Mehta", "Peer Challenge Manager", "LGA", "Peer challenge manager"),
    Account(PEER, "Ciarán Doherty", "Director of Children and Families", "Leeds", "Lead peer"),
    Account(
        MANAGER,
        "Małgorzata Nowak",
        "Head of Safeguarding and Quality Assurance",
        "Sheffield",
        "Operational manager peer",
    ),
    Account(
        AUDITOR,
        "Gurpreet Sandhu",
        "Senior Practitioner, Practice Improvement",
        "Manchester",
        "Case auditor",
    ),
    Account(
        "sponsor@peerdiag.test",
        "Siân Howells",
        "Corporate Director, Children, Young People and Education",
        "Kent",
        "Council sponsor",
    ),
    Account(
        "organiser@peerdiag.test",
        "Wojciech Kowalski",
        "Business Manager, Children's Improvement",
        "Kent",
        "Council organiser",
    ),
    Account(
        "sponsor.bristol@peerdiag.test",
        "Aoife Brennan",
        "Executive Director, Children and Education",
        "Bristol",
        "Council sponsor (another council)",
    ),
]

# The two other peer challenge managers: they have accounts but are not printed.
OTHER_PCMS = [
    ("Rhodri Bevan", "Peer Challenge Manager"),
    ("Nkechi Adeyemi", "Senior Peer Challenge Manager"),
]

# Which PCM manages which plan (by plan key). The demo PCM (pcm@) has both Kent diagnostics
# and a desk at every stage from enquiry to evaluation; the others share the rest.
PCM_OF_PLAN = {
    "kent-oversight": PCM,
    "kent-permanence": PCM,
    "nland-send": PCM,
    "derby-mash": PCM,
    "coventry-cp": PCM,
    "herts-leavers": PCM,
    "lewisham-exploit": PCM,
    "wirral-pfa": PCM,
    "bristol-workforce": PCM,
    "cornwall-qa": PCM,
    "suffolk-ey": "rhodri.bevan@peerdiag.test",
    "nottm-hubs": "rhodri.bevan@peerdiag.test",
    "nland-earlyhelp": "rhodri.bevan@peerdiag.test",
    "herts-whole": "rhodri.bevan@peerdiag.test",
    "derby-childcare": "rhodri.bevan@peerdiag.test",
    "plymouth-cic": "nkechi.adeyemi@peerdiag.test",
    "bristol-missing": "nkechi.adeyemi@peerdiag.test",
    "wilts-breaks": "nkechi.adeyemi@peerdiag.test",
}


@dataclass(frozen=True)
class Peer:
    """A bench peer: who they are, what they offer, and when they trained (months ago; a
    training more than two years old has lapsed and the team builder no longer counts it)."""

    name: str
    title: str
    council: str
    seniority: str
    roles: tuple[str, ...]
    expertise: tuple[str, ...]
    trained_months_ago: int
    # Work for another council in the last three years: (council, months since it ended, what)
    recent_work: tuple[str, int, str] | None = None


LEAD = (R.LEAD_PEER, R.OPERATIONAL_MANAGER)
OM = (R.OPERATIONAL_MANAGER,)
OM_CA = (R.OPERATIONAL_MANAGER, R.CASE_AUDITOR)
CA = (R.CASE_AUDITOR,)

# The three demo peer accounts' bench profiles (by e-mail).
ACCOUNT_PEERS = {
    PEER: Peer(
        "Ciarán Doherty",
        "Director of Children and Families",
        "Leeds",
        S.DCS,
        LEAD,
        (E.LEADERSHIP, E.SAFEGUARDING, E.CHILDREN_IN_CARE, E.QUALITY_ASSURANCE),
        5,
    ),
    MANAGER: Peer(
        "Małgorzata Nowak",
        "Head of Safeguarding and Quality Assurance",
        "Sheffield",
        S.HEAD_OF_SERVICE,
        OM_CA,
        (E.SAFEGUARDING, E.QUALITY_ASSURANCE, E.CHILD_PROTECTION, E.WORKFORCE),
        9,
    ),
    AUDITOR: Peer(
        "Gurpreet Sandhu",
        "Senior Practitioner, Practice Improvement",
        "Manchester",
        S.PRACTITIONER,
        CA,
        (E.CHILD_PROTECTION, E.QUALITY_ASSURANCE, E.CHILDREN_IN_CARE),
        3,
    ),
}
# Kept for the management commands and tests that import it: e-mail -> (seniority, roles).
PEER_ACCOUNTS = {e: (p.seniority, list(p.roles)) for e, p in ACCOUNT_PEERS.items()}

# The rest of the bench, from councils that host no demo diagnostic, spread over every region.
# Case auditors are practitioners and managers from children's social care only.
BENCH = [
    # Directors and assistant directors: they may lead
    Peer(
        "Dafydd Rhys-Jones",
        "Director of Children's Services",
        "Gloucestershire",
        S.DCS,
        LEAD,
        (E.LEADERSHIP, E.PARTNERSHIPS, E.CHILDREN_IN_CARE),
        8,
    ),
    Peer(
        "Niamh Gallagher",
        "Director of Children's Services",
        "Newcastle upon Tyne",
        S.DCS,
        LEAD,
        (E.SAFEGUARDING, E.LEADERSHIP, E.WORKFORCE),
        20,
    ),
    Peer(
        "Harpreet Kaur Bains",
        "Director of Children and Families",
        "Wolverhampton",
        S.DCS,
        LEAD,
        (E.SEND, E.EARLY_HELP, E.LEADERSHIP),
        4,
    ),
    Peer(
        "Zainab Hussain",
        "Director of Children's Services",
        "Waltham Forest",
        S.DCS,
        LEAD,
        (E.SAFEGUARDING, E.YOUTH_JUSTICE, E.LEADERSHIP),
        26,
    ),
    Peer(
        "Tomasz Wiśniewski",
        "Assistant Director, Children's Social Care",
        "Lincolnshire",
        S.AD,
        LEAD,
        (E.CHILD_PROTECTION, E.FRONT_DOOR, E.QUALITY_ASSURANCE),
        14,
    ),
    Peer(
        "Ffion Parry",
        "Assistant Director, Education and Inclusion",
        "Cheshire West and Chester",
        S.AD,
        LEAD,
        (E.SEND, E.COMMISSIONING, E.PARTNERSHIPS),
        30,
    ),
    Peer(
        "Imran Siddiqui",
        "Assistant Director, Early Help and Prevention",
        "Bradford",
        S.AD,
        LEAD,
        (E.EARLY_HELP, E.EARLY_YEARS, E.PARTNERSHIPS),
        6,
    ),
    Peer(
        "Róisín McCarthy",
        "Assistant Director, Corporate Parenting",
        "Hampshire",
        S.AD,
        LEAD,
        (E.CHILDREN_IN_CARE, E.CARE_LEAVERS, E.COMMISSIONING),
        11,
    ),
    Peer(
        "Aled Vaughan",
        "Assistant Director, Quality and Performance",
        "Norfolk",
        S.AD,
        LEAD,
        (E.QUALITY_ASSURANCE, E.WORKFORCE, E.LEADERSHIP),
        3,
    ),
    Peer(
        "Seren Williams",
        "Assistant Director, Inclusion and SEND",
        "Hull",
        S.AD,
        LEAD,
        (E.SEND, E.EARLY_YEARS, E.LEADERSHIP),
        10,
    ),
    # Heads of service
    Peer(
        "Agnieszka Zielińska",
        "Head of Service, Front Door and MASH",
        "Leicestershire",
        S.HEAD_OF_SERVICE,
        OM_CA,
        (E.FRONT_DOOR, E.SAFEGUARDING, E.PARTNERSHIPS),
        9,
    ),
    Peer(
        "Pádraig Kelly",
        "Head of Service, Children in Care",
        "Stockport",
        S.HEAD_OF_SERVICE,
        OM_CA,
        (E.CHILDREN_IN_CARE, E.CHILD_PROTECTION),
        15,
    ),
    Peer(
        "Sunita Raman",
        "Head of SEND and Inclusion",
        "Buckinghamshire",
        S.HEAD_OF_SERVICE,
        OM,
        (E.SEND, E.COMMISSIONING),
        5,
    ),
    Peer(
        "Lowri Jenkins",
        "Head of Early Years and Childcare",
        "Devon",
        S.HEAD_OF_SERVICE,
        OM,
        (E.EARLY_YEARS, E.COMMISSIONING, E.PARTNERSHIPS),
        2,
    ),
    Peer(
        "Chiamaka Okonkwo",
        "Head of Service, Child Protection and Reviewing",
        "Croydon",
        S.HEAD_OF_SERVICE,
        OM_CA,
        (E.CHILD_PROTECTION, E.SAFEGUARDING, E.QUALITY_ASSURANCE),
        12,
    ),
    Peer(
        "Łukasz Kamiński",
        "Head of Youth Justice and Exploitation",
        "Sandwell",
        S.HEAD_OF_SERVICE,
        OM,
        (E.YOUTH_JUSTICE, E.SAFEGUARDING, E.PARTNERSHIPS),
        18,
    ),
    Peer(
        "Eilís Doyle",
        "Principal Social Worker",
        "Camden",
        S.HEAD_OF_SERVICE,
        OM_CA,
        (E.WORKFORCE, E.QUALITY_ASSURANCE, E.CHILD_PROTECTION),
        7,
    ),
    Peer(
        "Rajesh Pillai",
        "Head of Commissioning and Sufficiency",
        "Essex",
        S.HEAD_OF_SERVICE,
        OM,
        (E.COMMISSIONING, E.CHILDREN_IN_CARE),
        40,
        ("Bristol", 14, "Placement sufficiency review, as an associate consultant"),
    ),
    Peer(
        "Bronwen Hughes",
        "Head of Service, Leaving Care",
        "County Durham",
        S.HEAD_OF_SERVICE,
        OM_CA,
        (E.CARE_LEAVERS, E.CHILDREN_IN_CARE),
        10,
    ),
    Peer(
        "Farhana Begum",
        "Head of Early Help",
        "Tower Hamlets",
        S.HEAD_OF_SERVICE,
        OM,
        (E.EARLY_HELP, E.PARTNERSHIPS, E.EARLY_YEARS),
        13,
    ),
    Peer(
        "Seán Brady",
        "Head of Workforce Development, Children's Services",
        "Warwickshire",
        S.HEAD_OF_SERVICE,
        OM,
        (E.WORKFORCE, E.LEADERSHIP),
        22,
    ),
    Peer(
        "Priyanka Desai",
        "Head of Inclusion and Preparation for Adulthood",
        "Leicester",
        S.HEAD_OF_SERVICE,
        OM,
        (E.SEND, E.CARE_LEAVERS),
        1,
    ),
    # Service and team managers
    Peer(
        "Oisín Fitzgerald",
        "Service Manager, Assessment and Intervention",
        "Salford",
        S.SERVICE_MANAGER,
        OM_CA,
        (E.CHILD_PROTECTION, E.FRONT_DOOR),
        16,
    ),
    Peer(
        "Kasia Nowicka",
        "Service Manager, Quality Assurance and Audit",
        "Somerset",
        S.SERVICE_MANAGER,
        OM_CA,
        (E.QUALITY_ASSURANCE, E.SAFEGUARDING),
        5,
    ),
    Peer(
        "Gwenllian Morris",
        "Service Manager, SEND Assessment and Review",
        "Shropshire",
        S.SERVICE_MANAGER,
        OM,
        (E.SEND, E.PARTNERSHIPS),
        28,
    ),
    Peer(
        "Yusuf Adebayo",
        "Service Manager, Adolescent Safeguarding",
        "Southwark",
        S.SERVICE_MANAGER,
        OM_CA,
        (E.YOUTH_JUSTICE, E.SAFEGUARDING, E.CHILD_PROTECTION),
        4,
    ),
    Peer(
        "Mei Lin Chen",
        "Early Years Quality Manager",
        "Cambridgeshire",
        S.SERVICE_MANAGER,
        OM,
        (E.EARLY_YEARS, E.QUALITY_ASSURANCE),
        9,
    ),
    Peer(
        "Deirdre Walsh",
        "Team Manager, Children in Care",
        "Doncaster",
        S.SERVICE_MANAGER,
        OM_CA,
        (E.CHILDREN_IN_CARE, E.CHILD_PROTECTION),
        35,
        ("Kent", 16, "Interim team manager, children in care"),
    ),
    Peer(
        "Bartosz Lewandowski",
        "Team Manager, Multi-Agency Safeguarding Hub",
        "North Tyneside",
        S.SERVICE_MANAGER,
        OM_CA,
        (E.FRONT_DOOR, E.SAFEGUARDING, E.PARTNERSHIPS),
        14,
    ),
    # Senior practitioners: case auditors
    Peer(
        "Nasreen Akhtar",
        "Independent Reviewing Officer",
        "Kirklees",
        S.PRACTITIONER,
        CA,
        (E.CHILDREN_IN_CARE, E.QUALITY_ASSURANCE),
        6,
    ),
    Peer(
        "Iwan Griffiths",
        "Practice Supervisor, Child Protection",
        "Swindon",
        S.PRACTITIONER,
        CA,
        (E.CHILD_PROTECTION, E.SAFEGUARDING),
        3,
    ),
    Peer(
        "Gráinne Kennedy",
        "Advanced Practitioner, Quality Assurance",
        "Medway",
        S.PRACTITIONER,
        CA,
        (E.QUALITY_ASSURANCE, E.CHILD_PROTECTION),
        11,
    ),
    Peer(
        "Shabana Qureshi",
        "Child Protection Conference Chair",
        "Rochdale",
        S.PRACTITIONER,
        CA,
        (E.CHILD_PROTECTION, E.SAFEGUARDING, E.FRONT_DOOR),
        19,
    ),
    Peer(
        "Ngozi Okafor-Eze",
        "Senior Practitioner, Care Leavers",
        "Milton Keynes",
        S.PRACTITIONER,
        CA,
        (E.CARE_LEAVERS, E.CHILDREN_IN_CARE),
        8,
    ),
]

# The team builder's reasons that say a peer's expertise fits the diagnostic.
FITS = ("Expertise fits", "Knows")

# Expertise that marks someone from children's social care: only they audit case records.
SOCIAL_CARE = frozenset(
    {
        E.SAFEGUARDING,
        E.CHILD_PROTECTION,
        E.CHILDREN_IN_CARE,
        E.CARE_LEAVERS,
        E.FRONT_DOOR,
        E.QUALITY_ASSURANCE,
    }
)


@dataclass(frozen=True)
class CouncilPeople:
    """A host council's four people, each as (name, job title), and how it is governed."""

    governance: str  # "leader and cabinet", "committee system" or "elected mayor"
    sponsor: tuple[str, str]
    organiser: tuple[str, str]
    lead_member: tuple[str, str]
    chief_executive: tuple[str, str]


CABINET, COMMITTEE, MAYOR = "leader and cabinet", "committee system", "elected mayor"
CE = "Chief Executive"

# Kent's sponsor and organiser and Bristol's sponsor are demo accounts (see ACCOUNTS); the
# names here for them are the accounts' names.
COUNCILS: dict[str, CouncilPeople] = {
    "Kent": CouncilPeople(
        CABINET,
        ("Siân Howells", "Corporate Director, Children, Young People and Education"),
        ("Wojciech Kowalski", "Business Manager, Children's Improvement"),
        ("Councillor Graham Pettit", "Cabinet Member for Integrated Children's Services"),
        ("Amanda Beresford", CE),
    ),
    "Bristol": CouncilPeople(
        COMMITTEE,  # since May 2024
        ("Aoife Brennan", "Executive Director, Children and Education"),
        ("Hamza Osman", "Improvement Lead, Children and Education"),
        (
            "Councillor Tessa Fairclough",
            "Chair of the Children and Young People Policy Committee",
        ),
        ("Marcus Thorne", CE),
    ),
    "Wirral": CouncilPeople(
        COMMITTEE,  # since May 2023
        ("Declan Moriarty", "Director of Children, Families and Education"),
        ("Leanne Brodie", "Business Manager, Children, Families and Education"),
        (
            "Councillor Joanne Prescott",
            "Chair of the Children, Young People and Education Committee",
        ),
        ("Paul Satterthwaite", CE),
    ),
    "Lewisham": CouncilPeople(
        MAYOR,
        ("Comfort Mensah", "Executive Director for Children and Young People"),
        ("Rhiannon Cole", "Strategy and Improvement Manager, Children and Young People"),
        (
            "Councillor Tunde Afolabi",
            "Cabinet Member for Children and Young People (Mayor's cabinet)",
        ),
        ("Julia Ferreira", CE),
    ),
    "Hertfordshire": CouncilPeople(
        CABINET,
        ("Fiona Macrae", "Director of Children's Services"),
        ("Owain Price", "Improvement Programme Manager, Children's Services"),
        (
            "Councillor Dianne Fairweather",
            "Executive Member for Children, Young People and Families",
        ),
        ("Stephen Hale", CE),
    ),
    "Northumberland": CouncilPeople(
        CABINET,
        ("Helen Armstrong", "Executive Director, Children, Young People and Education"),
        ("Callum Robson", "Improvement and Business Support Manager"),
        (
            "Councillor Margaret Charlton",
            "Cabinet Member for Children, Young People and Education",
        ),
        ("Andrew Lister", CE),
    ),
    "Suffolk": CouncilPeople(
        CABINET,
        ("Rebecca Ashworth", "Executive Director, Children and Young People's Services"),
        ("Hollie Sayer", "Service Development Manager, Children and Young People"),
        ("Councillor Philip Clare", "Cabinet Member for Children's Services, Education and Skills"),
        ("Jonathan Reeve", CE),
    ),
    "Plymouth": CouncilPeople(
        CABINET,
        ("Dr Naomi Trewin", "Director of Children's Services"),
        ("Jake Pascoe", "Business Manager, Children's Services"),
        ("Councillor Saffron Kitto", "Cabinet Member for Children's Social Care and Education"),
        ("Martin Penhaligon", CE),
    ),
    "Derbyshire": CouncilPeople(
        CABINET,
        ("Carole Wragg", "Executive Director, Children's Services"),
        ("Dev Mistry", "Senior Business Partner, Children's Services"),
        ("Councillor Brian Slack", "Cabinet Member for Children's Services and Safeguarding"),
        ("Eleanor Whitworth", CE),
    ),
    "Coventry": CouncilPeople(
        CABINET,
        ("Anjum Rashid", "Director of Children's Services"),
        ("Kelly Mansell", "Programme Manager, Children's Services"),
        ("Councillor Paramjit Sohal", "Cabinet Member for Children and Young People"),
        ("Richard Okoye", CE),
    ),
    "Nottingham": CouncilPeople(
        CABINET,
        ("Angela Whitlock", "Director of Children's Integrated Services"),
        ("Kieran Doughty", "Service Improvement Manager, Children's Services"),
        ("Councillor Shabnam Aziz", "Executive Member for Children, Young People and Education"),
        ("Melanie Dunstan", CE),
    ),
    "Cornwall": CouncilPeople(
        CABINET,
        ("Morwenna Carne", "Strategic Director for Children, Families and Schools"),
        ("Tristan Hocking", "Head of Business Support, Children's Services"),
        ("Councillor Demelza Trethewey", "Portfolio Holder for Children and Families"),
        ("Neil Rowe", CE),
    ),
    "Wiltshire": CouncilPeople(
        CABINET,
        ("Jasmine Ellery", "Director of Families and Children's Services"),
        ("Samir Haddad", "Transformation Manager, Families and Children"),
        (
            "Councillor Rosalind Pike",
            "Cabinet Member for Children's Services, Education and Skills",
        ),
        ("Terence Hurst", CE),
    ),
}

# People for a host council added to the plans later and not written above: invented names
# drawn by the council's name, so they are stable between loads.
_FIRST = ["Eleri", "Conor", "Nisha", "Marek", "Tamsin", "Kwame", "Orla", "Dilip", "Bethan"]
_LAST = ["Pryce", "Donnelly", "Bhatt", "Szymański", "Harcourt", "Boateng", "Quinn", "Kapoor"]

# Demo accounts that demo users expect on certain teams, by plan key, most important first.
# Elsewhere they are picked (or not) from the ranking like anyone else, but never for a week
# that would clash with a plan they are kept for.
KEPT_FOR = {
    PEER: (TeamRole.LEAD_PEER, ("kent-oversight", "kent-permanence", "coventry-cp", "nottm-hubs")),
    MANAGER: (
        TeamRole.OPERATIONAL_MANAGER,
        ("kent-oversight", "bristol-workforce", "cornwall-qa", "derby-mash", "wirral-pfa"),
    ),
    AUDITOR: (
        TeamRole.CASE_AUDITOR,
        (
            "kent-oversight",
            "lewisham-exploit",
            "herts-leavers",
            "coventry-cp",
            "kent-permanence",
            "cornwall-qa",
            "bristol-missing",
            "derby-mash",
        ),
    ),
}


def email_for(name: str) -> str:
    """A demo address from a person's name: accents folded, titles dropped
    ('Councillor Siân Ó Briain' -> 'sian.o-briain@peerdiag.test' style)."""
    words = [w for w in name.split() if w not in ("Councillor", "Dr")]
    text = " ".join(words).replace("ł", "l").replace("Ł", "L").replace("'", "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    first, *rest = ascii_text.lower().split()
    return f"{first}.{'-'.join(rest)}{DEMO_DOMAIN}"


class _Password:
    """One hash of the demo password for every demo user: hashing is slow on purpose, and
    eighty users each hashed would cost most of a minute. Made again if the hasher in use
    changes (the test suite swaps in a fast one), so the hash always verifies."""

    hashed: dict[str, str] = {}  # hasher's algorithm -> hash

    @classmethod
    def get(cls) -> str:
        algorithm = str(get_hasher().algorithm)
        if algorithm not in cls.hashed:
            cls.hashed[algorithm] = make_password(DEMO_PASSWORD)
        return cls.hashed[algorithm]


class _Found:
    """What a load finds already there, fetched in three queries at its start, so finding
    each of ninety people again costs no query of its own."""

    orgs: dict[str, Organisation] = {}  # refilled by every load
    users: dict[str, User] = {}
    people: dict[str, Person] = {}

    @classmethod
    def fetch(cls) -> None:
        cls.orgs = {
            "LGA" if o.kind == "lga" else o.name: o
            for o in Organisation.objects.filter(kind__in=("lga", "council"))
        }
        cls.users = {u.email: u for u in User.objects.filter(email__iendswith=DEMO_DOMAIN)}
        cls.people = {
            p.email: p
            for p in Person.objects.filter(email__iendswith=DEMO_DOMAIN).select_related(
                "user", "organisation", "peer_profile"
            )
        }


def _org(name: str) -> Organisation:
    """The LGA ("LGA") or the council called `name`."""
    return _Found.orgs[name]


def _user(email: str, name: str, *, staff: bool = False) -> User:
    """The demo user with `email`, created with the shared password hash if missing."""
    user = _Found.users.get(email)
    if user is None:
        # An LGA administrator may do everything, the admin site included.
        user = User.objects.create(
            email=email,
            full_name=name,
            password=_Password.get(),
            is_staff=staff,
            is_superuser=staff,
        )
    return user


def _person(
    name: str, title: str, org: Organisation, email: str, *, dcs: bool = False, login: bool = True
) -> Person:
    """The person with `email` (or, without one, `name` at `org`), added through the directory
    if missing, with a login when `login`."""
    from peerdiag.directory.domain.people import add_person

    person = _Found.people.get(email)
    if person is None:
        person = add_person(
            org, full_name=name, job_title=title, email=email, is_dcs_or_equivalent=dcs
        )
    if login and person.user_id is None:
        person.user = _user(email, name)
        person.save(update_fields=["user"])
    return person


def _trained(months_ago: int, today: date) -> date:
    """A working day about `months_ago` months before `today` (a training session)."""
    day = today - timedelta(days=round(months_ago * 30.4))
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _profile(person: Person, peer: Peer, today: date) -> None:
    """Put `person` on the bench (once) with what `peer` says, and their recent work."""
    from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile

    if hasattr(person, "peer_profile"):
        return
    profile = save_peer_profile(
        person,
        seniority=peer.seniority,
        roles=list(peer.roles),
        expertise=list(peer.expertise),
        summary=_summary(peer),
        trained_on=_trained(peer.trained_months_ago, today),
        version=0,
    )
    if peer.recent_work is not None:
        council, months, what = peer.recent_work
        declare_recent_work(
            profile,
            council=_org(council),
            ended_on=today - timedelta(days=round(months * 30.4)),
            description=what,
        )


def _summary(peer: Peer) -> str:
    """A short profile in the peer's voice, built from their post and expertise."""
    from peerdiag.directory.enums import Expertise

    areas = [str(Expertise(a).label).lower() for a in peer.expertise]
    known = ", ".join(areas[:-1]) + f" and {areas[-1]}" if len(areas) > 1 else areas[0]
    return f"{peer.title} at {peer.council} council. Brings experience of {known}."


def _fallback(council: str) -> CouncilPeople:
    """Invented people for a host council not written in COUNCILS, stable for the name."""
    rng = random.Random(council)
    first, last = rng.sample(_FIRST, 4), rng.sample(_LAST, 4)
    return CouncilPeople(
        CABINET,
        (f"{first[0]} {last[0]}", "Director of Children's Services"),
        (f"{first[1]} {last[1]}", "Business Manager, Children's Services"),
        (f"Councillor {first[2]} {last[2]}", "Cabinet Member for Children and Young People"),
        (f"{first[3]} {last[3]}", CE),
    )


@dataclass
class Cast:
    """The demo's people, as the walk asks for them."""

    admin: User
    accounts: dict[str, Person]
    bench: list[Person]  # every peer on the bench, the demo peer accounts first
    councils: dict[str, dict[str, Person]] = field(default_factory=dict)
    pcms: dict[str, Person] = field(default_factory=dict)  # e-mail -> PCM

    def user_of(self, person: Person) -> User:
        """The person's login; every person the walk acts as has one."""
        if person.user is None:
            raise ValueError(f"{person} has no account")
        return person.user

    def pcm_for(self, plan: Plan) -> Person:
        """The peer challenge manager of `plan`: pcm@ for Kent and a full desk, the other two
        share the rest (a plan not in PCM_OF_PLAN is given one by its seed)."""
        email = PCM_OF_PLAN.get(plan.key)
        if email is None:
            email = PCM if plan.council == "Kent" else sorted(self.pcms)[plan.seed % len(self.pcms)]
        return self.pcms[email]

    def council(self, name: str) -> dict[str, Person]:
        """The council's people by role: sponsor, organiser, lead_member, chief_executive."""
        return self.councils.get(name, {})


def _accounts() -> dict[str, Person]:
    """The eight printed accounts' people, with two-factor devices where the rules need one."""
    people = {}
    for a in ACCOUNTS:
        dcs = a.role == "Council sponsor" or a.role.startswith("Council sponsor ")
        dcs = dcs or a.email == PEER
        user = _user(a.email, a.name, staff=a.staff)
        person = _Found.people.get(a.email)
        if person is None:
            from peerdiag.directory.domain.people import add_person

            person = add_person(
                _org(a.org),
                full_name=a.name,
                job_title=a.title,
                email=a.email,
                is_dcs_or_equivalent=dcs,
            )
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
        people[a.email] = person
        if a.email in TWO_FACTOR_ACCOUNTS:
            _totp(user)
    return people


def _totp(user: User) -> None:
    TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()}
    )


def load_cast() -> Cast:
    """Create whoever of the demo's people is missing and return the cast.

    Safe to repeat: everyone is looked up by e-mail address first."""
    from .plans import PLANS

    today = timezone.localdate()
    _Found.fetch()
    people = _accounts()
    lga = _org("LGA")
    pcms = {PCM: people[PCM]}
    for name, title in OTHER_PCMS:
        person = _person(name, title, lga, email_for(name))
        _totp(person.user)  # type: ignore[arg-type]  # LGA staff sign in with a second factor
        pcms[person.email] = person

    bench = []
    for email, peer in ACCOUNT_PEERS.items():
        _profile(people[email], peer, today)
        bench.append(people[email])
    for peer in BENCH:
        person = _person(
            peer.name,
            peer.title,
            _org(peer.council),
            email_for(peer.name),
            dcs=peer.seniority == S.DCS,
        )
        _profile(person, peer, today)
        bench.append(person)

    accounts_by_name = {a.name: people[a.email] for a in ACCOUNTS}
    councils: dict[str, dict[str, Person]] = {}
    for host in dict.fromkeys([*COUNCILS, *(p.council for p in PLANS)]):
        spec = COUNCILS.get(host) or _fallback(host)
        org = _org(host)
        roles = councils.setdefault(host, {})
        for role, (name, title), login in (
            ("sponsor", spec.sponsor, True),
            ("organiser", spec.organiser, True),
            ("lead_member", spec.lead_member, False),
            ("chief_executive", spec.chief_executive, False),
        ):
            roles[role] = accounts_by_name.get(name) or _person(
                name, title, org, email_for(name), dcs=role == "sponsor", login=login
            )
    return Cast(
        admin=people["admin@peerdiag.test"].user,  # type: ignore[arg-type]
        accounts=people,
        bench=bench,
        councils=councils,
        pcms=pcms,
    )
