"""Attendees of the delivery week, everyone's availability grid, and the spreadsheet import.

Anyone who may see the timetable sees these pages; only those who plan it (the host council,
the PCM and LGA administrators) change them.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.timetable.domain.attendees import (
    Window,
    add_attendee,
    day_label,
    describe_windows,
    remove_attendee,
    set_availability,
    stored_windows,
    update_attendee,
    windows_from_blocks,
)
from peerdiag.timetable.domain.spreadsheet import (
    SpreadsheetError,
    import_attendees,
    template_csv,
    template_xlsx,
)
from peerdiag.timetable.domain.week import day_dates, delivery_members, timetable_for
from peerdiag.timetable.enums import HEARING_DAYS
from peerdiag.timetable.models import Attendee, Availability
from peerdiag.web.forms.attendees import (
    AttendeeEditForm,
    AttendeeForm,
    AvailabilityGridForm,
    ImportForm,
)
from peerdiag.web.views.stale import posted_version

VIEW = "timetable.view"
PLAN = "timetable.plan"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS_SHOWN = 100


def _can_plan(request: HttpRequest, d: Diagnostic) -> bool:
    return d.stage not in ENDED and request.user.has_perm(PLAN, d)


def _attendee(d: Diagnostic, code: str) -> Attendee:
    found = Attendee.objects.filter(diagnostic=d, code=code).first()
    if found is None:
        raise Http404("No such attendee")
    found.diagnostic = d  # the permission-checked copy
    return found


def _member(d: Diagnostic, code: str) -> TeamMember | None:
    for m in delivery_members(d):
        if m.code == code:
            m.diagnostic = d
            return m
    return None


@login_required
def attendee_list(request: HttpRequest, ref: str) -> HttpResponse:
    """Attendees by stakeholder group with their availability, and the peers in delivery."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    week = timetable_for(d)
    dates = day_dates(d)
    people = (
        Attendee.objects.filter(diagnostic=d)
        .annotate(session_count=Count("sessions", distinct=True))
        .prefetch_related(Prefetch("windows", queryset=Availability.objects.filter(available=True)))
        .order_by("group", "name")
    )
    rows: list[dict[str, Any]] = []
    for a in people:
        windows = [Window(w.day, w.start, w.end) for w in a.windows.all()]
        summary = describe_windows(windows, week, dates) if a.availability_given else []
        rows.append({"a": a, "summary": summary})
    groups = [
        {"name": name, "rows": list(items)}
        for name, items in groupby(rows, key=lambda r: r["a"].group)
    ]
    off = Availability.objects.filter(diagnostic=d, member__isnull=False, available=False)
    off_count: dict[int | None, int] = {}
    for w in off:
        off_count[w.member_id] = off_count.get(w.member_id, 0) + 1
    peers = [{"m": m, "off": off_count.get(m.pk, 0)} for m in delivery_members(d)]
    return render(
        request,
        "web/attendees/list.html",
        {
            "d": d,
            "groups": groups,
            "count": len(rows),
            "peers": peers,
            "can_plan": _can_plan(request, d),
        },
    )


def _form_page(
    request: HttpRequest, d: Diagnostic, form: AttendeeForm, title: str, a: Attendee | None
) -> HttpResponse:
    feed = ""
    if a is not None and hasattr(a, "calendar_feed"):
        from peerdiag.timetable.domain.feeds import feed_url

        feed = feed_url(a.calendar_feed)
    return render(
        request,
        "web/attendees/form.html",
        {"d": d, "form": form, "title": title, "a": a, "feed": feed},
    )


@login_required
def attendee_add(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    form = AttendeeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            a = add_attendee(d, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{a.name} added. They are available all week for now")
            return redirect("web:attendees", d.reference)
    return _form_page(request, d, form, "Add an attendee", None)


@login_required
def attendee_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    a = _attendee(d, code)
    form = AttendeeEditForm(
        request.POST if request.method == "POST" else None,
        initial=AttendeeEditForm.initial_of(a),
        initial_version=a.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_attendee(
                a,
                by=request.user,  # type: ignore[arg-type]
                version=form.sent_version(),
                **form.details(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current=AttendeeEditForm.initial_of(e.current))
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{a.name}'s details saved")
            return redirect("web:attendees", d.reference)
    return _form_page(request, d, form, f"Change {a.name}'s details", a)


@login_required
def attendee_remove(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """A confirm page (GET) naming the sessions they are in; POST removes them."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    a = _attendee(d, code)
    stale = ""
    if request.method == "POST":
        try:
            lost = remove_attendee(
                a,
                by=request.user,  # type: ignore[arg-type]
                version=posted_version(request),
            )
        except StaleEdit as e:
            stale = (
                f"{e.changed_by_name} changed {a.name}'s details or availability at "
                f"{when_text(e.changed_at)}, after you opened it, so they have not been "
                "removed. Check them as they are now, then remove them if you still want to"
            )
            a = _attendee(d, code)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("web:attendees", d.reference)
        else:
            note = f" and taken out of {lost} session{'s' if lost != 1 else ''}" if lost else ""
            messages.success(request, f"{a.name} removed{note}")
            return redirect("web:attendees", d.reference)
    sessions = list(a.sessions.order_by("day", "start", "title"))
    if not request.user.has_perm("timetable.view_internal", d):
        sessions = [s for s in sessions if not s.internal_only]
    return render(
        request,
        "web/attendees/remove.html",
        {
            "d": d,
            "a": a,
            "sessions": sessions,
            "stale_items": [{"href": "", "message": stale}] if stale else [],
        },
    )


@login_required
def availability(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """One person's week grid: when an attendee is free, or when a peer is not available."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    owner: Attendee | TeamMember | None = Attendee.objects.filter(diagnostic=d, code=code).first()
    if owner is not None:
        owner.diagnostic = d
    else:
        owner = _member(d, code)
        if owner is None:
            raise Http404("No such person")
    is_attendee = isinstance(owner, Attendee)
    can_plan = _can_plan(request, d)
    if request.method == "POST" and not request.user.has_perm(PLAN, d):
        raise PermissionDenied
    week = timetable_for(d)
    dates = day_dates(d)
    current = stored_windows(owner)
    all_week = isinstance(owner, Attendee) and not owner.availability_given
    form = AvailabilityGridForm(
        request.POST if request.method == "POST" else None,
        timetable=week,
        attendee=is_attendee,
        current=current,
        all_week=all_week,
        initial_version=owner.version,
    )
    if request.method == "POST" and form.is_valid():
        windows = None if form.all_week() else windows_from_blocks(form.ticked(), week)
        try:
            set_availability(
                owner,
                by=request.user,  # type: ignore[arg-type]
                windows=windows,
                version=form.sent_version(),
            )
        except StaleEdit as e:
            now: Any = e.current
            current = stored_windows(now)
            all_week = isinstance(now, Attendee) and not now.availability_given
            form.show_grid_conflict(
                e,
                current=current,
                all_week=all_week,
                label=f"When {_name(owner)} is {'' if is_attendee else 'not '}available",
                mine=_in_words(windows, week, dates, is_attendee),
                theirs=_in_words(None if all_week else current, week, dates, is_attendee),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{_name(owner)}'s availability saved")
            return redirect("web:availability", d.reference, code)
    labels = {n: day_label(n, dates) if n in dates else f"Day {n}" for n in HEARING_DAYS}
    return render(
        request,
        "web/attendees/availability.html",
        {
            "d": d,
            "owner": owner,
            "name": _name(owner),
            "is_attendee": is_attendee,
            "form": form,
            "blocks": form.blocks,
            "rows": form.rows(labels, dates),
            "week": week,
            "no_dates": not dates,
            "exact": describe_windows(current, week, dates),
            "can_plan": can_plan,
            "summary": [
                {"href": "#id_when" if name == "when" else "#grid", "message": message}
                for name, errors in form.errors.items()
                for message in errors
            ],
            "conflicts": [form.conflict] if form.conflict else [],
        },
    )


def _in_words(windows: list[Window] | None, week: Any, dates: Any, is_attendee: bool) -> str:
    """A grid's choice as the conflict panel shows it, one day a line."""
    if windows is None:
        return "Available all week"
    if not windows:
        return "Available all week" if not is_attendee else "No times ticked"
    return "\n".join(describe_windows(windows, week, dates))


def _name(owner: Attendee | TeamMember) -> str:
    return owner.name if isinstance(owner, Attendee) else owner.person.full_name


@login_required
def availability_template(request: HttpRequest, ref: str) -> HttpResponse:
    """The attendees spreadsheet (?format=xlsx, the default, or csv), with those known so far."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    fmt = request.GET.get("format", "xlsx")
    if fmt == "csv":
        body, kind, ext = template_csv(d), "text/csv; charset=utf-8", "csv"
    else:
        body, kind, ext = template_xlsx(d), XLSX, "xlsx"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{d.reference}-attendees.{ext}"'
    return response


@login_required
def availability_import(request: HttpRequest, ref: str) -> HttpResponse:
    """Upload the filled-in spreadsheet; every problem is listed and nothing is imported."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[Any] = []
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_attendees(
                d,
                by=request.user,  # type: ignore[arg-type]
                name=upload.name or "",
                content=upload.read(),
            )
        except SpreadsheetError as e:
            problems = e.errors
            form.add_domain_error(e)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(
                request,
                f"Spreadsheet imported: {result.added} added, {result.updated} updated",
            )
            return redirect("web:attendees", d.reference)
    anchor = "#" + (form["file"].auto_id or "id_file")
    summary = [{"href": anchor, "message": str(p)} for p in problems[:MAX_ERRORS_SHOWN]]
    if not problems:
        summary = [{"href": anchor, "message": str(e)} for e in form.errors.get("file", [])]
    return render(
        request,
        "web/attendees/import.html",
        {
            "d": d,
            "form": form,
            "summary": summary,
            "problems": problems[:MAX_ERRORS_SHOWN],
            "more": max(0, len(problems) - MAX_ERRORS_SHOWN),
            "template_xlsx": reverse("web:availability_template", args=[d.reference]),
        },
    )
