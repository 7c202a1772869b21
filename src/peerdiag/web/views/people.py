"""Council roles and endorsements, and the scoping record."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import people as domain
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import EndorserRole
from peerdiag.directory.domain.invitations import invite_person as invite_person_domain
from peerdiag.directory.domain.people import add_person
from peerdiag.directory.models import Person
from peerdiag.web.forms.diagnostics import CouncilRoleForm, EndorsementForm, ScopingForm

# The peer team's pages live in views/team.py; urls.py still routes these two through here.

CHANGE = "diagnostics.change_diagnostic"


@login_required
def council_roles(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref)
    can_change = request.user.has_perm(CHANGE, d)
    form = CouncilRoleForm(request.POST or None, diagnostic=d)
    if request.method == "POST":
        d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    person = data["person"] or add_person(
                        d.host_council,
                        full_name=data["new_name"],
                        job_title=data["new_job_title"],
                        email=data["new_email"],
                    )
                    domain.assign_council_role(d, by=request.user, person=person, role=data["role"])  # type: ignore[arg-type]
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, f"{person} is now {data['role'].replace('_', ' ')}")
                return redirect("web:council_roles", d.reference)
    endorsements = {e.role: e for e in d.endorsements.all()}
    return render(
        request,
        "web/diagnostics/roles.html",
        {
            "d": d,
            "form": form,
            "roles": d.council_roles.select_related("person"),
            "endorsements": [(r, endorsements.get(r.value)) for r in EndorserRole],
            "can_change": can_change,
        },
    )


@login_required
def council_role_remove(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    held = d.council_roles.select_related("person").filter(code=code).first()
    if held is None:
        raise Http404("No such role")
    if request.method == "POST":
        try:
            domain.remove_council_role(held, by=request.user)  # type: ignore[arg-type]
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{held.person} no longer holds that role")
        return redirect("web:council_roles", d.reference)
    return render(
        request,
        "web/diagnostics/confirm.html",
        {
            "d": d,
            "title": f"Remove {held.person} as {held.get_role_display().lower()}?",
            "body": "They stay in the directory; only the role is taken away.",
            "button": "Yes, remove the role",
            "back": "web:council_roles",
        },
    )


@login_required
def endorsement_edit(request: HttpRequest, ref: str, role: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    if role not in EndorserRole.values:
        raise Http404("No such endorsement")
    current = d.endorsements.filter(role=role).first()
    initial = (
        {"status": current.status, "given_on": current.given_on, "note": current.note}
        if current
        else {}
    )
    form = EndorsementForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.record_endorsement(
                d,
                by=request.user,  # type: ignore[arg-type]
                role=role,
                status=data["status"],
                given_on=data["given_on"],
                note=data["note"],
                file=data["file"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{EndorserRole(role).label} endorsement saved")
            return redirect("web:council_roles", d.reference)
    return render(
        request,
        "web/diagnostics/endorsement.html",
        {"d": d, "form": form, "role_label": EndorserRole(role).label, "current": current},
    )


@login_required
def scoping(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    meeting = getattr(d, "scoping", None)
    initial: dict[str, object] = {
        "suitability": d.suitability,
        "suitability_rationale": d.suitability_rationale,
        "case_list_names": "\n".join(d.agreed_case_lists.values_list("name", flat=True)),
    }
    if meeting is not None:
        initial |= {
            "scheduled_for": meeting.scheduled_for,
            "held_on": meeting.held_on,
            "attendees": list(meeting.attendees.values_list("code", flat=True)),
            "team_requirements": meeting.team_requirements,
            "background_information": meeting.background_information,
        }
    form = ScopingForm(request.POST or None, initial=initial, diagnostic=d)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.record_scoping(
                d,
                by=request.user,  # type: ignore[arg-type]
                scheduled_for=data["scheduled_for"],
                held_on=data["held_on"],
                attendees=list(data["attendees"]),
                suitability=data["suitability"],
                suitability_rationale=data["suitability_rationale"],
                team_requirements=data["team_requirements"],
                background_information=data["background_information"],
                case_list_names=data["case_list_names"].splitlines(),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Scoping record saved")
            return redirect("web:diagnostic_overview", d.reference)
    return render(request, "web/diagnostics/scoping.html", {"d": d, "form": form})


@login_required
@require_POST
def invite_person(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """E-mail a single-use link to someone on this diagnostic who has no login yet."""
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    person = (
        Person.objects.filter(code=code)
        .filter(Q(team_places__diagnostic=d) | Q(council_roles__diagnostic=d))
        .first()
    )
    if person is None:
        raise Http404("Nobody with that code is on this diagnostic")
    back = "web:team" if d.team.filter(person=person).exists() else "web:council_roles"
    try:
        invite_person_domain(person, by=request.user, site_url=settings.SITE_URL)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Invitation sent to {person.email}; the link works for 7 days")
    return redirect(back, d.reference)
