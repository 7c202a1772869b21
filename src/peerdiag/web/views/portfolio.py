"""The LGA's portfolio: every diagnostic (and a CSV of it), the learning library and the charts.
For LGA staff and administrators only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerdiag.common.jobs import settle as settle_job
from peerdiag.diagnostics.domain.queries import diagnostics_for_user
from peerdiag.portfolio.domain.charts import feedback_time_chart, score_chart, stage_chart
from peerdiag.portfolio.domain.library import library_entries, search_library, theme_names
from peerdiag.portfolio.domain.portfolio import (
    PAGE_SIZE,
    csv_lines,
    portfolio_queryset,
    portfolio_row,
)
from peerdiag.portfolio.domain.portfolio_export import start_portfolio_export
from peerdiag.reports.enums import ExportKind, JobState
from peerdiag.reports.models import ExportJob
from peerdiag.web.forms.diagnostics import DashboardFilterForm
from peerdiag.web.forms.evaluation import LibraryFilterForm

from .common import is_htmx

PORTFOLIO = "portfolio.view"
FILTERS = ("stage", "type", "region")


def _refuse_unless_lga(request: HttpRequest) -> None:
    if not request.user.has_perm(PORTFOLIO):
        raise PermissionDenied


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, dict[str, str]]:
    form = DashboardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {k: data.get(k) or "" for k in FILTERS}


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Every diagnostic, 50 a page: stage, council, PCM, next date, overdue, written feedback."""
    _refuse_unless_lga(request)
    form, chosen = _filters(request)
    qs = portfolio_queryset(**chosen)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    partial = is_htmx(request)
    template = "web/portfolio/list.html#results" if partial else "web/portfolio/list.html"
    return render(
        request,
        template,
        {
            "nav": "portfolio",
            "tab": "portfolio",
            "form": form,
            "rows": [portfolio_row(d, today) for d in page.object_list],
            # The references link only to diagnostics this person may open (one query).
            "openable": set(
                diagnostics_for_user(request.user)
                .filter(pk__in=[d.pk for d in page.object_list])
                .values_list("pk", flat=True)
            ),
            "page": page,
            "query": query.urlencode(),
            "filtered": any(chosen.values()),
        },
    )


@login_required
def portfolio_export(request: HttpRequest) -> StreamingHttpResponse:
    """The portfolio's rows (with the same filters, every page) as a CSV file."""
    _refuse_unless_lga(request)
    _, chosen = _filters(request)
    today = timezone.localdate()
    rows = portfolio_queryset(**chosen).iterator(chunk_size=500)
    response = StreamingHttpResponse(csv_lines(rows, today), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="portfolio-{today.isoformat()}.csv"'
    return response


def _portfolio_job(request: HttpRequest, code: str) -> ExportJob:
    # Anyone who may see the portfolio may see its files: they hold the same rows.
    job = ExportJob.objects.filter(code=code, kind=ExportKind.PORTFOLIO_CSV).first()
    if job is None:
        raise Http404("No such file")
    return settle_job(job)  # a job whose worker stopped is ended here, with the reason


@login_required
@require_POST
def portfolio_export_start(request: HttpRequest) -> HttpResponse:
    """Queue the portfolio CSV (with the page's filters) and go to its progress page."""
    _refuse_unless_lga(request)
    _, chosen = _filters(request)
    job = start_portfolio_export(by=request.user, filters=chosen)  # type: ignore[arg-type]
    return redirect("web:portfolio_export_job", job.code)


@login_required
def portfolio_export_job(request: HttpRequest, code: str) -> HttpResponse:
    """The CSV's progress; the panel refreshes itself until the file is ready."""
    _refuse_unless_lga(request)
    job = _portfolio_job(request, code)
    fragment = is_htmx(request)
    return render(
        request,
        "web/portfolio/export_job.html#job" if fragment else "web/portfolio/export_job.html",
        {
            "nav": "portfolio",
            "job": job,
            "fragment": fragment,
            "status_changed": request.GET.get("seen") != job.state,
        },
    )


@login_required
def portfolio_export_file(request: HttpRequest, code: str) -> FileResponse:
    _refuse_unless_lga(request)
    job = _portfolio_job(request, code)
    if job.state != JobState.DONE or not job.file:
        raise Http404("The file is not ready")
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type="text/csv"
    )


@login_required
def learning_library(request: HttpRequest) -> HttpResponse:
    """Strengths and areas for consideration from every issued diagnostic, anonymised."""
    _refuse_unless_lga(request)
    entries = library_entries()
    form = LibraryFilterForm(request.GET or None, themes=theme_names(entries))
    data = form.cleaned_data if form.is_valid() else {}
    themes = search_library(
        entries, q=data.get("q", ""), theme=data.get("theme", ""), kind=data.get("kind", "")
    )
    partial = is_htmx(request)
    template = "web/portfolio/library.html#results" if partial else "web/portfolio/library.html"
    shown, total = sum(len(t.entries) for t in themes), len(entries)
    filtered = any(request.GET.get(k) for k in ("q", "theme", "kind"))
    # Shown under the search, and announced (once) after each htmx update.
    summary = f"{total} statement{pluralize(total)}."
    if filtered:
        summary = f"{shown} of {total} statement{pluralize(total)} match."
    return render(
        request,
        template,
        {
            "nav": "portfolio",
            "tab": "library",
            "form": form,
            "themes": themes,
            "shown": shown,
            "total": total,
            "summary": summary,
            "filtered": filtered,
        },
    )


@login_required
def portfolio_charts(request: HttpRequest) -> HttpResponse:
    _refuse_unless_lga(request)
    return render(
        request,
        "web/portfolio/charts.html",
        {
            "nav": "portfolio",
            "tab": "charts",
            "stages": stage_chart(),
            "times": feedback_time_chart(),
            "scores": score_chart(),
        },
    )
