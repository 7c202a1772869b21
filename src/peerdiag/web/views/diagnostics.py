"""A diagnostic's overview, details, dates and audit trail."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain import diagnostics as domain
from peerdiag.diagnostics.domain.capabilities import Blocker
from peerdiag.diagnostics.domain.gates import gate_blockers, gate_warnings, next_stages
from peerdiag.diagnostics.domain.keydates import key_dates, overdue_items
from peerdiag.diagnostics.domain.kloes import kloes_editable
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.domain.tasklist import task_list
from peerdiag.diagnostics.enums import ENDED, Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Person
from peerdiag.web.forms.diagnostics import Day1Form, DetailsForm, DiagnosticCreateForm

from .common import FIX_PAGES
from .sensitive import may_open

CHANGE = "diagnostics.change_diagnostic"

# The permission each task's page checks before it opens, so that the task list links only
# where the user may go. A fix not named here links for those who may change the diagnostic.
FIX_PERMS = {
    "details": CHANGE,
    "dates": CHANGE,
    "scoping": CHANGE,
    "kloes": "diagnostics.view_diagnostic",
    "roles": "diagnostics.view_diagnostic",
    "endorsements": "diagnostics.view_diagnostic",
    "scope": "diagnostics.view_diagnostic",
    "confidentiality": "diagnostics.view_diagnostic",
    "team": "diagnostics.view_internal",
    "briefing": "diagnostics.view_internal",
    "access": "diagnostics.view_internal",
    "documents": "documents.view_requests",
    "timetable": "timetable.view",
    "findings": "findings.view",
    "kit": "findings.view_shared_digest",
    "written": "reports.view_written",
    "evaluation": "evaluation.view_results",
    # "case_review": its page's own check, sensitive.may_open (below).
    "team_review": "diagnostics.view_diagnostic",
}
# Tasks whose page is not in common.FIX_PAGES.
TASK_PAGES = {"case_review": "web:casereview", "team_review": "web:team_review"}


@login_required
def diagnostic_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("diagnostics.add_diagnostic"):
        raise PermissionDenied
    form = DiagnosticCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person: Person | None = getattr(request.user, "person", None)
        manager = person if person is not None and person.organisation.is_lga else None
        try:
            d = domain.create_diagnostic(
                by=request.user,  # type: ignore[arg-type]
                host_council=form.cleaned_data["host_council"],
                title=form.cleaned_data["title"],
                type=form.cleaned_data["type"],
                type_other=form.cleaned_data["type_other"],
                manager=manager,
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{d.reference} opened at the enquiry stage")
            return redirect("web:diagnostic_overview", d.reference)
    return render(request, "web/diagnostics/create.html", {"form": form, "nav": "new"})


@login_required
def diagnostic_overview(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref)
    internal = request.user.has_perm("diagnostics.view_internal", d)
    can_change = request.user.has_perm(CHANGE, d)
    today = timezone.localdate()
    gates = []
    every: list[Blocker] = []
    for to in next_stages(d):
        blockers = gate_blockers(d, to, today=today)
        every += blockers
        gates.append(
            {
                "to": to,
                "to_label": Stage(to).label,
                "blocked": bool(blockers),
                "warnings": gate_warnings(d, to),
            }
        )

    links: dict[str, str] = {}

    def link_for(fix: str) -> str:
        if fix not in links:
            name = FIX_PAGES.get(fix) or TASK_PAGES.get(fix)
            # The rule itself, as the pages test it (an administrator's superuser flag aside).
            if fix == "case_review":  # the case review's own gate, two-factor session and all
                may = may_open(request, d, "child_data")
            else:
                may = bool(name) and rules.has_perm(FIX_PERMS.get(fix, CHANGE), request.user, d)
            links[fix] = reverse(name, args=[d.reference]) if may and name else ""
        return links[fix]

    sections = task_list(
        d, link_for=link_for, council_only=not internal, today=today, blockers=every
    )
    scoping = getattr(d, "scoping", None)
    context = {
        "d": d,
        "internal": internal,
        "current_section": sections[0] if sections and sections[0].current else None,
        "other_sections": [s for s in sections if not s.current],
        "can_change": can_change,
        "can_advance": request.user.has_perm("diagnostics.advance_diagnostic", d),
        "gates": gates if internal else [],
        "dates": key_dates(d),
        "overdue": overdue_items(d, today),
        "today": today,
        "roles": d.council_roles.select_related("person"),
        "endorsements": d.endorsements.all(),
        "kloes": d.kloes.all(),
        "team": d.team.select_related("person__organisation") if internal else [],
        "scoping": scoping,
        "case_lists": d.agreed_case_lists.all(),
        "audit": d.audit.select_related("actor")[:8] if internal else [],
        "open": d.stage not in ENDED,
        "kloes_editable": kloes_editable(d),
        # Linked only for those its page lets in (web/views/sensitive.py).
        "can_open_case_review": d.case_review_in_scope and may_open(request, d, "child_data"),
    }
    return render(request, "web/diagnostics/overview.html", context)


def _details(d: Diagnostic) -> dict[str, object]:
    return {name: getattr(d, name) for name in domain.DETAIL_FIELDS}


@login_required
def diagnostic_edit(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    initial = _details(d)
    form = DetailsForm(request.POST or None, initial=initial, initial_version=d.version)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            changed = domain.update_details(
                d,
                by=request.user,  # type: ignore[arg-type]
                version=form.sent_version(),
                **changes,
            )
        except StaleEdit as e:
            form.show_conflict(e, current=_details(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(
                request,
                "Details saved" if changed else "Nothing changed: the details are as they were",
            )
            return redirect("web:diagnostic_overview", d.reference)
    return render(request, "web/diagnostics/edit.html", {"d": d, "form": form})


@login_required
def diagnostic_dates(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    form = Day1Form(
        request.POST or None,
        initial={"day1": d.day1},
        initial_version=d.version,
        may_record_past=request.user.is_staff,
    )
    if request.method == "POST" and form.is_valid():
        try:
            warning = domain.set_day1(
                d,
                by=request.user,  # type: ignore[arg-type]
                day1=form.cleaned_data["day1"],
                version=form.sent_version(),
                today=timezone.localdate(),
                already_held=form.cleaned_data.get("already_held", False),
            )
        except StaleEdit as e:
            form.show_conflict(e, current={"day1": e.current.day1})  # type: ignore[attr-defined]
            d = e.current  # type: ignore[assignment]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Delivery day 1 saved" + (f". {warning}" if warning else ""))
            return redirect("web:diagnostic_overview", d.reference)
    return render(
        request, "web/diagnostics/dates.html", {"d": d, "form": form, "dates": key_dates(d)}
    )


@login_required
def diagnostic_audit(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm="diagnostics.view_audit")
    page = Paginator(d.audit.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(request, "web/diagnostics/audit.html", {"d": d, "page": page})
