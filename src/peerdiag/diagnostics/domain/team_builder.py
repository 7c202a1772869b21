"""Suggest peers for a role on a diagnostic, ranked by fit, each with the reasons why.

Fit: expertise that matches the key lines of enquiry and the type of diagnostic; fewer
diagnostics in the last twelve months; recent training. A blocking conflict removes a peer;
the same region is a warning and costs a little. The PCM chooses; nothing is added here.
Peers left out by a conflict are listed apart (`excluded_peers`), each with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from peerdiag.directory.enums import LEAD_SENIORITY, Expertise
from peerdiag.directory.models import PeerProfile, PeerRecentWork

from ..enums import DiagnosticType, TeamRole
from ..models import Diagnostic
from .conflicts import LOOK_BACK, conflicts_for_many

KEYWORDS: dict[str, tuple[str, ...]] = {
    Expertise.SAFEGUARDING: ("safeguard", "risk", "harm"),
    Expertise.SEND: ("send", "ehc", "special educational", "disab"),
    Expertise.EARLY_YEARS: ("early years", "language", "communication", "setting"),
    Expertise.EARLY_HELP: ("early help", "family hub", "children's centre"),
    Expertise.FRONT_DOOR: ("front door", "mash", "threshold", "referral", "contact"),
    Expertise.CHILD_PROTECTION: ("protection", "s47", "child in need", "children in need"),
    Expertise.CHILDREN_IN_CARE: ("in care", "permanence", "corporate parent", "placement"),
    Expertise.CARE_LEAVERS: ("care leaver", "leaving care", "adulthood"),
    Expertise.QUALITY_ASSURANCE: ("quality", "audit", "oversight", "supervision"),
    Expertise.WORKFORCE: ("workforce", "caseload", "capacity", "recruit"),
    Expertise.PARTNERSHIPS: ("partner", "police", "health", "school"),
    Expertise.LEADERSHIP: ("leader", "governance", "strategy"),
    Expertise.YOUTH_JUSTICE: ("exploitation", "youth justice", "adolescent"),
    Expertise.COMMISSIONING: ("commission", "sufficiency", "provision", "local offer"),
}
TYPE_EXPERTISE = {
    DiagnosticType.SAFEGUARDING: Expertise.SAFEGUARDING,
    DiagnosticType.SEND: Expertise.SEND,
    DiagnosticType.EARLY_YEARS: Expertise.EARLY_YEARS,
}


@dataclass
class Suggestion:
    profile: PeerProfile
    score: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def person(self):  # type: ignore[no-untyped-def]
        return self.profile.person


def _areas_for(text: str) -> set[str]:
    lowered = text.lower()
    return {area for area, words in KEYWORDS.items() if any(w in lowered for w in words)}


@dataclass
class Excluded:
    """A peer who fits the role but is left out by a blocking conflict, and why."""

    profile: PeerProfile
    reasons: list[str] = field(default_factory=list)

    @property
    def person(self):  # type: ignore[no-untyped-def]
        return self.profile.person


def _barred(diagnostic: Diagnostic, today: date) -> set[int]:
    """Ids of people who worked for the host lately or declared work for it (blocked)."""
    return set(
        PeerRecentWork.objects.filter(council=diagnostic.host_council_id)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today - LOOK_BACK))
        .values_list("profile__person_id", flat=True)
    ) | set(
        diagnostic.conflict_declarations.filter(worked_for_host=True).values_list(
            "person_id", flat=True
        )
    )


def _candidates(diagnostic: Diagnostic, role: str) -> QuerySet[PeerProfile]:
    """Active bench profiles offering `role` (and senior enough to lead), not on the team."""
    profiles = (
        PeerProfile.objects.filter(active=True, roles__icontains=f'"{role}"')
        .exclude(person_id__in=diagnostic.team.values_list("person_id", flat=True))
        .select_related("person__organisation")
    )
    if role == TeamRole.LEAD_PEER:
        profiles = profiles.filter(seniority__in=LEAD_SENIORITY)
    return profiles


def excluded_peers(
    diagnostic: Diagnostic, role: str, *, today: date | None = None
) -> list[Excluded]:
    """Peers who would be candidates for `role` but for a conflict of interest, each with the
    reasons (from conflicts.py: the host council, recent work there, their declaration).
    A fixed number of queries whatever the number of peers."""
    if role == TeamRole.CASE_AUDITOR and not diagnostic.case_review_in_scope:
        return []
    today = today or timezone.localdate()
    profiles = list(
        _candidates(diagnostic, role)
        .filter(
            Q(person__organisation=diagnostic.host_council_id)
            | Q(person_id__in=_barred(diagnostic, today))
        )
        .prefetch_related("expertise")
        .order_by("person__full_name", "pk")
    )
    if not profiles:
        return []
    found = conflicts_for_many(diagnostic, [p.person for p in profiles], today=today)
    return [
        Excluded(profile=p, reasons=found[p.person_id].blocked)
        for p in profiles
        if found[p.person_id].blocked
    ]


def suggest_peers(
    diagnostic: Diagnostic, role: str, *, today: date | None = None, limit: int = 10
) -> list[Suggestion]:
    today = today or timezone.localdate()
    year_ago = today - timedelta(days=365)
    host = diagnostic.host_council
    kloe_areas = [(k.order, _areas_for(f"{k.theme} {k.text}")) for k in diagnostic.kloes.all()]
    profiles = (
        _candidates(diagnostic, role)
        .exclude(person__organisation=host)
        .exclude(person_id__in=_barred(diagnostic, today))
        .prefetch_related("expertise")
        .annotate(
            recent=Count(
                "person__team_places",
                filter=Q(person__team_places__created_at__date__gte=year_ago),
                distinct=True,
            )
        )
    )
    if role == TeamRole.CASE_AUDITOR and not diagnostic.case_review_in_scope:
        return []  # case auditors join only a team with a case review
    out = []
    for profile in profiles:
        areas = {e.area for e in profile.expertise.all()}
        score, reasons, warnings = 0, [], []
        matched = [order for order, wanted in kloe_areas if wanted & areas]
        if matched:
            score += 10 * len(matched)
            names = ", ".join(str(n) for n in matched)
            reasons.append(
                f"Expertise fits key line{'s' if len(matched) > 1 else ''} of enquiry {names}"
            )
        wanted_type = TYPE_EXPERTISE.get(DiagnosticType(diagnostic.type))
        if wanted_type and wanted_type in areas:
            score += 5
            reasons.append(f"Knows {Expertise(wanted_type).label.lower()}")
        recent = profile.recent  # type: ignore[attr-defined]
        score -= 3 * recent
        reasons.append(
            "No diagnostics in the last 12 months"
            if recent == 0
            else f"{recent} diagnostic{'s' if recent > 1 else ''} in the last 12 months"
        )
        if profile.trained_on and profile.trained_on >= today - timedelta(days=2 * 365):
            score += 1
            reasons.append(f"Trained in {profile.trained_on:%B %Y}")
        if host.region and profile.person.organisation.region == host.region:
            score -= 2
            warnings.append(f"Same region as the host ({host.get_region_display()})")
        out.append(Suggestion(profile=profile, score=score, reasons=reasons, warnings=warnings))
    out.sort(key=lambda s: (-s.score, s.profile.person.full_name))
    return out[:limit]
