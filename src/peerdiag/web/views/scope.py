"""The scope page (the sponsor confirms or asks for changes) and the scoping meeting's link and
invitations (issue 17)."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain import scope as domain
from peerdiag.diagnostics.domain.kloes import day1_ends, kloes_editable, on_day1
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.models import ScopingMeeting
from peerdiag.timetable.domain import scoping_invites
from peerdiag.web.forms.scope import ScopeAnswerForm, ScopingLinkForm
from peerdiag.web.views.stale import posted_version

CHANGE = "diagnostics.change_diagnostic"
CONFIRM = "diagnostics.confirm_scope"


@login_required
def scope(request: HttpRequest, ref: str) -> HttpResponse:
    """Everyone who sees the diagnostic reads the scope and where its confirmation stands; the
    sponsor (and only the sponsor) answers on it."""
    d = get_diagnostic_for_user(request.user, ref)
    # The rule itself, not has_perm: an LGA administrator's superuser status must not let
    # anyone answer on the sponsor's behalf.
    is_sponsor = rules.has_perm(CONFIRM, request.user, d)
    status = domain.scope_status(d)
    form = ScopeAnswerForm(
        request.POST or None, initial={"fingerprint": status.current.fingerprint}
    )
    if request.method == "POST":
        if not is_sponsor:
            raise PermissionDenied("Only the diagnostic's sponsor answers on the scope")
        if form.is_valid():
            try:
                domain.answer_scope(
                    d,
                    by=request.user,  # type: ignore[arg-type]
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except DomainError as e:
                form.add_domain_error(e)
                if e.field == "version":
                    # Draw the form again from the scope as it is now.
                    data = request.POST.copy()
                    data["fingerprint"] = status.current.fingerprint
                    form.data = data
            else:
                confirmed = form.cleaned_data["decision"] == "confirmed"
                messages.success(
                    request,
                    "Thank you: you have confirmed the scope"
                    if confirmed
                    else "Your request for changes has gone to the peer challenge manager",
                )
                return redirect("web:scope", d.reference)
    can_answer = (
        is_sponsor
        and d.stage in domain.CONFIRMABLE
        and getattr(getattr(d, "scoping", None), "held_on", None) is not None
    )
    return render(
        request,
        "web/scope/scope.html",
        {
            "d": d,
            "status": status,
            "kloes": d.kloes.all(),
            "form": form,
            "is_sponsor": is_sponsor,
            "can_answer": can_answer,
            "history": d.scope_confirmations.select_related("person"),
            "day1_changes": domain.day1_changes(d),
            "on_day1": on_day1(d),
            "day1_ends": day1_ends(d.day1) if d.day1 else None,
            "kloes_editable": kloes_editable(d),
            "can_change": request.user.has_perm(CHANGE, d),
        },
    )


@login_required
def scoping_meeting(request: HttpRequest, ref: str) -> HttpResponse:
    """The scoping meeting's online link and length, and the button that sends invitations."""
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    meeting: ScopingMeeting | None = getattr(d, "scoping", None)
    form = None
    if meeting is not None:
        form = ScopingLinkForm(
            request.POST or None,
            initial={"link": meeting.meeting_link, "duration_minutes": meeting.duration_minutes},
            initial_version=meeting.version,
        )
        if request.method == "POST" and form.is_valid():
            try:
                scoping_invites.set_scoping_link(
                    d,
                    by=request.user,  # type: ignore[arg-type]
                    link=form.cleaned_data["link"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    version=form.sent_version(),
                )
            except StaleEdit as e:
                saved: ScopingMeeting = e.current  # type: ignore[assignment]
                form.show_conflict(
                    e,
                    current={
                        "link": saved.meeting_link,
                        "duration_minutes": saved.duration_minutes,
                    },
                )
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, "Scoping meeting link saved")
                return redirect("web:scoping_meeting", d.reference)
    return render(
        request,
        "web/scope/scoping_meeting.html",
        {
            "d": d,
            "meeting": meeting,
            "form": form,
            "invitees": scoping_invites.invitees(d),
        },
    )


@login_required
@require_POST
def scoping_invitations(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    try:
        sent = scoping_invites.send_scoping_invitations(
            d,
            by=request.user,  # type: ignore[arg-type]
            version=posted_version(request),
        )
    except StaleEdit as e:
        messages.error(
            request,
            f"{e.changed_by_name} changed the scoping record after you opened this page, so no "
            "invitations have been sent. Check it below and send again",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"Invitations sent to {len(sent)} "
            + ("person" if len(sent) == 1 else "people")
            + ": "
            + ", ".join(p.name for p in sent),
        )
    return redirect("web:scoping_meeting", d.reference)
