"""Moving a diagnostic on through a gate, postponing, resuming and cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import stages as domain
from peerdiag.diagnostics.domain.gates import gate_blockers, gate_warnings, next_stages
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import Stage
from peerdiag.web.forms.diagnostics import ReasonForm

from .common import fix_url

ADVANCE = "diagnostics.advance_diagnostic"


@login_required
def advance(request: HttpRequest, ref: str, to: str) -> HttpResponse:
    """GET: the gate as a checklist. POST: move on, or show what still blocks it."""
    d = get_diagnostic_for_user(request.user, ref, perm=ADVANCE)
    if to not in Stage.values or to not in next_stages(d):
        raise Http404("That move is not open to this diagnostic")
    if request.method == "POST":
        try:
            domain.advance(d, to, by=request.user)  # type: ignore[arg-type]
        except domain.GateBlocked:
            messages.error(request, "Not moved: something on the list below is still missing")
        else:
            messages.success(request, f"{d.reference} is now at: {Stage(to).label.lower()}")
            return redirect("web:diagnostic_overview", d.reference)
    blockers = gate_blockers(d, to, today=timezone.localdate())
    return render(
        request,
        "web/diagnostics/advance.html",
        {
            "d": d,
            "to_label": Stage(to).label,
            "to": to,
            "blockers": [{"b": b, "url": fix_url(d, b.fix)} for b in blockers],
            "warnings": gate_warnings(d, to),
        },
    )


def _reason_action(request: HttpRequest, ref: str, *, action: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=ADVANCE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fn = domain.postpone if action == "postpone" else domain.cancel
        try:
            fn(d, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{d.reference} {action}d")
            return redirect("web:diagnostic_overview", d.reference)
    return render(request, "web/diagnostics/reason.html", {"d": d, "form": form, "action": action})


@login_required
def postpone(request: HttpRequest, ref: str) -> HttpResponse:
    return _reason_action(request, ref, action="postpone")


@login_required
def cancel(request: HttpRequest, ref: str) -> HttpResponse:
    return _reason_action(request, ref, action="cancel")


@login_required
def resume(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=ADVANCE)
    if request.method == "POST":
        try:
            domain.resume(d, by=request.user)  # type: ignore[arg-type]
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{d.reference} resumed at: {d.stage_label.lower()}")
        return redirect("web:diagnostic_overview", d.reference)
    return render(
        request,
        "web/diagnostics/confirm.html",
        {
            "d": d,
            "title": f"Resume {d.reference}?",
            "body": "It goes back to the stage it was postponed at. Its dates were cleared when it "
            "was postponed, so set delivery day 1 again.",
            "button": "Yes, resume it",
            "back": "web:diagnostic_overview",
        },
    )
