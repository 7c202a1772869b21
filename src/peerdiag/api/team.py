"""The peer team over HTTP: who is on it, the council's say, and each peer's own steps.

As in diagnostics.py, every view fetches the diagnostic through `get_diagnostic_for_user` with
the permission it needs (404 to outsiders, 403 to readers who may not act) and changes
anything only through the domain functions. Reads that cover the whole team run a fixed
number of queries however many people are on it.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest
from ninja import PathEx, Router, Status
from ninja.params import P

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import people
from peerdiag.diagnostics.domain.access import (
    clearance_for,
    clearances,
    current_agreement,
    latest_events,
)
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, sign_agreement
from peerdiag.diagnostics.domain.conflicts import declare_interests
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.domain.team_builder import suggest_peers
from peerdiag.diagnostics.enums import AccessEvent, CouncilDecision, TeamRole
from peerdiag.diagnostics.models import (
    BriefingAcknowledgement,
    Diagnostic,
    Signature,
    TeamMember,
)
from peerdiag.directory.enums import PeerRoleOffer, Seniority
from peerdiag.directory.models import Person

from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    SAME_REF,
    WRITE_ERRORS,
    Code,
    IfVersion,
    Ref,
    caller,
    links,
)
from .schemas.common import Message
from .schemas.team import (
    AcknowledgementOut,
    ConfidentialityIn,
    ConfidentialityOut,
    DataAccessOut,
    DecisionIn,
    DeclarationIn,
    DeclarationOut,
    ProposedPeerOut,
    SignatureIn,
    SignedOut,
    SuggestionOut,
    TeamMemberCreate,
    TeamMemberOut,
    TeamMemberPatch,
    TeamOut,
)

router = Router(tags=["team"])

VIEW_INTERNAL = "diagnostics.view_internal"
MANAGE_TEAM = "diagnostics.manage_team"
DECIDE = "diagnostics.decide_on_peers"
SET_CONFIDENTIALITY = "diagnostics.set_confidentiality"
ACT_AS_PEER = "diagnostics.act_as_peer"
NOT_A_PEER = "Only a member of the peer team does this, and only for themself"

# Reads of the team's internal records are refused (403) to the council, who may see the
# diagnostic itself.
INTERNAL_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: Message}

D = "/diagnostics/{ref}"
NEW_MEMBER = {"ref": SAME_REF, "code": "$response.body#/code"}


def _member(d: Diagnostic, code: str) -> TeamMember:
    # Through the diagnostic's manager, so a code from another diagnostic is a 404 and
    # member.diagnostic is the permission-checked object.
    member = d.team.select_related("person__organisation").filter(code=code).first()
    if member is None:
        raise Http404("No such team member")
    return member


def _me(user: User, d: Diagnostic) -> Person:
    """The caller's own person, if they are on this team (a superuser holds every permission,
    so the permission alone does not prove it)."""
    person = getattr(user, "person", None)
    if person is None or not d.team.filter(person_id=person.pk).exists():
        raise PermissionDenied(NOT_A_PEER)
    return person


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label)


def _person_brief(person: Person) -> dict[str, str]:
    return {"code": person.code, "full_name": person.full_name}


def _clearance(c: Any) -> dict[str, Any]:
    return {"cleared": c.cleared, "missing": list(c.missing)}


# --- The team (LGA and the team itself) ---------------------------------------------------


def _members(d: Diagnostic, only: TeamMember | None = None) -> list[dict[str, Any]]:
    """Each member's place and progress, in a fixed number of queries."""
    members = [only] if only else list(d.team.select_related("person__organisation"))
    ids = [m.person_id for m in members]
    declarations = {c.person_id: c for c in d.conflict_declarations.filter(person_id__in=ids)}
    acknowledged = dict(
        BriefingAcknowledgement.objects.filter(briefing__diagnostic=d, person_id__in=ids)
        .values("person_id")
        .annotate(version=Max("briefing__version"))
        .values_list("person_id", "version")
    )
    agreement = current_agreement(d)
    signed = set(
        Signature.objects.filter(
            agreement=agreement, text_sha256=agreement.text_sha256, person_id__in=ids
        ).values_list("person_id", flat=True)
        if agreement is not None
        else []
    )
    cleared = clearances(d)
    out = []
    for m in members:
        declaration = declarations.get(m.person_id)
        out.append(
            {
                "code": m.code,
                "role": m.role,
                "role_label": _label(TeamRole, m.role),
                "person": m.person,
                "council_decision": m.council_decision,
                "council_decision_label": _label(CouncilDecision, m.council_decision),
                "council_reason": m.council_reason,
                "council_decided_at": m.council_decided_at,
                "continues_to_delivery": m.continues_to_delivery,
                "declaration": None
                if declaration is None
                else {
                    "worked_for_host": declaration.worked_for_host,
                    "details": declaration.details,
                    "declared_at": declaration.declared_at,
                },
                "briefing_acknowledged_version": acknowledged.get(m.person_id),
                "signed": m.person_id in signed,
                "clearance": _clearance(cleared[m.person_id]),
                "version": m.version,
            }
        )
    return out


@router.get(
    D + "/team",
    response={200: TeamOut, **INTERNAL_ERRORS},
    url_name="team_list",
    operation_id="listTeam",
    summary="The peer team, each member's council decision, declaration and clearance",
)
def team_list(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=VIEW_INTERNAL)
    agreement = current_agreement(d)
    return {
        "briefing_version": d.briefings.aggregate(v=Max("version"))["v"],
        "confidentiality_required": d.confidentiality_required,
        "agreement_version": agreement.version if agreement is not None else None,
        "members": _members(d),
    }


@router.post(
    D + "/team",
    response={201: TeamMemberOut, **WRITE_ERRORS},
    url_name="team_create",
    operation_id="addTeamMember",
    summary="Put a person on the peer team in a role",
    openapi_extra=links(
        201,
        updateTeamMember=NEW_MEMBER,
        removeTeamMember=NEW_MEMBER,
        decideOnPeer=NEW_MEMBER,
    ),
)
def team_create(request: HttpRequest, ref: Ref, payload: TeamMemberCreate) -> Any:
    """Refused (400) for someone from the host council or with a conflict of interest, a
    second lead peer or PCM, a case auditor without a case review, or a lead peer who is not
    a director or assistant director on the bench."""
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=MANAGE_TEAM)
    person = Person.objects.select_related("organisation").filter(code=payload.person).first()
    if person is None:
        raise DomainError("No person has this code", field="person")
    member = people.add_team_member(d, by=user, person=person, role=payload.role)
    return Status(201, _members(d, only=member)[0])


@router.get(
    D + "/team/suggestions/{role}",
    response={200: list[SuggestionOut], **INTERNAL_ERRORS},
    url_name="team_suggestions",
    operation_id="suggestPeers",
    summary="Bench peers who could fill a role, best fit first, with the reasons",
)
def team_suggestions(
    request: HttpRequest, ref: Ref, role: PathEx[PeerRoleOffer, P(description="A peer role")]
) -> Any:
    """Up to ten; people with a blocking conflict or already on the team are left out."""
    d = get_diagnostic_for_user(caller(request), ref, perm=MANAGE_TEAM)
    return [
        {
            "person": s.profile.person,
            "seniority": s.profile.seniority,
            "seniority_label": _label(Seniority, s.profile.seniority),
            "expertise": [e.area for e in s.profile.expertise.all()],
            "trained_on": s.profile.trained_on,
            "score": s.score,
            "reasons": s.reasons,
            "warnings": s.warnings,
        }
        for s in suggest_peers(d, role)
    ]


@router.patch(
    D + "/team/{code}",
    response={200: TeamMemberOut, **EDIT_ERRORS},
    url_name="team_update",
    operation_id="updateTeamMember",
    summary="Say whether a case auditor carries on into delivery",
)
def team_update(request: HttpRequest, ref: Ref, code: Code, payload: TeamMemberPatch) -> Any:
    user = caller(request)
    member = _member(get_diagnostic_for_user(user, ref, perm=MANAGE_TEAM), code)
    given = payload.model_dump(exclude_unset=True)
    if "continues_to_delivery" in given:
        member = people.set_continues_to_delivery(
            member, by=user, continues=given["continues_to_delivery"], version=payload.version
        )
    return _members(member.diagnostic, only=member)[0]


@router.delete(
    D + "/team/{code}",
    response={204: None, **EDIT_ERRORS},
    url_name="team_delete",
    operation_id="removeTeamMember",
    summary="Take someone off the peer team",
)
def team_delete(request: HttpRequest, ref: Ref, code: Code, version: IfVersion = None) -> Any:
    """Their data access is revoked at once if they held it. With `?version=`, only if the
    place has not changed since (else 409)."""
    user = caller(request)
    people.remove_team_member(
        _member(get_diagnostic_for_user(user, ref, perm=MANAGE_TEAM), code),
        by=user,
        version=version,
    )
    return Status(204, None)


# --- What the council sees and decides ----------------------------------------------------


def _proposed(m: TeamMember) -> dict[str, Any]:
    profile = getattr(m.person, "peer_profile", None)
    return {
        "code": m.code,
        "role": m.role,
        "role_label": _label(TeamRole, m.role),
        "person": m.person,
        "seniority": profile.seniority if profile else None,
        "seniority_label": _label(Seniority, profile.seniority) if profile else "",
        "summary": profile.summary if profile else "",
        "expertise": [e.area for e in profile.expertise.all()] if profile else [],
        "council_decision": m.council_decision,
        "council_decision_label": _label(CouncilDecision, m.council_decision),
        "council_reason": m.council_reason,
        "council_decided_at": m.council_decided_at,
        "version": m.version,
    }


def _proposed_peers(d: Diagnostic) -> Any:
    # The PCM is the LGA's own officer, not a peer the council approves.
    return (
        d.team.exclude(role=TeamRole.PEER_CHALLENGE_MANAGER)
        .select_related("person__organisation", "person__peer_profile")
        .prefetch_related("person__peer_profile__expertise")
    )


@router.get(
    D + "/proposed-peers",
    response={200: list[ProposedPeerOut], **READ_ERRORS},
    url_name="proposed_peer_list",
    operation_id="listProposedPeers",
    summary="The peers proposed to the council, with their bench profiles",
)
def proposed_peer_list(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref)
    return [_proposed(m) for m in _proposed_peers(d)]


@router.post(
    D + "/team/{code}/decision",
    response={200: ProposedPeerOut, **EDIT_ERRORS},
    url_name="team_decision",
    operation_id="decideOnPeer",
    summary="The council approves a proposed peer or objects, with a reason",
)
def team_decision(request: HttpRequest, ref: Ref, code: Code, payload: DecisionIn) -> Any:
    """`code` is a proposed peer's (see listProposedPeers); an objection needs a reason.
    A later decision replaces an earlier one."""
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=DECIDE)
    member = _proposed_peers(d).filter(code=code).first()
    if member is None:
        raise Http404("No such proposed peer")
    people.decide_on_peer(
        member,
        by=user,
        decision=payload.decision,
        reason=payload.reason,
        version=payload.version,
    )
    return _proposed(member)


# --- A peer's own steps -------------------------------------------------------------------


@router.post(
    D + "/declaration",
    response={200: DeclarationOut, **WRITE_ERRORS},
    url_name="declaration_submit",
    operation_id="declareInterests",
    summary="Declare your interests for this diagnostic (replaces an earlier declaration)",
)
def declaration_submit(request: HttpRequest, ref: Ref, payload: DeclarationIn) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ACT_AS_PEER)
    return declare_interests(
        d,
        by=user,
        person=_me(user, d),
        worked_for_host=payload.worked_for_host,
        details=payload.details,
    )


@router.post(
    D + "/briefing/acknowledgement",
    response={200: AcknowledgementOut, **WRITE_ERRORS},
    url_name="briefing_acknowledge",
    operation_id="acknowledgeBriefing",
    summary="Confirm you have read the latest version of the Peer Team Briefing",
)
def briefing_acknowledge(request: HttpRequest, ref: Ref) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ACT_AS_PEER)
    person = _me(user, d)
    latest = d.briefings.order_by("-version").first()
    if latest is None:
        raise DomainError(
            "The peer challenge manager has not issued the briefing yet", field="briefing"
        )
    ack = acknowledge_briefing(latest, by=user, person=person)
    return {
        "briefing_version": latest.version,
        "acknowledged_at": ack.acknowledged_at,
        "clearance": _clearance(clearance_for(d, person)),
    }


@router.post(
    D + "/confidentiality/signature",
    response={200: SignedOut, **WRITE_ERRORS},
    url_name="confidentiality_sign",
    operation_id="signAgreement",
    summary="Sign the current confidentiality agreement by typing your full name",
)
def confidentiality_sign(request: HttpRequest, ref: Ref, payload: SignatureIn) -> Any:
    """You sign for yourself only; the name must be yours as the team list shows it."""
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ACT_AS_PEER)
    person = _me(user, d)
    if not d.confidentiality_required:
        raise DomainError("The council does not ask peers to sign an agreement", field="agreement")
    agreement = current_agreement(d)
    if agreement is None:
        raise DomainError("The council has not supplied the agreement text yet", field="agreement")
    signature = sign_agreement(agreement, by=user, person=person, typed_name=payload.typed_name)
    return {
        "agreement_version": agreement.version,
        "typed_name": signature.typed_name,
        "signed_at": signature.signed_at,
        "clearance": _clearance(clearance_for(d, person)),
    }


# --- Confidentiality and data access ------------------------------------------------------


def _confidentiality(d: Diagnostic) -> dict[str, Any]:
    agreement = current_agreement(d) if d.confidentiality_required else None
    if agreement is None:
        return {
            "required": d.confidentiality_required,
            "version": None,
            "text": "",
            "signatures": [],
        }
    signatures = (
        Signature.objects.filter(agreement=agreement, text_sha256=agreement.text_sha256)
        .select_related("person")
        .order_by("signed_at", "pk")
    )
    return {
        "required": True,
        "version": agreement.version,
        "text": agreement.text,
        "signatures": [
            {
                "person": _person_brief(s.person),
                "typed_name": s.typed_name,
                "signed_at": s.signed_at,
            }
            for s in signatures
        ],
    }


@router.get(
    D + "/confidentiality",
    response={200: ConfidentialityOut, **READ_ERRORS},
    url_name="confidentiality_detail",
    operation_id="getConfidentiality",
    summary="Whether peers must sign, the current text, and who has signed it",
)
def confidentiality_detail(request: HttpRequest, ref: Ref) -> Any:
    return _confidentiality(get_diagnostic_for_user(caller(request), ref))


@router.put(
    D + "/confidentiality",
    response={200: ConfidentialityOut, **EDIT_ERRORS},
    url_name="confidentiality_set",
    operation_id="setConfidentiality",
    summary="Decide whether peers must sign an agreement, and its text",
)
def confidentiality_set(request: HttpRequest, ref: Ref, payload: ConfidentialityIn) -> Any:
    """New text makes a new version: signatures on the old text stop counting and those peers
    lose data access until they sign again. The text is ignored when `required` is false."""
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=SET_CONFIDENTIALITY)
    set_confidentiality(
        d, by=user, required=payload.required, text=payload.text, version=payload.version
    )
    return _confidentiality(d)


@router.get(
    D + "/data-access",
    response={200: DataAccessOut, **INTERNAL_ERRORS},
    url_name="data_access",
    operation_id="getDataAccess",
    summary="Who on the team is cleared for sensitive data, and the grant and revocation log",
)
def data_access(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref, perm=VIEW_INTERNAL)
    events = list(d.data_access_events.select_related("person").order_by("-at", "-id"))
    latest = latest_events(d)
    cleared = clearances(d)
    return {
        "team": [
            {
                "person": _person_brief(m.person),
                "role": m.role,
                "cleared": cleared[m.person_id].cleared,
                "missing": cleared[m.person_id].missing,
                "holds_access": latest.get(m.person_id) == AccessEvent.GRANTED,
            }
            for m in d.team.select_related("person")
        ],
        "events": [
            {"person": _person_brief(e.person), "event": e.event, "reason": e.reason, "at": e.at}
            for e in events
        ],
    }
