"""Council roles and endorsements, and the scoping record."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain import people as domain
from peerdiag.diagnostics.domain.gates import late_endorsements
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import SINGLE_COUNCIL_ROLES, CouncilRoleKind, EndorserRole
from peerdiag.diagnostics.models import Diagnostic, Endorsement, ScopingMeeting
from peerdiag.directory.domain.invitations import invite_person as invite_person_domain
from peerdiag.directory.models import Person
from peerdiag.web.forms.diagnostics import CouncilRoleForm, EndorsementForm, ScopingForm
from peerdiag.web.views.stale import posted_version

# The peer team's pages live in views/team.py; urls.py still routes these two through here.

CHANGE = "diagnostics.change_diagnostic"


def _seen_holder(request: HttpRequest, role: str) -> str | None:
    """The code of a single role's holding the page showed ("" for nobody), or None when the
    form did not say (the role is not a single one)."""
    return request.POST.get(f"seen_{role}")


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
                replacing = _seen_holder(request, data["role"])
                if data["person"]:
                    person = data["person"]
                    domain.assign_council_role(
                        d,
                        by=request.user,  # type: ignore[arg-type]
                        person=person,
                        role=data["role"],
                        replacing=replacing,
                    )
                else:
                    person = domain.assign_council_role_to_new_person(
                        d,
                        by=request.user,  # type: ignore[arg-type]
                        role=data["role"],
                        full_name=data["new_name"],
                        job_title=data["new_job_title"],
                        email=data["new_email"],
                        is_dcs_or_equivalent=data["new_is_dcs"],
                        replacing=replacing,
                    )
            except StaleEdit as e:
                form.add_error(
                    None,
                    f"{e.changed_by_name} changed who is "
                    f"{CouncilRoleKind(data['role']).label.lower()} at {when_text(e.changed_at)}, "
                    "after you opened this page, so your choice has not been saved. The list "
                    "shows who holds the role now: choose again if you still want to change it",
                )
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, f"{person} is now {data['role'].replace('_', ' ')}")
                return redirect("web:council_roles", d.reference)
    endorsements = {e.role: e for e in d.endorsements.all()}
    roles = list(d.council_roles.select_related("person"))
    held = {r.role: r.code for r in roles if r.role in SINGLE_COUNCIL_ROLES}
    return render(
        request,
        "web/diagnostics/roles.html",
        {
            "d": d,
            "form": form,
            "roles": roles,
            # Who held each single role when the page was drawn, so naming someone else does
            # not silently replace a holder named meanwhile.
            "seen": [
                (kind.value, held.get(kind.value, ""))
                for kind in CouncilRoleKind
                if kind in SINGLE_COUNCIL_ROLES
            ],
            "endorsements": [(r, endorsements.get(r.value)) for r in EndorserRole],
            "can_change": can_change,
        },
    )


@login_required
def council_role_remove(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    held = d.council_roles.select_related("person").filter(code=code).first()
    if held is None and request.method == "POST":
        # Two people pressed remove on the same role: the first one did it.
        messages.error(request, "Someone else has already removed this role")
        return redirect("web:council_roles", d.reference)
    if held is None:
        raise Http404("No such role")
    if request.method == "POST":
        try:
            domain.remove_council_role(
                held,
                by=request.user,  # type: ignore[arg-type]
                version=posted_version(
                    request, "This page was out of date: check the roles and try again"
                ),
            )
        except StaleEdit as e:
            messages.error(
                request,
                f"{e.changed_by_name} changed this role at {when_text(e.changed_at)}, after you "
                "opened the page, so it has not been removed. Check it and try again",
            )
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
            "version": held.version,
        },
    )


def _endorsement(e: Endorsement | None) -> dict[str, object]:
    return {"status": e.status, "given_on": e.given_on, "note": e.note} if e else {}


@login_required
def endorsement_edit(request: HttpRequest, ref: str, role: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    if role not in EndorserRole.values:
        raise Http404("No such endorsement")
    current = d.endorsements.filter(role=role).first()
    form = EndorsementForm(
        request.POST or None,
        request.FILES or None,
        initial=_endorsement(current),
        initial_version=current.version if current else 0,
    )
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
                version=form.sent_version(),
            )
        except StaleEdit as e:
            current = e.current  # type: ignore[assignment]
            form.show_conflict(e, current=_endorsement(current))
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{EndorserRole(role).label} endorsement saved")
            for warning in late_endorsements(d, role=role):
                messages.warning(request, warning)
            return redirect("web:council_roles", d.reference)
    return render(
        request,
        "web/diagnostics/endorsement.html",
        {
            "d": d,
            "form": form,
            "role_label": EndorserRole(role).label,
            "current": current,
            "late": late_endorsements(d, role=role),
        },
    )


def _scoping(d: Diagnostic, meeting: ScopingMeeting | None) -> dict[str, object]:
    """The scoping form's fields as saved: the record, the decision and the case lists."""
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
    return initial


@login_required
def scoping(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    meeting = getattr(d, "scoping", None)
    form = ScopingForm(
        request.POST or None,
        initial=_scoping(d, meeting),
        initial_version=meeting.version if meeting else 0,
        diagnostic=d,
    )
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
                version=form.sent_version(),
                today=timezone.localdate(),
            )
        except StaleEdit as e:
            saved = Diagnostic.objects.get(pk=d.pk)
            form.show_conflict(e, current=_scoping(saved, e.current))  # type: ignore[arg-type]
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
