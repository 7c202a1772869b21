"""The peer team's gate conditions, registered as the 'team' capability (see capabilities.py)."""

from __future__ import annotations

from ..enums import CouncilDecision, Stage, TeamRole
from ..models import Diagnostic
from .access import access_holders, clearances
from .capabilities import Blocker, register_capability
from .conflicts import conflicts_for_many


def team_blockers(diagnostic: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage == Stage.PREPARATION:
        return _forming_done(diagnostic)
    if to_stage == Stage.DELIVERY:
        return _access_only_for_cleared(diagnostic)
    return []


def _forming_done(d: Diagnostic) -> list[Blocker]:
    out = []
    members = list(d.team.select_related("person__organisation", "person__peer_profile"))
    for m in members:
        if m.role == TeamRole.LEAD_PEER:
            profile = getattr(m.person, "peer_profile", None)
            if profile is None or not profile.may_lead:
                out.append(
                    Blocker(
                        "team.lead_seniority",
                        f"{m.person} is not a director or assistant director",
                        "team",
                    )
                )
    # The council approves the peers; the PCM is the LGA's own officer.
    peers = [m for m in members if m.role != TeamRole.PEER_CHALLENGE_MANAGER]
    pending = [m for m in peers if m.council_decision == CouncilDecision.PENDING]
    objected = [m for m in peers if m.council_decision == CouncilDecision.OBJECTED]
    if pending:
        names = ", ".join(str(m.person) for m in pending)
        out.append(
            Blocker("team.council_pending", f"The council has not yet approved {names}", "team")
        )
    for m in objected:
        out.append(
            Blocker(
                "team.council_objected", f"The council objected to {m.person}: replace them", "team"
            )
        )
    declared = set(d.conflict_declarations.values_list("person_id", flat=True))
    conflicts = conflicts_for_many(d, [m.person for m in peers])
    for m in peers:
        if m.person_id not in declared:
            out.append(
                Blocker("team.declaration", f"{m.person} has not declared their interests", "team")
            )
        for reason in conflicts[m.person_id].blocked:
            out.append(Blocker("team.conflict", reason, "team"))
    briefed = d.briefings.exists()
    if not briefed:
        out.append(Blocker("team.briefing", "Issue the Peer Team Briefing", "briefing"))
    if d.confidentiality_required is None:
        out.append(
            Blocker(
                "team.confidentiality_decision",
                "The council must say whether peers sign a confidentiality agreement",
                "confidentiality",
            )
        )
    cleared = clearances(d)
    for m in members:
        c = cleared.get(m.person_id)
        if c and not c.cleared and briefed and d.confidentiality_required is not None:
            out.append(
                Blocker(
                    "team.not_cleared", f"{m.person}: {'; '.join(c.missing).lower()}", "briefing"
                )
            )
    return out


def _access_only_for_cleared(d: Diagnostic) -> list[Blocker]:
    out = []
    holders = access_holders(d)
    for person_id, c in clearances(d).items():
        if person_id in holders and not c.cleared:
            out.append(
                Blocker(
                    "team.access_not_cleared",
                    "Someone holds data access without clearance",
                    "access",
                )
            )
    return out


def register() -> None:
    register_capability("team", team_blockers)
