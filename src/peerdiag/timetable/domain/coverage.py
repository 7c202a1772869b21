"""Which key lines of enquiry the week hears about, and from which stakeholder groups (R20, R21).

The checklist names the groups a delivery week should normally hear from, by type of
diagnostic. The coverage matrix crosses the diagnostic's KLOEs with those groups (and any other
group its sessions use); a cell holds the interviews and focus groups that cover that KLOE for
that group. Reading only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from peerdiag.diagnostics.enums import DiagnosticType
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember

from ..enums import HEARING_TYPES, SessionStatus
from ..models import Session


@dataclass(frozen=True)
class Group:
    """A stakeholder group of the checklist: its short name is what sessions and attendees use."""

    name: str
    description: str


LEADERSHIP = Group(
    "Council leadership",
    "The sponsor or director of children's services, the chief executive, the lead member and "
    "other councillors with a part to play, such as scrutiny or corporate parenting",
)
MANAGERS = Group(
    "Senior and middle managers",
    "Assistant directors, heads of service, team managers and practice supervisors",
)
FRONTLINE = Group(
    "Frontline practitioners",
    "Social workers across the service, early help workers, independent reviewing officers and "
    "child protection chairs, quality and performance staff, the principal social worker, "
    "workforce and business support",
)
SEND = Group(
    "SEND services",
    "SEND casework and EHC plan staff, educational psychologists, SENCOs, schools, settings and "
    "colleges, health commissioners and providers, and the parent carer forum",
)
EARLY_YEARS = Group(
    "Early years services",
    "Early years settings and childminders, health visitors, public health, speech and language "
    "therapy, family hubs and children's centres",
)
PARTNERS = Group(
    "Partners",
    "Police, health, schools, the local safeguarding partnership and the voluntary sector",
)
FAMILIES = Group(
    "Children, young people and families",
    "Children and young people (for example the children in care council and care leavers) and "
    "parents and carers",
)

_COMMON = (LEADERSHIP, MANAGERS, FRONTLINE)
_END = (PARTNERS, FAMILIES)

# Stakeholder groups the week should consider, by type of diagnostic.
CHECKLIST: dict[str, tuple[Group, ...]] = {
    DiagnosticType.SAFEGUARDING: _COMMON + _END,
    DiagnosticType.SEND: (*_COMMON, SEND, *_END),
    DiagnosticType.EARLY_YEARS: (*_COMMON, EARLY_YEARS, *_END),
    DiagnosticType.CHILDRENS_SERVICES: _COMMON + _END,
    DiagnosticType.OTHER: _COMMON + _END,
}


def checklist_for(diagnostic: Diagnostic) -> tuple[Group, ...]:
    """The checklist's groups for the diagnostic's type."""
    return CHECKLIST.get(diagnostic.type, _COMMON + _END)


def week_sessions(diagnostic: Diagnostic, *, internal: bool = True) -> list[Session]:
    """Every session that is not cancelled, with peers' people, attendees and KLOEs prefetched.

    With internal=False, sessions private to the peer team are left out (for council users).
    """
    qs = (
        Session.objects.filter(diagnostic=diagnostic)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("chair__person")
        .prefetch_related(
            "attendees",
            "kloes",
            Prefetch("peers", queryset=TeamMember.objects.select_related("person")),
            Prefetch("required_peers", queryset=TeamMember.objects.select_related("person")),
        )
        .order_by("day", "start", "fixed_day", "fixed_start", "title", "pk")
    )
    if not internal:
        qs = qs.exclude(internal_only=True)
    return list(qs)


def session_groups(session: Session) -> list[str]:
    """The stakeholder groups a session hears from: its own group, else its attendees' groups."""
    if session.group.strip():
        return [session.group.strip()]
    return sorted({a.group.strip() for a in session.attendees.all() if a.group.strip()})


def _hearing(sessions: Iterable[Session]) -> list[Session]:
    return [s for s in sessions if s.type in HEARING_TYPES and s.status != SessionStatus.CANCELLED]


@dataclass
class Row:
    kloe: Kloe
    cells: list[list[Session]]  # one list of sessions per column, in column order
    groups_heard: int = 0

    @property
    def sessions(self) -> list[Session]:
        seen: dict[int, Session] = {}
        for cell in self.cells:
            for s in cell:
                seen.setdefault(s.pk, s)
        return list(seen.values())


@dataclass
class Matrix:
    groups: list[Group]  # the columns: the checklist's groups, then any others used
    rows: list[Row] = field(default_factory=list)
    heard: set[str] = field(default_factory=set)  # casefolded names of groups any session hears


def coverage_matrix(diagnostic: Diagnostic, sessions: list[Session] | None = None) -> Matrix:
    """KLOE rows by stakeholder-group columns; each cell lists the hearing sessions covering it.

    `sessions` should come from `week_sessions` or `planned_sessions` (prefetched attendees
    and KLOEs), so the matrix costs a constant number of queries.
    """
    if sessions is None:
        sessions = week_sessions(diagnostic)
    hearing = _hearing(sessions)
    columns = list(checklist_for(diagnostic))
    known = {g.name.casefold() for g in columns}
    extra: list[str] = []
    groups_of: dict[int, list[str]] = {}
    for s in hearing:
        groups_of[s.pk] = session_groups(s)
        for name in groups_of[s.pk]:
            if name.casefold() not in known:
                known.add(name.casefold())
                extra.append(name)
    columns += [Group(name, "") for name in sorted(extra, key=str.casefold)]
    index = {g.name.casefold(): i for i, g in enumerate(columns)}
    matrix = Matrix(groups=columns)
    matrix.heard = {name.casefold() for names in groups_of.values() for name in names}
    for kloe in diagnostic.kloes.order_by("order"):
        cells: list[list[Session]] = [[] for _ in columns]
        for s in hearing:
            if any(k.pk == kloe.pk for k in s.kloes.all()):
                for name in groups_of[s.pk]:
                    cells[index[name.casefold()]].append(s)
        matrix.rows.append(Row(kloe, cells, sum(1 for c in cells if c)))
    return matrix


@dataclass(frozen=True)
class CoverageWarning:
    """Something the week's interview plan should put right (or, for advice, consider)."""

    kind: str  # "kloe_unheard", "kloe_one_group", "one_peer" or "group_unheard" (advice)
    message: str
    kloe: Kloe | None = None
    group: str = ""
    session: Session | None = None

    @property
    def advice(self) -> bool:
        return self.kind == "group_unheard"


def coverage_warnings(
    diagnostic: Diagnostic,
    sessions: list[Session] | None = None,
    matrix: Matrix | None = None,
) -> list[CoverageWarning]:
    """KLOEs no interview or focus group covers; KLOEs heard from fewer than two groups; then,
    as softer advice, checklist groups the week does not hear from at all."""
    if matrix is None:
        matrix = coverage_matrix(diagnostic, sessions)
    out: list[CoverageWarning] = []
    for row in matrix.rows:
        label = f"{row.kloe.order}. {row.kloe.text}"
        if not row.sessions:
            out.append(
                CoverageWarning(
                    "kloe_unheard",
                    f"No interview or focus group covers the line of enquiry ‘{label}’",
                    kloe=row.kloe,
                )
            )
        elif row.groups_heard < 2:
            out.append(
                CoverageWarning(
                    "kloe_one_group",
                    f"The line of enquiry ‘{label}’ is heard from only one stakeholder group: "
                    "add a session with another group",
                    kloe=row.kloe,
                )
            )
    for g in matrix.groups:
        if g.description and g.name.casefold() not in matrix.heard:
            out.append(
                CoverageWarning(
                    "group_unheard",
                    f"No interview or focus group hears from {g.name.lower()}: consider one",
                    group=g.name,
                )
            )
    return out


def one_peer_sessions(sessions: Iterable[Session]) -> list[Session]:
    """Interviews and focus groups with a single peer (decision 18: one asks, one notes)."""
    return [
        s
        for s in _hearing(sessions)
        if not s.whole_team and max(s.peers_needed, len(s.required_peers.all())) < 2
    ]


def pair_warnings(sessions: Iterable[Session]) -> list[CoverageWarning]:
    """A warning for each interview or focus group that has only one peer."""
    return [
        CoverageWarning(
            "one_peer",
            f"‘{s.title}’ has one peer: interviews and focus groups need two, one to ask the "
            "questions and one to take notes",
            session=s,
        )
        for s in one_peer_sessions(sessions)
    ]
