"""The peer team of a diagnostic: the team builder, the council's review of proposed peers,
each peer's declaration of interests, the briefing, the confidentiality agreement and data access.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain import people as domain
from peerdiag.diagnostics.domain.access import clearances, current_agreement
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import (
    set_confidentiality,
    shown_version,
    sign_agreement,
)
from peerdiag.diagnostics.domain.conflicts import conflicts_for, declare_interests
from peerdiag.diagnostics.domain.gates import GATES, gate_warnings
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.domain.team_builder import excluded_peers, suggest_peers
from peerdiag.diagnostics.enums import ENDED, AccessEvent, Stage, TeamRole
from peerdiag.diagnostics.models import (
    Briefing,
    BriefingAcknowledgement,
    ConfidentialityAgreement,
    DataAccessEvent,
    Diagnostic,
    Signature,
    TeamMember,
)
from peerdiag.diagnostics.rules import relation
from peerdiag.directory.models import Person
from peerdiag.web.forms.team import (
    BriefingForm,
    ConfidentialityForm,
    ContinuesForm,
    DecisionForm,
    DeclarationForm,
    ProposeForm,
    SignForm,
)
from peerdiag.web.views.stale import posted_version

from .common import fix_url, recent_auth

VIEW = "diagnostics.view_diagnostic"
INTERNAL = "diagnostics.view_internal"
MANAGE = "diagnostics.manage_team"
DECIDE = "diagnostics.decide_on_peers"
SET_CONFIDENTIALITY = "diagnostics.set_confidentiality"
AS_PEER = "diagnostics.act_as_peer"
SUGGESTIONS_PER_ROLE = 5


def _me(request: HttpRequest) -> Person | None:
    return getattr(request.user, "person", None)


def _nav(request: HttpRequest, d: Diagnostic, here: str) -> dict[str, Any]:
    """What the side list of peer team pages needs (web/team/_nav.html)."""
    return {
        "here": here,
        "internal": request.user.has_perm(INTERNAL, d),
        # The PCM is the LGA's own officer and makes no declaration of interests.
        "declares": bool(relation(request.user, d).team_roles - {TeamRole.PEER_CHALLENGE_MANAGER}),
        "can_search_bench": request.user.has_perm("directory.view_bench"),
    }


def _member(d: Diagnostic, code: str, *, peers_only: bool = False) -> TeamMember:
    qs = d.team.select_related("person__organisation").filter(code=code)
    if peers_only:
        qs = qs.exclude(role=TeamRole.PEER_CHALLENGE_MANAGER)
    member = qs.first()
    if member is None:
        raise Http404("No such team member")
    return member


# The team builder -------------------------------------------------------------------------------


def _member_rows(d: Diagnostic) -> list[dict[str, Any]]:
    """Each member with what the page shows about them, in a fixed number of queries."""
    members = list(d.team.select_related("person__organisation"))
    declared = {c.person_id: c for c in d.conflict_declarations.all()}
    read: dict[int, BriefingAcknowledgement] = {}
    for ack in BriefingAcknowledgement.objects.filter(briefing__diagnostic=d).select_related(
        "briefing"
    ):
        if ack.person_id not in read or ack.briefing.version > read[ack.person_id].briefing.version:
            read[ack.person_id] = ack
    agreement = current_agreement(d)
    signed = _signatures_by_person(d, agreement)
    cleared = clearances(d)
    return [
        {
            "m": m,
            "declaration": declared.get(m.person_id),
            "read": read.get(m.person_id),
            "signature": signed.get(m.person_id),
            "clearance": cleared.get(m.person_id),
        }
        for m in members
    ]


def _signatures_by_person(
    d: Diagnostic, agreement: ConfidentialityAgreement | None
) -> dict[int, dict[str, Any]]:
    """Person id → their latest signature and whether it still counts (same text, current)."""
    out: dict[int, dict[str, Any]] = {}
    for s in (
        Signature.objects.filter(agreement__diagnostic=d)
        .select_related("agreement")
        .order_by("agreement__version")
    ):
        out[s.person_id] = {"s": s, "counts": _counts(s, agreement)}
    return out


def _counts(s: Signature, agreement: ConfidentialityAgreement | None) -> bool:
    return (
        agreement is not None
        and s.agreement_id == agreement.pk
        and s.text_sha256 == agreement.text_sha256
    )


def _suggestions(d: Diagnostic, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    roles = [TeamRole.OPERATIONAL_MANAGER]
    if not any(r["m"].role == TeamRole.LEAD_PEER for r in rows):
        roles.insert(0, TeamRole.LEAD_PEER)
    if d.case_review_in_scope:
        roles.append(TeamRole.CASE_AUDITOR)
    return [
        {
            "role": role,
            "items": suggest_peers(d, role, limit=SUGGESTIONS_PER_ROLE),
            # Left out by a conflict of interest: listed with the reason, never silently.
            "excluded": excluded_peers(d, role),
        }
        for role in roles
    ]


@login_required
def team(request: HttpRequest, ref: str) -> HttpResponse:
    """The team and what each member still needs; the PCM proposes peers here."""
    d = get_diagnostic_for_user(request.user, ref, perm=INTERNAL)
    form = ProposeForm(request.POST if request.method == "POST" else None, diagnostic=d)
    if request.method == "POST":
        d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
        if form.is_valid():
            person, role = form.cleaned_data["person"], form.cleaned_data["role"]
            try:
                domain.add_team_member(d, by=request.user, person=person, role=role)  # type: ignore[arg-type]
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, f"{person} proposed as {TeamRole(role).label.lower()}")
                return redirect("web:team", d.reference)
    can_manage = request.user.has_perm(MANAGE, d) and d.stage not in ENDED
    rows = _member_rows(d)
    today = timezone.localdate()
    blockers = GATES[Stage.TEAM_FORMING](d, Stage.PREPARATION, today)
    return render(
        request,
        "web/team/team.html",
        {
            "d": d,
            "form": form,
            "rows": rows,
            "can_manage": can_manage,
            "warnings": gate_warnings(d, Stage.PREPARATION),
            "blockers": [
                {"b": b, "url": fix_url(d, b.fix) if can_manage else ""} for b in blockers
            ],
            "suggestions": _suggestions(d, rows) if can_manage else [],
            "required": d.confidentiality_required,
            "latest_version": d.briefings.values_list("version", flat=True).first(),
            **_nav(request, d, "team"),
        },
    )


@login_required
def team_remove(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    member = _member(d, code)
    if request.method == "POST":
        try:
            domain.remove_team_member(
                member,
                by=request.user,  # type: ignore[arg-type]
                version=posted_version(
                    request, "This page was out of date: check the team and try again"
                ),
            )
        except StaleEdit as e:
            messages.error(
                request,
                f"{e.changed_by_name} changed {member.person}'s place on the team at "
                f"{when_text(e.changed_at)}, after you opened it, so they have not been "
                "removed. Check the team and try again",
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{member.person} removed from the team")
        return redirect("web:team", d.reference)
    return render(
        request,
        "web/diagnostics/confirm.html",
        {
            "d": d,
            "title": f"Remove {member.person} from the team?",
            "body": f"They are the {member.get_role_display().lower()}. They lose access to "
            "the diagnostic's documents and data straight away.",
            "button": "Yes, remove them",
            "back": "web:team",
            "version": member.version,
        },
    )


@login_required
@require_POST
def team_continues(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Whether a case auditor carries on from the case review into delivery (R29)."""
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    member = _member(d, code)
    form = ContinuesForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("web:team", d.reference)
    continues = form.cleaned_data["continues"]
    try:
        domain.set_continues_to_delivery(
            member,
            by=request.user,  # type: ignore[arg-type]
            continues=continues,
            version=form.sent_version(),
        )
    except StaleEdit as e:
        messages.error(
            request,
            f"{e.changed_by_name} changed {member.person}'s place on the team at "
            f"{when_text(e.changed_at)}, after you opened this page, so your change has not "
            "been saved. Check it below and try again",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"{member.person} {'carries' if continues else 'does not carry'} on into delivery",
        )
    return redirect("web:team", d.reference)


# The council's review of proposed peers ---------------------------------------------------------


def _proposed(d: Diagnostic) -> list[TeamMember]:
    # The PCM is the LGA's own officer: the council approves the peers only.
    return list(
        d.team.exclude(role=TeamRole.PEER_CHALLENGE_MANAGER)
        .select_related("person__organisation", "person__peer_profile")
        .prefetch_related("person__peer_profile__expertise")
    )


@login_required
def team_review(request: HttpRequest, ref: str) -> HttpResponse:
    """The proposed peers' profiles, as the council sees them, with approve or object."""
    d = get_diagnostic_for_user(request.user, ref)
    return render(
        request,
        "web/team/review.html",
        {
            "d": d,
            "members": _proposed(d),
            "can_decide": request.user.has_perm(DECIDE, d) and d.stage not in ENDED,
            **_nav(request, d, "review"),
        },
    )


def _decision(member: TeamMember) -> dict[str, str]:
    # A decision still pending shows no choice made.
    decided = member.council_decision != "pending"
    return {
        "decision": member.council_decision if decided else "",
        "reason": member.council_reason,
    }


@login_required
def team_decide(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=DECIDE)
    member = _member(d, code, peers_only=True)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial=_decision(member),
        initial_version=member.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            domain.decide_on_peer(
                member,
                by=request.user,  # type: ignore[arg-type]
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current=_decision(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            verb = "approved" if member.council_decision == "approved" else "objected to"
            messages.success(request, f"You {verb} {member.person}")
            return redirect("web:team_review", d.reference)
    profile = getattr(member.person, "peer_profile", None)
    return render(
        request,
        "web/team/decide.html",
        {
            "d": d,
            "m": member,
            "profile": profile,
            "expertise": profile.expertise.all() if profile else [],
            "form": form,
        },
    )


# A peer's declaration of interests --------------------------------------------------------------


@login_required
def declaration(request: HttpRequest, ref: str) -> HttpResponse:
    """The signed-in peer declares, for themself, any recent work for the host council."""
    d = get_diagnostic_for_user(request.user, ref, perm=AS_PEER)
    person = _me(request)
    if person is None:  # act_as_peer means a person on the team
        raise PermissionDenied
    current = d.conflict_declarations.filter(person=person).first()
    initial = (
        {"worked_for_host": current.worked_for_host, "details": current.details} if current else {}
    )
    form = DeclarationForm(
        request.POST if request.method == "POST" else None, initial=initial, host=d.host_council
    )
    if request.method == "POST" and form.is_valid():
        try:
            declare_interests(d, by=request.user, person=person, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Your declaration is saved")
            return redirect("web:team", d.reference)
    return render(
        request,
        "web/team/declaration.html",
        {
            "d": d,
            "form": form,
            "current": current,
            "conflicts": conflicts_for(d, person),
            **_nav(request, d, "declaration"),
        },
    )


# The Peer Team Briefing -------------------------------------------------------------------------


def _briefing(d: Diagnostic, code: str) -> Briefing:
    briefing = d.briefings.filter(code=code).first()
    if briefing is None:
        raise Http404("No such briefing")
    return briefing


@login_required
def briefing(request: HttpRequest, ref: str) -> HttpResponse:
    """The latest briefing and who has read which version; the PCM issues new versions here."""
    d = get_diagnostic_for_user(request.user, ref, perm=INTERNAL)
    seen = d.briefings.values_list("version", flat=True).first() or 0
    form = (
        BriefingForm(request.POST, request.FILES)
        if request.method == "POST"
        else BriefingForm(initial_version=seen)
    )
    if request.method == "POST":
        d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                issued = issue_briefing(
                    d,
                    by=request.user,  # type: ignore[arg-type]
                    file=upload,
                    name=upload.name,
                    version=form.sent_version(),
                )
            except StaleEdit as e:
                # A file cannot be put back in the form: say what happened and move the
                # version on, so issuing it again is a choice made knowing of the new one.
                moved_on = request.POST.copy()
                moved_on["version"] = str(e.current_version)
                form.data = moved_on
                form.add_error(
                    "file",
                    f"{e.changed_by_name} issued version {e.current_version} of the briefing at "
                    f"{when_text(e.changed_at)}, after you opened this page, so yours has not "
                    "been issued. Read theirs below; to issue yours in its place, choose your "
                    "file again",
                )
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, f"Briefing version {issued.version} issued to the team")
                return redirect("web:briefing", d.reference)
    versions = list(d.briefings.select_related("issued_by"))
    latest = versions[0] if versions else None
    acks = list(
        BriefingAcknowledgement.objects.filter(briefing__diagnostic=d)
        .select_related("person", "briefing")
        .order_by("-acknowledged_at")
    )
    read_latest = {a.person_id for a in acks if latest and a.briefing_id == latest.pk}
    me = _me(request)
    members = d.team.select_related("person")
    return render(
        request,
        "web/team/briefing.html",
        {
            "d": d,
            "form": form,
            "latest": latest,
            "versions": versions,
            "acks": acks,
            "not_read": [m for m in members if m.person_id not in read_latest],
            "can_manage": request.user.has_perm(MANAGE, d) and d.stage not in ENDED,
            "may_acknowledge": latest is not None
            and request.user.has_perm(AS_PEER, d)
            and me is not None
            and me.pk not in read_latest,
            **_nav(request, d, "briefing"),
        },
    )


@login_required
@require_POST
def briefing_acknowledge(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=AS_PEER)
    b = _briefing(d, code)
    person = _me(request)
    if person is None:
        raise PermissionDenied
    try:
        acknowledge_briefing(b, by=request.user, person=person)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"You have confirmed you read version {b.version}")
    return redirect("web:briefing", d.reference)


@login_required
def briefing_download(request: HttpRequest, ref: str, code: str) -> FileResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=INTERNAL)
    b = _briefing(d, code)
    return FileResponse(b.file.open("rb"), as_attachment=True, filename=b.original_name)


# The confidentiality agreement ------------------------------------------------------------------


def _agreement_fields(
    d: Diagnostic, agreement: ConfidentialityAgreement | None
) -> dict[str, object]:
    return {"required": d.confidentiality_required, "text": agreement.text if agreement else ""}


def _confidentiality_page(
    request: HttpRequest,
    d: Diagnostic,
    *,
    form: ConfidentialityForm | None = None,
    sign_form: SignForm | None = None,
) -> HttpResponse:
    agreement = current_agreement(d)
    signatures = list(
        Signature.objects.filter(agreement__diagnostic=d)
        .select_related("person", "agreement")
        .order_by("-signed_at")
    )
    rows = [{"s": s, "counts": _counts(s, agreement)} for s in signatures]
    counted = {s.person_id for s in signatures if _counts(s, agreement)}
    me = _me(request)
    can_set = request.user.has_perm(SET_CONFIDENTIALITY, d) and d.stage not in ENDED
    may_sign = (
        bool(d.confidentiality_required)
        and agreement is not None
        and me is not None
        and request.user.has_perm(AS_PEER, d)
        and me.pk not in counted
        and d.stage not in ENDED
    )
    if form is None and can_set:
        form = ConfidentialityForm(
            initial=_agreement_fields(d, agreement),
            initial_version=shown_version(d),
        )
    if sign_form is None and may_sign:
        sign_form = SignForm(person=me)
    unsigned = [m for m in d.team.select_related("person") if m.person_id not in counted]
    return render(
        request,
        "web/team/confidentiality.html",
        {
            "d": d,
            "agreement": agreement,
            "rows": rows,
            "unsigned": unsigned if d.confidentiality_required and agreement else [],
            # A form sent back with errors is shown even if it would not be offered now.
            "form": form if can_set or (form is not None and form.errors) else None,
            "sign_form": sign_form if may_sign or (sign_form and sign_form.errors) else None,
            **_nav(request, d, "confidentiality"),
        },
    )


@login_required
def confidentiality(request: HttpRequest, ref: str) -> HttpResponse:
    """The council's choice and text, and who has signed; the council sets both here."""
    d = get_diagnostic_for_user(request.user, ref)
    if request.method != "POST":
        return _confidentiality_page(request, d)
    d = get_diagnostic_for_user(request.user, ref, perm=SET_CONFIDENTIALITY)
    form = ConfidentialityForm(request.POST)
    if form.is_valid():
        try:
            set_confidentiality(
                d,
                by=request.user,  # type: ignore[arg-type]
                required=form.cleaned_data["required"],
                text=form.cleaned_data["text"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            d.refresh_from_db()
            form.show_conflict(e, current=_agreement_fields(d, current_agreement(d)))
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "The confidentiality decision is saved")
            return redirect("web:confidentiality", d.reference)
    return _confidentiality_page(request, d, form=form)


@login_required
@require_POST
@recent_auth()
def confidentiality_sign(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Sign the version of the text the peer read (its code is in the address)."""
    d = get_diagnostic_for_user(request.user, ref, perm=AS_PEER)
    agreement = d.agreements.filter(code=code).first()
    person = _me(request)
    if agreement is None:
        raise Http404("No such agreement")
    if person is None:
        raise PermissionDenied
    form = SignForm(request.POST, person=person)
    if form.is_valid():
        try:
            sign_agreement(agreement, by=request.user, person=person, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as e:
            if e.field != "typed_name":
                messages.error(request, e.message)
                return redirect("web:confidentiality", d.reference)
            form.add_domain_error(e)
        else:
            messages.success(request, f"You signed version {agreement.version} of the agreement")
            return redirect("web:confidentiality", d.reference)
    return _confidentiality_page(request, d, sign_form=form)


# Data access ------------------------------------------------------------------------------------


@login_required
def data_access(request: HttpRequest, ref: str) -> HttpResponse:
    """Who on the team is cleared for sensitive data, what is missing, and the access log."""
    d = get_diagnostic_for_user(request.user, ref, perm=INTERNAL)
    events = list(
        DataAccessEvent.objects.filter(diagnostic=d).select_related("person").order_by("-at", "-id")
    )
    holds: dict[int, bool] = {}
    for e in events:  # newest first: the first event seen for a person is their current state
        holds.setdefault(e.person_id, e.event == AccessEvent.GRANTED)
    cleared = clearances(d)
    rows = [
        {"m": m, "clearance": cleared.get(m.person_id), "holds": holds.get(m.person_id, False)}
        for m in d.team.select_related("person__organisation")
    ]
    return render(
        request,
        "web/team/data_access.html",
        {"d": d, "rows": rows, "events": events, **_nav(request, d, "access")},
    )
