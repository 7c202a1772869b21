from __future__ import annotations

from dataclasses import replace
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve
from django.utils import timezone

from peerdiag.casereview.domain.concerns import open_concerns_for
from peerdiag.diagnostics.domain.keydates import next_key_date, overdue_items
from peerdiag.diagnostics.domain.queries import diagnostics_for_user
from peerdiag.diagnostics.domain.requests import requests_for_user
from peerdiag.evaluation.domain.surveys import survey_overdue_items, with_survey_status
from peerdiag.portfolio.domain.todos import todos_for
from peerdiag.web.forms.diagnostics import DashboardFilterForm

from .common import is_htmx
from .sensitive import may_open

PAGE_SIZE = 25


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My diagnostics (every diagnostic for an LGA admin), with stage, next date and overdue.

    Everyone sees first their to-do list: every open ask across their diagnostics
    (portfolio/domain/todos.py), whatever their role.
    """
    form = DashboardFilterForm(request.GET or None)
    qs = diagnostics_for_user(request.user).order_by("-created_at", "-id")
    if form.is_valid():
        if form.cleaned_data["stage"]:
            qs = qs.filter(stage=form.cleaned_data["stage"])
        if form.cleaned_data["type"]:
            qs = qs.filter(type=form.cleaned_data["type"])
        if form.cleaned_data["region"]:
            qs = qs.filter(host_council__region=form.cleaned_data["region"])
    page = Paginator(with_survey_status(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "d": d,
            "next": next_key_date(d, today),
            "overdue": overdue_items(d, today) + survey_overdue_items(d, today),
        }
        for d in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    # htmx asks for the results alone when a filter changes; a plain request gets the page.
    partial = is_htmx(request)
    template = "web/dashboard.html#results" if partial else "web/dashboard.html"
    return render(
        request,
        template,
        {
            "nav": "dashboard",
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(request.GET.get(k) for k in ("stage", "type", "region")),
            # The htmx filter swaps the table only, so the list is worked out for full pages.
            "todos": [] if partial else _openable(request, todos_for(request.user, today=today)),
            "can_search_bench": request.user.has_perm("directory.view_bench"),
            # Councils' requests still waiting for the LGA (issue 17).
            "council_requests": [] if partial else requests_for_user(request.user),  # type: ignore[arg-type]
            "can_request": rules.has_perm("diagnostics.request_diagnostic", request.user),
            # Safeguarding concerns stay here until someone acknowledges them.
            "concerns": [] if partial else list(open_concerns_for(request.user)),  # type: ignore[arg-type]
        },
    )


def _openable(request: HttpRequest, todos: list[Any]) -> list[Any]:
    """Each to-do links to a page its person may open. A to-do whose page is a sensitive one
    (web/views/sensitive.py: children's data, sensitive documents) that this person may not
    open now, not cleared or not signed in with two-factor in this session, links to the
    diagnostic's overview instead, which says what is left and what they may do about it."""
    allowed: dict[tuple[int, str], bool] = {}
    out = []
    for todo in todos:
        kind = getattr(resolve(todo.url).func, "sensitive", None)
        if kind and todo.diagnostic is not None:
            key = (todo.diagnostic.pk, kind)
            if key not in allowed:
                allowed[key] = may_open(request, todo.diagnostic, kind)
            if not allowed[key]:
                ref = {"ref": todo.diagnostic.reference}
                todo = replace(todo, url_name="web:diagnostic_overview", url_kwargs=ref)
        out.append(todo)
    return out
