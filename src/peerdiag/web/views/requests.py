"""A council asks for a diagnostic; the LGA reads the request and may decline it (issue 17)."""

from __future__ import annotations

from datetime import date

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain import requests as domain
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import CouncilRequest, Diagnostic, RequestStatus
from peerdiag.web.forms.requests import CouncilRequestForm, DeclineRequestForm

VIEW = "diagnostics.view_council_request"
DECLINE = "diagnostics.decline_council_request"


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    # The rule itself, not has_perm: a superuser is LGA staff, not a council.
    if not rules.has_perm("diagnostics.request_diagnostic", request.user):
        raise PermissionDenied
    council = request.user.person.organisation  # type: ignore[union-attr]
    form = CouncilRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = domain.request_diagnostic(
                council,
                by=request.user,  # type: ignore[arg-type]
                type=data["type"],
                type_other=data["type_other"],
                concerns=data["concerns"],
                weeks=form.weeks(),
                sponsor_name=data["sponsor_name"],
                sponsor_email=data["sponsor_email"],
                sponsor_job_title=data["sponsor_job_title"],
                organiser_name=data["organiser_name"],
                organiser_email=data["organiser_email"],
                organiser_job_title=data["organiser_job_title"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            return redirect("web:council_request_sent", req.diagnostic.reference)
    return render(
        request,
        "web/requests/create.html",
        {"form": form, "council": council, "nav": "request"},
    )


def _request_of(d: Diagnostic) -> CouncilRequest:
    req = CouncilRequest.objects.select_related("requested_by", "decided_by").filter(diagnostic=d)
    found = req.first()
    if found is None:
        raise Http404("This diagnostic was not asked for by its council")
    return found


def _context(request: HttpRequest, d: Diagnostic, req: CouncilRequest) -> dict[str, object]:
    return {
        "d": d,
        "req": req,
        "weeks": [date.fromisoformat(w) for w in req.preferred_weeks],
        "contact_by": domain.contact_by(req.created_at.date()),
        "contact_days": domain.CONTACT_WITHIN_WORKING_DAYS,
        "open": req.status == RequestStatus.OPEN and d.stage == Stage.ENQUIRY,
        "can_decline": request.user.has_perm(DECLINE, d),
    }


@login_required
def request_sent(request: HttpRequest, ref: str) -> HttpResponse:
    """The requester's confirmation: what happens next."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    req = _request_of(d)
    return render(request, "web/requests/sent.html", _context(request, d, req))


@login_required
def request_detail(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    req = _request_of(d)
    return render(request, "web/requests/detail.html", _context(request, d, req))


@login_required
def request_decline(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=DECLINE)
    req = _request_of(d)
    form = DeclineRequestForm(request.POST or None, initial_version=req.version)
    if request.method == "POST" and form.is_valid():
        try:
            domain.decline_request(
                req,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current={"reason": e.current.decline_reason})  # type: ignore[attr-defined]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Request {d.reference} declined; the council has been told")
            return redirect("web:council_request", d.reference)
    return render(request, "web/requests/decline.html", {"d": d, "req": req, "form": form})
