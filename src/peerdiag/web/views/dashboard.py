from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from peerdiag.diagnostics.domain.keydates import next_key_date, overdue_items
from peerdiag.diagnostics.domain.queries import diagnostics_for_user
from peerdiag.web.forms.diagnostics import DashboardFilterForm

from .common import is_htmx

PAGE_SIZE = 25


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My diagnostics (every diagnostic for an LGA admin), with stage, next date and overdue."""
    form = DashboardFilterForm(request.GET or None)
    qs = diagnostics_for_user(request.user).order_by("-created_at", "-id")
    if form.is_valid():
        if form.cleaned_data["stage"]:
            qs = qs.filter(stage=form.cleaned_data["stage"])
        if form.cleaned_data["type"]:
            qs = qs.filter(type=form.cleaned_data["type"])
        if form.cleaned_data["region"]:
            qs = qs.filter(host_council__region=form.cleaned_data["region"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {"d": d, "next": next_key_date(d, today), "overdue": overdue_items(d, today)}
        for d in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    # htmx asks for the results alone when a filter changes; a plain request gets the page.
    template = "web/dashboard.html#results" if is_htmx(request) else "web/dashboard.html"
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
        },
    )
