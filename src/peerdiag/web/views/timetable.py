"""The delivery week: its days and sessions, its settings, meeting links and KLOE coverage.

Everyone who may see the diagnostic's timetable reads these pages; the PCM, administrators
and the council's organiser plan (timetable.plan); the sponsor reads, and agrees the published
version with the organiser. Sessions private to the peer team never reach a
council user: every page filters them out unless the user holds timetable.view_internal.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED, MAIN_LINE, Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.domain.attendance import attendance_figures
from peerdiag.timetable.domain.coverage import (
    checklist_for,
    coverage_matrix,
    coverage_warnings,
    pair_warnings,
    week_sessions,
)
from peerdiag.timetable.domain.must_hear import (
    BY_KEY,
    dismiss_must_hear,
    dismissal_of,
    must_hear_for,
    must_hear_status,
    restore_must_hear,
)
from peerdiag.timetable.domain.problem import hhmm
from peerdiag.timetable.domain.sessions import (
    add_session,
    cancel_session,
    ordered,
    set_session_links,
    update_session,
    update_week_settings,
    was_published,
)
from peerdiag.timetable.domain.week import (
    day_dates,
    delivery_members,
    seed_fixed_meetings,
    timetable_for,
)
from peerdiag.timetable.enums import HEARING_TYPES, MEETING_TYPES, SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session
from peerdiag.web.forms.timetable import (
    DismissMustHearForm,
    LinksForm,
    SessionEditForm,
    SessionForm,
    WeekSettingsForm,
)
from peerdiag.web.views.schedule import agreement_context
from peerdiag.web.views.stale import posted_version

VIEW = "timetable.view"
INTERNAL = "timetable.view_internal"
PLAN = "timetable.plan"
DISMISS = "timetable.dismiss_must_hear"

# The other pages of the week, linked from its home page, with the permission each needs.
ELSEWHERE = (
    ("web:attendees", "Attendees and when they are free", VIEW),
    ("web:schedule_generate", "Generate the timetable", PLAN),
    ("web:schedule_grid", "The week as a grid", VIEW),
    ("web:timetable_attendance", "Attendance at interviews and focus groups", VIEW),
    ("web:timetable_versions", "Published versions and changes", VIEW),
    ("web:timetable_publish", "Publish the timetable", "timetable.publish"),
)
# From delivery on, the week's page shows the attendance figures.
FROM_DELIVERY = frozenset(MAIN_LINE[MAIN_LINE.index(Stage.DELIVERY) :])


def _elsewhere(request: HttpRequest, d: Diagnostic) -> list[dict[str, str]]:
    out = [
        {"url": reverse(name, args=[d.reference]), "label": label}
        for name, label, perm in ELSEWHERE
        if request.user.has_perm(perm, d)
    ]
    out.append({"url": reverse("web:my_calendar"), "label": "My calendar"})
    return out


def _internal(request: HttpRequest, d: Diagnostic) -> bool:
    return request.user.has_perm(INTERNAL, d)


def _can_plan(request: HttpRequest, d: Diagnostic) -> bool:
    return d.stage not in ENDED and request.user.has_perm(PLAN, d)


def _session(request: HttpRequest, d: Diagnostic, code: str) -> Session:
    s = (
        Session.objects.filter(diagnostic=d, code=code)
        .prefetch_related("kloes", "attendees", "required_peers")
        .first()
    )
    if s is None or (s.internal_only and not _internal(request, d)):
        raise Http404("No such session")
    s.diagnostic = d
    return s


def _when(s: Session, dates: dict[int, date]) -> str:
    if s.day is not None and s.start is not None and s.end is not None:
        on = f" ({dates[s.day]:%a} {dates[s.day].day} {dates[s.day]:%b})" if s.day in dates else ""
        return f"Day {s.day}{on}, {hhmm(s.start)} to {hhmm(s.end)}"
    if s.fixed_day is not None and s.fixed_start is not None:
        return f"Fixed for day {s.fixed_day} at {hhmm(s.fixed_start)}, not placed"
    return "Not placed"


def _who(s: Session) -> str:
    names = [a.name for a in s.attendees.all()]
    if s.group:
        return s.group + (f": {', '.join(names)}" if names else "")
    return ", ".join(names)


def _peers(s: Session) -> str:
    names = sorted(m.person.full_name for m in s.peers.all())
    if names:
        return ", ".join(names)
    if s.whole_team:
        return "Whole team"
    return f"{s.peers_needed} peer{'s' if s.peers_needed != 1 else ''} needed"


def _row(s: Session, dates: dict[int, date]) -> dict[str, Any]:
    return {
        "s": s,
        "when": _when(s, dates),
        "time": f"{hhmm(s.start)}–{hhmm(s.end)}" if s.start and s.end else "",
        "peers": _peers(s),
        "who": _who(s),
        "consent_missing": s.young_people and not s.consent_recorded_on,
        "meeting": s.type in MEETING_TYPES,
        "hearing": s.type in HEARING_TYPES,
    }


@login_required
def timetable(request: HttpRequest, ref: str) -> HttpResponse:
    """The seven days with their sessions, what is not placed, coverage and missing links."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    internal = _internal(request, d)
    dates = day_dates(d)
    sessions = week_sessions(d, internal=internal)
    matrix = coverage_matrix(d, sessions)
    warnings = coverage_warnings(d, matrix=matrix)
    days = []
    for n in range(1, 8):
        mine = ordered(s for s in sessions if s.placed and s.day == n)
        days.append({"number": n, "date": dates.get(n), "rows": [_row(s, dates) for s in mine]})
    unplaced = [_row(s, dates) for s in ordered(s for s in sessions if not s.placed)]
    missing_links = [_row(s, dates) for s in ordered(sessions) if s.placed and not s.platform_link]
    cancelled = Session.objects.filter(diagnostic=d, status=SessionStatus.CANCELLED)
    if not internal:
        cancelled = cancelled.exclude(internal_only=True)
    has_fixed = Session.objects.filter(diagnostic=d, type=SessionType.OVERVIEW).exists()
    figures = attendance_figures(d)
    return render(
        request,
        "web/timetable/week.html",
        {
            "d": d,
            "days": days,
            "day1_set": bool(dates),
            "unplaced": unplaced,
            "missing_links": missing_links,
            "warnings": [w for w in warnings if not w.advice],
            "advice": [w for w in warnings if w.advice],
            "cancelled": list(cancelled.order_by("title")),
            "count": len(sessions),
            "can_plan": _can_plan(request, d),
            "can_seed": _can_plan(request, d) and not has_fixed,
            "elsewhere": _elsewhere(request, d),
            "settings": timetable_for(d),
            "show_attendance": figures.held + figures.moved + figures.not_attended > 0
            or d.stage in FROM_DELIVERY,
            "figures": figures,
            **agreement_context(request, d),
        },
    )


@login_required
@require_POST
def timetable_seed(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    try:
        if d.stage in ENDED:
            raise DomainError("This diagnostic has ended; its timetable can no longer change")
        made = seed_fixed_meetings(d, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{len(made)} fixed meetings set up: change any of them")
    return redirect("web:timetable", d.reference)


@login_required
def timetable_settings(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    t = timetable_for(d)
    form = WeekSettingsForm(
        request.POST or None, initial=WeekSettingsForm.initial_of(t), initial_version=t.version
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_week_settings(
                t,
                by=request.user,  # type: ignore[arg-type]
                day_start=data["day_start"],
                day_end=data["day_end"],
                slot_minutes=data["slot_minutes"],
                lunch_earliest=data["lunch_earliest"],
                lunch_latest=data["lunch_latest"],
                lunch_minutes=data["lunch_minutes"],
                peer_buffer_minutes=data["peer_buffer_minutes"],
                max_sessions_per_day=data["max_sessions_per_day"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current=WeekSettingsForm.initial_of(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Week settings saved")
            return redirect("web:timetable", d.reference)
    return render(request, "web/timetable/settings.html", {"d": d, "form": form})


def _session_form(
    request: HttpRequest,
    d: Diagnostic,
    *,
    initial: dict[str, Any],
    session: Session | None = None,
) -> SessionForm:
    internal = _internal(request, d)
    sessions = week_sessions(d, internal=internal)
    checklist = list(checklist_for(d))
    known = {g.name.casefold() for g in checklist}
    used = {a.group.strip() for a in Attendee.objects.filter(diagnostic=d)} | {
        s.group.strip() for s in sessions
    }
    chosen = str(initial.get("group") or "").strip()
    if chosen:
        used.add(chosen)
    others = sorted((g for g in used if g and g.casefold() not in known), key=str.casefold)
    edit = {"initial_version": session.version} if session is not None else {}
    return (SessionEditForm if session is not None else SessionForm)(
        request.POST or None,
        initial=initial,
        **edit,
        diagnostic=d,
        members=delivery_members(d),
        attendees=list(Attendee.objects.filter(diagnostic=d).order_by("group", "name")),
        groups=checklist,
        other_groups=others,
        internal=internal,
        dates=day_dates(d),
    )


@login_required
def session_add(request: HttpRequest, ref: str) -> HttpResponse:
    """Add an interview, focus group or meeting; ?kloe=<code>&group=<name> prefill the form."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    initial: dict[str, Any] = {"type": SessionType.INTERVIEW, "minutes": 60}
    kloe = request.GET.get("kloe", "")
    if kloe and d.kloes.filter(code=kloe).exists():
        initial["kloes"] = [kloe]
    group = request.GET.get("group", "").strip()
    if group and len(group) <= 120:  # a longer name is not one of the week's groups
        initial["group"] = group
    form = _session_form(request, d, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s = add_session(d, by=request.user, details=form.details())  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"‘{s.title}’ added to the week")
            return redirect("web:timetable", d.reference)
    return render(
        request,
        "web/timetable/session_form.html",
        {"d": d, "form": form, "session": None, "internal": _internal(request, d)},
    )


@login_required
def session_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    s = _session(request, d, code)
    if s.status == SessionStatus.CANCELLED:
        raise Http404("No such session")
    form = _session_form(request, d, initial=SessionForm.initial_of(s), session=s)
    assert isinstance(form, SessionEditForm)
    if request.method == "POST" and form.is_valid():
        try:
            taken_out = update_session(
                s,
                by=request.user,  # type: ignore[arg-type]
                details=form.details(keep_internal=s.internal_only),
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current=SessionForm.initial_of(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if taken_out:
                messages.warning(
                    request,
                    f"‘{s.title}’ changed and taken out of the draft: generate the timetable "
                    "again or place it by hand",
                )
            else:
                messages.success(request, f"‘{s.title}’ changed")
            return redirect("web:timetable", d.reference)
    return render(
        request,
        "web/timetable/session_form.html",
        {"d": d, "form": form, "session": s, "internal": _internal(request, d)},
    )


@login_required
def session_remove(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Confirm, then remove: a session people were told about is cancelled, others deleted."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    s = _session(request, d, code)
    if s.status == SessionStatus.CANCELLED:
        raise Http404("No such session")
    stale = ""
    if request.method == "POST":
        try:
            deleted = cancel_session(
                s,
                by=request.user,  # type: ignore[arg-type]
                version=posted_version(request),
            )
        except StaleEdit as e:
            stale = (
                f"{e.changed_by_name} changed ‘{s.title}’ at {when_text(e.changed_at)}, after "
                "you opened it, so it has not been removed. Check it as it is now, then remove "
                "it if you still want to"
            )
            s = _session(request, d, code)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("web:timetable", d.reference)
        else:
            if deleted:
                messages.success(request, f"‘{s.title}’ removed")
            else:
                messages.success(
                    request,
                    f"‘{s.title}’ cancelled: people are told when the timetable is next published",
                )
            return redirect("web:timetable", d.reference)
    return render(
        request,
        "web/timetable/session_remove.html",
        {
            "d": d,
            "s": s,
            "published": was_published(s),
            "when": _when(s, day_dates(d)),
            "stale": stale,
            "stale_items": [{"href": "", "message": stale}] if stale else [],
        },
    )


@login_required
def session_links(request: HttpRequest, ref: str) -> HttpResponse:
    """One link box per session in week order; saves the valid ones, lists the others."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    dates = day_dates(d)
    sessions = ordered(week_sessions(d, internal=_internal(request, d)))
    labels = {s.pk: _when(s, dates) for s in sessions}
    form = LinksForm(request.POST or None, sessions=sessions, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            result = set_session_links(
                d,
                by=request.user,  # type: ignore[arg-type]
                links=form.links(),
                versions=form.versions(),
            )
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("web:timetable", d.reference)
        if not result.refused and not result.stale:
            messages.success(request, "Meeting links saved")
            return redirect("web:timetable", d.reference)
        for s, why in result.refused.items():
            form.add_error(form.field_of(s), f"‘{s.title}’: {why}")
        form.show_stale(result.stale)
        if result.saved:
            count = len(result.saved)
            messages.success(
                request,
                f"{count} meeting link{'s' if count != 1 else ''} saved. "
                "The others below have not been saved yet",
            )
    return render(
        request,
        "web/timetable/links.html",
        {
            "d": d,
            "form": form,
            "platform": d.get_online_platform_display() or "not chosen yet",
        },
    )


@login_required
def coverage(request: HttpRequest, ref: str) -> HttpResponse:
    """The KLOE by stakeholder-group matrix, with its warnings and links to add sessions."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    sessions = week_sessions(d, internal=_internal(request, d))
    matrix = coverage_matrix(d, sessions)
    warnings = coverage_warnings(d, matrix=matrix)
    can_plan = _can_plan(request, d)
    add = reverse("web:session_add", args=[d.reference])
    rows = []
    for row in matrix.rows:
        cells = []
        for g, found in zip(matrix.groups, row.cells, strict=True):
            query = urlencode({"kloe": row.kloe.code, "group": g.name})
            cells.append({"group": g, "sessions": found, "add": f"{add}?{query}"})
        rows.append({"kloe": row.kloe, "cells": cells, "heard": row.groups_heard})
    return render(
        request,
        "web/timetable/coverage.html",
        {
            "d": d,
            "groups": matrix.groups,
            "rows": rows,
            "warnings": [w for w in warnings if not w.advice],
            "advice": [w for w in warnings if w.advice],
            "can_plan": can_plan,
            "pairs": pair_warnings(sessions),
            "heard": must_hear_status(d, sessions),
            "can_dismiss": d.stage not in ENDED and request.user.has_perm(DISMISS, d),
        },
    )


def _must_hear_role(d: Diagnostic, role: str) -> Any:
    found = BY_KEY.get(role)
    if found is None or found not in must_hear_for(d):
        raise Http404("No such key person or group")
    return found


@login_required
def must_hear_dismiss(request: HttpRequest, ref: str, role: str) -> HttpResponse:
    """The PCM says why the week need not hear from one key person or group."""
    d = get_diagnostic_for_user(request.user, ref, perm=DISMISS)
    r = _must_hear_role(d, role)
    found = dismissal_of(d, r.key)
    shown = found.version if found is not None else 0
    form = DismissMustHearForm(
        request.POST or None,
        initial={"reason": found.reason if found is not None and found.dismissed else ""},
        initial_version=shown,
    )
    if request.method == "POST" and form.is_valid():
        try:
            dismiss_must_hear(
                d,
                by=request.user,  # type: ignore[arg-type]
                role=r.key,
                reason=form.cleaned_data["reason"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            current = e.current
            form.show_conflict(
                e,
                current={"reason": current.reason if current.dismissed else ""},  # type: ignore[attr-defined]
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Warning about {r.short.lower()} dismissed")
            return redirect("web:coverage", d.reference)
    return render(
        request,
        "web/timetable/coverage_dismiss.html",
        {"d": d, "role": r, "form": form, "dismissal": found},
    )


@login_required
@require_POST
def must_hear_restore(request: HttpRequest, ref: str, role: str) -> HttpResponse:
    """Bring a dismissed warning back (the version the page showed must still be current)."""
    d = get_diagnostic_for_user(request.user, ref, perm=DISMISS)
    r = _must_hear_role(d, role)
    try:
        restore_must_hear(
            d,
            by=request.user,  # type: ignore[arg-type]
            role=r.key,
            version=posted_version(request),
        )
    except StaleEdit as e:
        messages.error(
            request,
            f"{e.changed_by_name} changed this warning at {when_text(e.changed_at)}, after you "
            "opened the page, so it has not been brought back. Check it as it is now",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Warning about {r.short.lower()} brought back")
    return redirect("web:coverage", d.reference)
