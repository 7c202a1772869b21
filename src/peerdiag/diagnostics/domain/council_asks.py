"""What a host council still has to do for its open diagnostics: the council's home page list.

Read-only. Only the user's own council's diagnostics, and only what the council may see: how
many peers await its decision, never who declared what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q

from peerdiag.common.workdays import add_working_days

from ..enums import (
    MAIN_LINE,
    OPEN_STAGES,
    CouncilDecision,
    EndorsementStatus,
    EndorserRole,
    Stage,
    TeamRole,
)
from ..models import ConfidentialityAgreement, Diagnostic, Endorsement
from .keydates import key_dates


@dataclass(frozen=True)
class Ask:
    diagnostic: Diagnostic
    text: str
    due: date | None
    url_name: str
    overdue: bool


def _reached(stage: str, limit: Stage) -> bool:
    """At `limit` or beyond it on the main line (a postponed diagnostic has reached nothing)."""
    return stage in MAIN_LINE and MAIN_LINE.index(Stage(stage)) >= MAIN_LINE.index(limit)


def _council_diagnostics(user: Any) -> list[Diagnostic]:
    person = getattr(user, "person", None)
    if person is None or not person.organisation.is_council:
        return []
    given = Endorsement.objects.filter(diagnostic=OuterRef("pk"), status=EndorsementStatus.GIVEN)
    peers = ~Q(team__role=TeamRole.PEER_CHALLENGE_MANAGER)
    return list(
        Diagnostic.objects.filter(host_council_id=person.organisation_id, stage__in=OPEN_STAGES)
        .annotate(
            peers=Count("team", filter=peers, distinct=True),
            pending=Count(
                "team",
                filter=peers & Q(team__council_decision=CouncilDecision.PENDING),
                distinct=True,
            ),
            has_agreement=Exists(
                ConfidentialityAgreement.objects.filter(diagnostic=OuterRef("pk"))
            ),
            lead_member_given=Exists(given.filter(role=EndorserRole.LEAD_MEMBER)),
            chief_executive_given=Exists(given.filter(role=EndorserRole.CHIEF_EXECUTIVE)),
        )
        .order_by(F("day1").asc(nulls_last=True), "reference")
    )


def _asks_for(d: Any, today: date) -> list[Ask]:
    dates = {kd.key: kd.start for kd in key_dates(d)}

    def ask(text: str, url_name: str, due: date | None = None) -> Ask:
        return Ask(d, text, due, url_name, overdue=due is not None and due < today)

    out = []
    if d.pending:
        n = d.pending
        out.append(
            ask(f"Approve or object to {n} proposed peer{'s' if n > 1 else ''}", "web:team_review")
        )
    # Peers may not see documents before the agreement is settled (R38): due with the documents.
    if d.peers or _reached(d.stage, Stage.TEAM_FORMING):
        if d.confidentiality_required is None:
            out.append(
                ask(
                    "Decide whether peers must sign a confidentiality agreement",
                    "web:confidentiality",
                    dates.get("documents_due"),
                )
            )
        elif d.confidentiality_required and not d.has_agreement:
            out.append(
                ask(
                    "Supply the text of the confidentiality agreement",
                    "web:confidentiality",
                    dates.get("documents_due"),
                )
            )
    if _reached(d.stage, Stage.SCOPED) and not _reached(d.stage, Stage.DELIVERY):
        day_before = add_working_days(d.day1, -1) if d.day1 else None
        for role, given in (
            (EndorserRole.LEAD_MEMBER, d.lead_member_given),
            (EndorserRole.CHIEF_EXECUTIVE, d.chief_executive_given),
        ):
            if not given:
                out.append(
                    ask(
                        f"Get the {role.label.lower()}'s endorsement before delivery day 1",
                        "web:council_roles",
                        day_before,
                    )
                )
    if d.day1 and not _reached(d.stage, Stage.READY):
        out.append(
            ask(
                "Send the key documents to the peer challenge manager",
                "web:diagnostic_overview",
                dates["documents_due"],
            )
        )
        out.append(
            ask(
                "Agree the timetable with the peer challenge manager",
                "web:diagnostic_overview",
                dates["timetable_due"],
            )
        )
    return out


def council_asks(user: Any, *, today: date) -> list[Ask]:
    """What `user`'s council still has to do, diagnostic by diagnostic (soonest day 1 first).

    Empty for anyone who does not work for a council. A fixed number of queries.
    """
    return [a for d in _council_diagnostics(user) for a in _asks_for(d, today)]
