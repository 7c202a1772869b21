"""Everything a person still has to do, across all their diagnostics: the home page's to-do list.

One function, `todos_for(user, today=...)`, answers for every role at once, because one person
can hold several (a peer on one diagnostic, the PCM of another):

- peers: declare interests, acknowledge the briefing, sign the confidentiality agreement, write
  up notes of today's sessions (delivery), approve drafting-board items (the lead peer);
- anyone whose login needs two-factor sign-in and has no second factor: set it up;
- people at a host council: what the council owes (the team-forming asks of `council_asks`,
  the scope confirmation, the case-sharing proposal, requested key documents, the timetable to
  fill and agree, the factual-accuracy check of the written feedback, the evaluation survey);
- case auditors: released cases whose audit is not finished;
- peer challenge managers: every blocker of the next gate of each open diagnostic they manage
  (straight from `gate_blockers`, so a new gate check shows up here without a change) and every
  overdue date;
- LGA administrators: councils' requests still waiting for an answer.

Why here, in the portfolio app's domain: the list reads findings, reports, the evaluation, the
timetable, the case review and documents as well as diagnostics, and import-linter only lets a
layer above them all read them all. The alternative, a registry in the diagnostics app that each
app fills from its AppConfig (as the gate capabilities do), would spread one screen's wording
over seven apps and make the order of the list depend on app loading. The gate checks
themselves stay the single source of truth for the PCM's items; this module only adds who else
must act and where.

Cost: a fixed number of queries for peers, council users, auditors and administrators, whatever
their number of diagnostics. The PCM's gate items cost what `gate_blockers` costs for each open
diagnostic they manage (the overview page pays the same for one); everything else of theirs is
read in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.domain.two_factor import has_second_factor, two_factor_required
from peerdiag.casereview.enums import AuditStatus, SharingState
from peerdiag.casereview.models import CaseReview, CaseSharing, SampledCase
from peerdiag.diagnostics.domain.capabilities import FIX_PAGES
from peerdiag.diagnostics.domain.council_asks import council_asks
from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.domain.keydates import delivery_days, overdue_items
from peerdiag.diagnostics.domain.requests import contact_by, requests_for_user
from peerdiag.diagnostics.domain.scope import CONFIRMABLE, Scope
from peerdiag.diagnostics.enums import OPEN_STAGES, CouncilRoleKind, Stage, TeamRole
from peerdiag.diagnostics.models import (
    Briefing,
    BriefingAcknowledgement,
    ConfidentialityAgreement,
    ConflictDeclaration,
    CouncilRole,
    Diagnostic,
    Kloe,
    ScopeConfirmation,
    ScopeDecision,
    Signature,
    TeamMember,
)
from peerdiag.documents.enums import RequestStatus
from peerdiag.documents.models import DocumentRequest
from peerdiag.evaluation.domain.surveys import survey_overdue_items, with_survey_status
from peerdiag.evaluation.models import Survey
from peerdiag.findings.models import EvidenceNote, Finding, Recommendation
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import WrittenFeedback
from peerdiag.timetable.enums import SessionStatus
from peerdiag.timetable.models import Attendee, Session, TimetableVersion

# Blockers whose page is not in FIX_PAGES (case_review, retention) go to these.
OTHER_FIX_PAGES = {"case_review": "web:casereview"}

# Stages in which a peer on the team is asked to declare their interests.
DECLARING = frozenset(
    {Stage.SCOPED, Stage.TEAM_FORMING, Stage.PREPARATION, Stage.CASE_REVIEW, Stage.READY}
)
# Stages in which the council still fills in and agrees the timetable.
TIMETABLING = frozenset({Stage.TEAM_FORMING, Stage.PREPARATION, Stage.CASE_REVIEW, Stage.READY})
# Stages in which the council proposes how it shares cases (before the review ends).
SHARING = frozenset({Stage.TEAM_FORMING, Stage.PREPARATION, Stage.CASE_REVIEW})


@dataclass(frozen=True)
class Todo:
    """One open ask: what to do, for which diagnostic (None for the person's own account), by
    when, and the page where it is done (a URL name and its keyword arguments).

    `source` says where it comes from ("peer", "council", "auditor", "gate", "overdue",
    "account", "admin"); for a gate blocker, `code` is the blocker's code.
    """

    text: str
    diagnostic: Diagnostic | None
    url_name: str
    url_kwargs: dict[str, str] = field(default_factory=dict)
    due: date | None = None
    overdue: bool = False
    source: str = ""
    code: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.url_kwargs)


def _todo(
    d: Diagnostic | None,
    text: str,
    url_name: str,
    today: date,
    *,
    due: date | None = None,
    source: str,
    code: str = "",
    overdue: bool | None = None,
    kwargs: dict[str, str] | None = None,
) -> Todo:
    kwargs = dict(kwargs or {})
    if d is not None and url_name != "web:survey":
        kwargs.setdefault("ref", d.reference)
    late = overdue if overdue is not None else (due is not None and due < today)
    return Todo(text, d, url_name, kwargs, due, late, source, code)


# Peers ----------------------------------------------------------------------------------------


def _latest(rows: list[tuple[Any, ...]]) -> dict[int, tuple[Any, ...]]:
    """diagnostic id → the row with the highest version (rows: diagnostic_id, pk, version, ...)."""
    out: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        if row[0] not in out or row[2] > out[row[0]][2]:
            out[row[0]] = row
    return out


def _peer_todos(person: Any, places: list[TeamMember], today: date) -> list[Todo]:
    """Declaration, briefing, signature, today's notes and board approvals, for every place on
    a team other than as the PCM (the PCM's own clearance shows among their gate items)."""
    places = [m for m in places if m.role != TeamRole.PEER_CHALLENGE_MANAGER]
    if not places:
        return []
    ids = [m.diagnostic_id for m in places]
    declared = set(
        ConflictDeclaration.objects.filter(person=person, diagnostic_id__in=ids).values_list(
            "diagnostic_id", flat=True
        )
    )
    briefings = _latest(
        list(
            Briefing.objects.filter(diagnostic_id__in=ids).values_list(
                "diagnostic_id", "pk", "version"
            )
        )
    )
    acknowledged = set(
        BriefingAcknowledgement.objects.filter(
            person=person, briefing_id__in=[b[1] for b in briefings.values()]
        ).values_list("briefing_id", flat=True)
    )
    agreements = _latest(
        list(
            ConfidentialityAgreement.objects.filter(diagnostic_id__in=ids).values_list(
                "diagnostic_id", "pk", "version", "text_sha256"
            )
        )
    )
    signed = set(
        Signature.objects.filter(
            person=person, agreement_id__in=[a[1] for a in agreements.values()]
        ).values_list("agreement_id", "text_sha256")
    )
    out = []
    for m in places:
        d = m.diagnostic
        if d.pk not in declared and d.stage in DECLARING:
            out.append(_todo(d, "Declare your interests", "web:declaration", today, source="peer"))
        briefing = briefings.get(d.pk)
        if briefing and briefing[1] not in acknowledged:
            out.append(
                _todo(d, "Read and acknowledge the briefing", "web:briefing", today, source="peer")
            )
        agreement = agreements.get(d.pk)
        if d.confidentiality_required and agreement and (agreement[1], agreement[3]) not in signed:
            out.append(
                _todo(
                    d,
                    "Sign the confidentiality agreement",
                    "web:confidentiality",
                    today,
                    source="peer",
                )
            )
    out += _notes_today(places, today)
    out += _board_approvals(places, today)
    return out


def _notes_today(places: list[TeamMember], today: date) -> list[Todo]:
    """Sessions of today (a delivery day) the peer is placed in, with no note saved yet."""
    days = {}
    for m in places:
        d = m.diagnostic
        if d.stage == Stage.DELIVERY and d.day1 is not None:
            dates = delivery_days(d.day1)
            if today in dates:
                days[m.pk] = (d, dates.index(today) + 1)
    if not days:
        return []
    which = Q()
    for member_id, (d, n) in days.items():
        which |= Q(diagnostic_id=d.pk, day=n, peers=member_id)
    sessions = list(
        Session.objects.filter(which)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("start", "pk")
        .distinct()
    )
    written = set(
        EvidenceNote.objects.filter(
            author_id__in=list(days), session__in=sessions, revision__gt=0
        ).values_list("session_id", flat=True)
    )
    by_diagnostic = {d.pk: d for d, _ in days.values()}
    out = []
    for s in sessions:
        if s.pk in written:
            continue
        when = f" at {s.start:%H:%M}" if s.start else ""
        out.append(
            _todo(
                by_diagnostic[s.diagnostic_id],
                f"Write up your notes of today's session{when}: {s.title}",
                "web:session_note",
                today,
                due=today,
                source="peer",
                kwargs={"code": s.code},
            )
        )
    return out


def _board_approvals(places: list[TeamMember], today: date) -> list[Todo]:
    """For the lead peer while drafting: findings and recommendations not yet approved."""
    drafting = {
        m.diagnostic_id: m.diagnostic
        for m in places
        if m.role == TeamRole.LEAD_PEER and m.diagnostic.stage == Stage.DRAFTING
    }
    if not drafting:
        return []
    waiting: dict[int, int] = defaultdict(int)
    for model in (Finding, Recommendation):
        for row in (
            model.objects.filter(diagnostic_id__in=list(drafting), approved_at__isnull=True)
            .values("diagnostic_id")
            .annotate(n=Count("pk"))
        ):
            waiting[row["diagnostic_id"]] += row["n"]
    return [
        _todo(
            drafting[pk],
            f"Approve {n} item{'s' if n != 1 else ''} on the drafting board",
            "web:drafting_board",
            today,
            source="peer",
        )
        for pk, n in waiting.items()
        if n
    ]


# Case auditors --------------------------------------------------------------------------------


def _auditor_todos(person: Any, today: date) -> list[Todo]:
    cases = (
        SampledCase.objects.filter(
            auditor__person=person,
            released_at__isnull=False,
            review__diagnostic__stage__in=OPEN_STAGES,
        )
        .exclude(audit__status=AuditStatus.DONE)
        .select_related("review__diagnostic__host_council")
        .order_by("review__diagnostic__reference", "pk")
    )
    return [
        _todo(
            c.review.diagnostic,
            f"Finish the audit of case {c.code}",
            "web:casereview_case",
            today,
            source="auditor",
            kwargs={"code": c.code},
        )
        for c in cases
    ]


# The host council -----------------------------------------------------------------------------


def _council_todos(user: Any, person: Any, today: date) -> list[Todo]:
    diagnostics = list(
        Diagnostic.objects.filter(host_council_id=person.organisation_id, stage__in=OPEN_STAGES)
        .select_related("host_council", "scoping")
        .order_by("reference")
    )
    if not diagnostics:
        return []
    ids = [d.pk for d in diagnostics]
    mine: dict[int, set[str]] = defaultdict(set)
    for diagnostic_id, role in CouncilRole.objects.filter(
        person=person, diagnostic_id__in=ids
    ).values_list("diagnostic_id", "role"):
        mine[diagnostic_id].add(role)
    requested: dict[int, list[DocumentRequest]] = defaultdict(list)
    for r in DocumentRequest.objects.filter(diagnostic_id__in=ids).only(
        "diagnostic_id", "status", "due_on"
    ):
        requested[r.diagnostic_id].append(r)
    versions = _latest(
        list(
            TimetableVersion.objects.filter(diagnostic_id__in=ids).values_list(
                "diagnostic_id", "pk", "number", "agreed_at"
            )
        )
    )
    out: list[Todo] = []
    for a in council_asks(user, today=today):
        d = a.diagnostic
        # Specific document requests and timetable versions replace the general asks.
        general = a.url_name == "web:diagnostic_overview"
        if general and "key documents" in a.text and requested[d.pk]:
            continue
        if general and "timetable" in a.text and d.pk in versions:
            continue
        out.append(Todo(a.text, d, a.url_name, {"ref": d.reference}, a.due, a.overdue, "council"))
    out += _scope_asks(diagnostics, mine, today)
    out += _sharing_asks(diagnostics, mine, today)
    for d in diagnostics:
        out += _document_asks(d, requested[d.pk], today)
        version = versions.get(d.pk)
        roles = mine[d.pk]
        if (
            version
            and version[3] is None
            and d.stage in TIMETABLING
            and roles & {CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER}
        ):
            out.append(
                _todo(
                    d,
                    f"Agree version {version[2]} of the timetable",
                    "web:timetable_versions",
                    today,
                    source="council",
                )
            )
    out += _attendee_asks(diagnostics, mine, today)
    out += _factual_check_asks(diagnostics, today)
    out += _survey_asks(person, ids, {d.pk: d for d in diagnostics}, today)
    return out


def _scope_asks(
    diagnostics: list[Diagnostic], mine: dict[int, set[str]], today: date
) -> list[Todo]:
    """The sponsor confirms the scope once the scoping meeting is held, and again after a change
    (the gates out of scoping and into delivery ask for it)."""
    due = []
    for d in diagnostics:
        scoping = getattr(d, "scoping", None)
        held = scoping is not None and scoping.held_on is not None and scoping.held_on <= today
        if d.stage in CONFIRMABLE and held and CouncilRoleKind.SPONSOR in mine[d.pk]:
            due.append(d)
    if not due:
        return []
    ids = [d.pk for d in due]
    kloes: dict[int, list[str]] = defaultdict(list)
    for diagnostic_id, text in (
        Kloe.objects.filter(diagnostic_id__in=ids)
        .order_by("diagnostic_id", "order")
        .values_list("diagnostic_id", "text")
    ):
        kloes[diagnostic_id].append(text.strip())
    latest: dict[int, ScopeConfirmation] = {}
    for answer in ScopeConfirmation.objects.filter(diagnostic_id__in=ids).order_by("-at", "-id"):
        latest.setdefault(answer.diagnostic_id, answer)
    out = []
    for d in due:
        now = Scope(d.focus_statement.strip(), tuple(kloes[d.pk]), d.case_review_in_scope)
        last = latest.get(d.pk)
        if last is None:
            text = "Confirm the scope: the focus, key lines of enquiry and case review"
        elif last.fingerprint == now.fingerprint:
            # Confirmed and current, or changes asked for and not made yet (the PCM acts next).
            continue
        elif last.decision == ScopeDecision.CONFIRMED:
            text = "The scope changed after you confirmed it: confirm it again"
        else:
            text = "The scope was changed after you asked: confirm it or ask for more changes"
        out.append(_todo(d, text, "web:scope", today, source="council"))
    return out


def _sharing_asks(
    diagnostics: list[Diagnostic], mine: dict[int, set[str]], today: date
) -> list[Todo]:
    """The organiser proposes how the council shares its cases (and again when asked)."""
    ids = [
        d.pk
        for d in diagnostics
        if d.case_review_in_scope and d.stage in SHARING and CouncilRoleKind.ORGANISER in mine[d.pk]
    ]
    if not ids:
        return []
    states = dict(
        CaseSharing.objects.filter(review__diagnostic_id__in=ids).values_list(
            "review__diagnostic_id", "state"
        )
    )
    started = set(
        CaseReview.objects.filter(diagnostic_id__in=ids).values_list("diagnostic_id", flat=True)
    )
    out = []
    for d in diagnostics:
        if d.pk not in started:
            continue
        state = states.get(d.pk, SharingState.NOT_PROPOSED)
        if state == SharingState.NOT_PROPOSED:
            text = "Propose how the council will share its cases"
        elif state == SharingState.ASKED_AGAIN:
            text = "The peer challenge manager asked again: propose how you will share the cases"
        else:
            continue
        out.append(_todo(d, text, "web:casereview_sharing", today, source="council"))
    return out


def _document_asks(d: Diagnostic, asks: list[DocumentRequest], today: date) -> list[Todo]:
    out = []
    for status, what in (
        (RequestStatus.REQUESTED, "Send {n} requested key document{s}"),
        (RequestStatus.RETURNED, "Send a new version of {n} returned key document{s}"),
    ):
        rows = [r for r in asks if r.status == status]
        if not rows:
            continue
        dates = [r.due_on for r in rows if r.due_on]
        n = len(rows)
        out.append(
            _todo(
                d,
                what.format(n=n, s="s" if n != 1 else ""),
                "web:document_list",
                today,
                due=min(dates) if dates else None,
                source="council",
            )
        )
    return out


def _attendee_asks(
    diagnostics: list[Diagnostic], mine: dict[int, set[str]], today: date
) -> list[Todo]:
    """The organiser lists who the team should meet, so the timetable can be filled."""
    ids = [
        d.pk
        for d in diagnostics
        if d.stage in (Stage.TEAM_FORMING, Stage.PREPARATION)
        and CouncilRoleKind.ORGANISER in mine[d.pk]
    ]
    if not ids:
        return []
    listed = set(
        Attendee.objects.filter(diagnostic_id__in=ids).values_list("diagnostic_id", flat=True)
    )
    return [
        _todo(
            d,
            "List the people the peer team should meet",
            "web:attendees",
            today,
            source="council",
        )
        for d in diagnostics
        if d.pk in ids and d.pk not in listed
    ]


def _factual_check_asks(diagnostics: list[Diagnostic], today: date) -> list[Todo]:
    ids = [d.pk for d in diagnostics if d.stage == Stage.FEEDBACK_GIVEN]
    if not ids:
        return []
    waiting = set(
        WrittenFeedback.objects.filter(
            diagnostic_id__in=ids,
            state=WrittenState.COUNCIL_CHECK,
            council_returned_at__isnull=True,
        ).values_list("diagnostic_id", flat=True)
    )
    return [
        _todo(
            d,
            "Check the draft written feedback for factual accuracy, then say you have finished",
            "web:written_feedback",
            today,
            source="council",
        )
        for d in diagnostics
        if d.pk in waiting
    ]


def _survey_asks(
    person: Any, ids: list[int], by_pk: dict[int, Diagnostic], today: date
) -> list[Todo]:
    surveys = Survey.objects.filter(
        respondent=person, diagnostic_id__in=ids, sent_at__isnull=False, completed_at__isnull=True
    ).only("diagnostic_id", "token")
    return [
        _todo(
            by_pk[s.diagnostic_id],
            "Answer the evaluation survey",
            "web:survey",
            today,
            source="council",
            kwargs={"token": s.token},
        )
        for s in surveys
    ]


# The peer challenge manager ---------------------------------------------------------------------


def _manager_todos(places: list[TeamMember], today: date) -> list[Todo]:
    managed = [
        m.diagnostic
        for m in places
        if m.role == TeamRole.PEER_CHALLENGE_MANAGER and m.diagnostic.stage in OPEN_STAGES
    ]
    if not managed:
        return []
    status = {
        d.pk: d
        for d in with_survey_status(Diagnostic.objects.filter(pk__in=[d.pk for d in managed]))
    }
    out = []
    for d in managed:
        for text in overdue_items(d, today) + survey_overdue_items(status[d.pk], today):
            out.append(
                _todo(d, text, "web:diagnostic_overview", today, source="overdue", overdue=True)
            )
        for to in next_stages(d):
            for b in gate_blockers(d, to, today=today):
                url_name = FIX_PAGES.get(b.fix) or OTHER_FIX_PAGES.get(
                    b.fix, "web:diagnostic_overview"
                )
                out.append(_todo(d, b.message, url_name, today, source="gate", code=b.code))
    return out


# Everyone ---------------------------------------------------------------------------------------


def _admin_todos(user: Any, today: date) -> list[Todo]:
    if not user.is_staff:
        return []
    out = []
    for r in requests_for_user(user):
        d = r.diagnostic
        out.append(
            _todo(
                d,
                f"Answer {d.host_council.name}'s request for a diagnostic",
                "web:council_request",
                today,
                due=contact_by(timezone.localdate(r.created_at)),
                source="admin",
            )
        )
    return out


def _account_todos(user: Any, today: date) -> list[Todo]:
    """Two-factor set-up. The pages send such a person to set it up before anything else
    (accounts/middleware.py), so this shows where the list is read outside the pages."""
    if two_factor_required(user) and not has_second_factor(user):
        return [
            _todo(
                None,
                "Set up two-factor sign-in for your account",
                "web:two_factor_setup",
                today,
                source="account",
            )
        ]
    return []


def todos_for(user: Any, *, today: date) -> list[Todo]:
    """Every open ask of `user`, overdue first, then by due date (undated last), then by
    diagnostic. Only what the user may see: a council user reads their own council's asks only.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    out = _account_todos(user, today) + _admin_todos(user, today)
    person = getattr(user, "person", None)
    if person is not None:
        places = list(
            TeamMember.objects.filter(person=person, diagnostic__stage__in=OPEN_STAGES)
            # The scoping meeting comes along: the PCM's gate checks read it.
            .select_related("diagnostic__host_council", "diagnostic__scoping")
            .order_by("diagnostic__reference")
        )
        out += _peer_todos(person, places, today)
        out += _auditor_todos(person, today)
        if person.organisation.is_council:
            out += _council_todos(user, person, today)
        out += _manager_todos(places, today)
    order = {id(t): i for i, t in enumerate(out)}
    return sorted(
        out,
        key=lambda t: (
            not t.overdue,
            t.due is None,
            t.due or date.max,
            t.diagnostic.reference if t.diagnostic else "",
            order[id(t)],
        ),
    )
