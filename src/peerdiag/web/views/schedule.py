"""The delivery week's schedule: generate with live progress, the day grid, itineraries, moving a
session by hand, recording meetings as held, attendance at interviews and focus groups,
publishing, the published versions and the council's agreement of them.

Council users (no `timetable.view_internal`) never see internal sessions (peer team meetings,
drafting): every list below goes through `visible_sessions` / `visible_changes`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.timetable.domain.agreement import AgreementState, agree_version, agreement_state
from peerdiag.timetable.domain.attendance import (
    attendance_figures,
    attendance_groups,
    record_attendance,
)
from peerdiag.timetable.domain.export import export_ics, export_xlsx
from peerdiag.timetable.domain.generate import (
    cancel_generation,
    job_view,
    latest_run,
    run_description,
    start_generation,
)
from peerdiag.timetable.domain.grid import DayGrid, day_grid, grid_sessions
from peerdiag.timetable.domain.held import HELD_TYPES, record_session_held
from peerdiag.timetable.domain.itinerary import person_itinerary
from peerdiag.timetable.domain.past import past_changed_sessions
from peerdiag.timetable.domain.placements import move_session
from peerdiag.timetable.domain.problem import latest_version, planned_sessions, visible_sessions
from peerdiag.timetable.domain.versions import (
    changes_between,
    planned_e_mails,
    publish,
    publish_blockers,
    snapshot,
    snapshot_days,
    visible_changes,
)
from peerdiag.timetable.domain.week import day_dates, delivery_members, timetable_for
from peerdiag.timetable.domain.week_shape import week_shape
from peerdiag.timetable.enums import DELIVERY_DAYS, HEARING_TYPES, JobState, SessionStatus
from peerdiag.timetable.models import Attendee, Session, TimetableVersion
from peerdiag.web.forms.schedule import (
    AttendanceForm,
    CompareForm,
    GenerateForm,
    MoveForm,
    PublishForm,
)
from peerdiag.web.forms.timetable import OUT_OF_DATE
from peerdiag.web.views.stale import posted_version

VIEW = "timetable.view"
INTERNAL = "timetable.view_internal"
PLAN = "timetable.plan"
PUBLISH = "timetable.publish"
RECORD_HELD = "timetable.record_held"
AGREE = "timetable.agree"
RECORD_ATTENDANCE = "timetable.record_attendance"


def _internal(request: HttpRequest, d: Diagnostic) -> bool:
    return request.user.has_perm(INTERNAL, d)


def _session_for(request: HttpRequest, d: Diagnostic, code: str) -> Session:
    """The diagnostic's session; 404 if there is none or the reader may not see it."""
    session = Session.objects.filter(diagnostic=d, code=code).select_related("diagnostic").first()
    if session is None or (session.internal_only and not _internal(request, d)):
        raise Http404("No such session")
    return session


def _day_links(dates: dict[int, Any], current: int | None = None) -> list[dict[str, Any]]:
    return [
        {"n": n, "date": dates.get(n), "current": n == current} for n in range(1, DELIVERY_DAYS + 1)
    ]


# Generate -------------------------------------------------------------------------------------


def _progress_context(request: HttpRequest, d: Diagnostic) -> dict[str, Any]:
    run = latest_run(d)  # settled: a run whose worker stopped is ended, with the reason
    job = job_view(run)
    ctx: dict[str, Any] = {
        "d": d,
        "job": job,
        "run_line": run_description(run) if run is not None else "",
        "state_label": JobState(job.state).label,
        "done": job.state == JobState.DONE,
        # The screen reader status changes only with the run's state (see generate.html).
        "status_changed": request.GET.get("seen") != job.state,
    }
    if ctx["done"]:
        sessions = visible_sessions(planned_sessions(d), internal=_internal(request, d))
        ctx["placed"] = sum(1 for s in sessions if s.placed)
        ctx["left_out"] = [s for s in sessions if not s.placed]
        ctx["shape"] = week_shape(sessions, day_dates(d))
    return ctx


@login_required
def schedule_generate(request: HttpRequest, ref: str) -> HttpResponse:
    """The current generate run and a form to start one."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        run_code = request.POST.get("run", "")
        if cancel_generation(d, by=request.user, run_code=run_code):  # type: ignore[arg-type]
            messages.success(request, "The run was cancelled. The draft was not changed")
        else:
            messages.error(
                request,
                "Nothing was cancelled: the run you saw has already ended. The page shows the "
                "latest run",
            )
        return redirect("web:schedule_generate", d.reference)
    form = GenerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            start_generation(
                d,
                by=request.user,  # type: ignore[arg-type]
                seconds=form.cleaned_data["seconds"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "The scheduler has started on the week")
            return redirect("web:schedule_generate", d.reference)
    return render(
        request,
        "web/schedule/generate.html",
        {
            "form": form,
            "latest": latest_version(d),
            "day1_missing": d.day1 is None,
            **_progress_context(request, d),
        },
    )


@login_required
def schedule_progress(request: HttpRequest, ref: str) -> HttpResponse:
    """The progress panel alone, for htmx to swap in while a run goes on."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    ctx = {**_progress_context(request, d), "fragment": True}
    return render(request, "web/schedule/generate.html#progress", ctx)


# The day grid ---------------------------------------------------------------------------------


def _day_param(request: HttpRequest) -> int:
    try:
        day = int(request.GET.get("day", "1"))
    except ValueError:
        return 1
    return day if 1 <= day <= DELIVERY_DAYS else 1


_EMPTY_CELL = '<td class="govuk-table__cell"></td>'


def _drawn_rows(grid: DayGrid) -> list[dict[str, Any]]:
    """Each row of the grid as what the table draws: its label, then in column order either a
    block of sessions (one cell spanning its rows) or the empty cells up to the next block.

    Cells a block above spans draw nothing. Runs of empty cells come as ready-made markup
    (fixed text, nothing from the data), so the template loops over the blocks only, not over
    the hundreds of empty cells of a day in 15-minute rows (about 5% of the page's time).
    """
    drawn = []
    for row in grid.rows:
        parts: list[dict[str, Any]] = []
        empty = 0
        for c in row.cells:
            if c.covered:
                continue
            if c.block is None:
                empty += 1
                continue
            if empty:
                parts.append({"empty": mark_safe(_EMPTY_CELL * empty)})  # noqa: S308 (fixed)
                empty = 0
            parts.append({"block": c.block})
        if empty:
            parts.append({"empty": mark_safe(_EMPTY_CELL * empty)})  # noqa: S308 (fixed)
        drawn.append({"label": row.label, "parts": parts})
    return drawn


@login_required
def schedule_grid(request: HttpRequest, ref: str) -> HttpResponse:
    """One delivery day: a row for each time slot and a column for each peer."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    day = _day_param(request)
    dates = day_dates(d)
    sessions = grid_sessions(d, day=day, internal=_internal(request, d))
    grid = day_grid(
        timetable_for(d),
        day=day,
        day_date=dates.get(day),
        sessions=sessions,
        members=delivery_members(d),
    )
    today = timezone.localdate()
    may_hold = request.user.has_perm(RECORD_HELD, d)
    may_record = d.stage not in ENDED and request.user.has_perm(RECORD_ATTENDANCE, d)
    held_codes = {
        s.code
        for s in grid.sessions
        if may_hold and s.type in HELD_TYPES and day in dates and dates[day] <= today
    }
    return render(
        request,
        "web/schedule/grid.html",
        {
            "d": d,
            "grid": grid,
            "rows": _drawn_rows(grid),
            # The same sessions person by person: the list shown instead of the grid on phones.
            "by_person": [
                (m, [s for s in grid.sessions if m in s.peers.all()]) for m in grid.columns
            ],
            "days": _day_links(dates, day),
            "day1_missing": not dates,
            "unplaced": [s for s in sessions if not s.placed],
            "held_codes": held_codes,
            "attendance_codes": {
                s.code for s in grid.sessions if may_record and s.type in HEARING_TYPES
            },
            "can_plan": request.user.has_perm(PLAN, d),
        },
    )


# People and itineraries -----------------------------------------------------------------------


@login_required
def schedule_people(request: HttpRequest, ref: str) -> HttpResponse:
    """Everyone in the week, each with a link to their itinerary."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    sessions = [
        s for s in visible_sessions(planned_sessions(d), internal=_internal(request, d)) if s.placed
    ]
    peer_counts: dict[int, int] = {}
    attendee_counts: dict[int, int] = {}
    for s in sessions:
        for m in s.peers.all():
            peer_counts[m.pk] = peer_counts.get(m.pk, 0) + 1
        for a in s.attendees.all():
            attendee_counts[a.pk] = attendee_counts.get(a.pk, 0) + 1
    peers = [(m, peer_counts.get(m.pk, 0)) for m in delivery_members(d)]
    attendees = [
        (a, attendee_counts.get(a.pk, 0))
        for a in Attendee.objects.filter(diagnostic=d).order_by("group", "name", "pk")
    ]
    return render(
        request, "web/schedule/people.html", {"d": d, "peers": peers, "attendees": attendees}
    )


@login_required
def itinerary(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """One person's sessions day by day, laid out to print."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    members = list(TeamMember.objects.filter(diagnostic=d).select_related("person"))
    person: TeamMember | Attendee | None = next((m for m in members if m.code == code), None)
    if person is None:
        person = Attendee.objects.filter(diagnostic=d, code=code).first()
    if person is None:
        raise Http404("No such person in this diagnostic")
    sessions = visible_sessions(planned_sessions(d), internal=_internal(request, d))
    dates = day_dates(d)
    plan = person_itinerary(
        person,
        sessions=sessions,
        names={m.pk: m.person.full_name for m in members},
        dates=dates,
    )
    return render(
        request,
        "web/schedule/itinerary.html",
        {"d": d, "plan": plan, "day1_missing": not dates},
    )


# Changing the draft by hand -------------------------------------------------------------------


@login_required
def session_move(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Place one session by hand; the scheduler's checker refuses a move that breaks a rule."""
    d = get_diagnostic_for_user(request.user, ref, perm=PLAN)
    session = _session_for(request, d, code)
    dates = day_dates(d)
    members = delivery_members(d)
    form = MoveForm(
        request.POST or None,
        initial=MoveForm.initial_of(session),
        initial_version=session.version,
        session=session,
        dates=dates,
        members=members,
    )
    if request.method == "POST" and form.is_valid():
        day = form.chosen_day()
        try:
            move_session(
                session,
                by=request.user,  # type: ignore[arg-type]
                day=day,
                start=form.cleaned_data["start"] if day is not None else None,
                peers=form.chosen_peers() if day is not None else None,
                version=form.sent_version(),
            )
        except StaleEdit as e:
            now: Any = e.current
            form.show_conflict(e, current=MoveForm.initial_of(now))
            session = _session_for(request, d, code)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if day is None:
                messages.success(request, f"‘{session.title}’ is taken out of the week")
            else:
                messages.success(request, f"‘{session.title}’ moved to day {day}")
            url = reverse("web:schedule_grid", args=[d.reference])
            return redirect(f"{url}?day={day or 1}")
    return render(
        request,
        "web/schedule/move.html",
        {"d": d, "session": session, "form": form, "day1_missing": not dates},
    )


@login_required
@require_POST
def session_held(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Record a KIT or peer team meeting as held (or, with held=no, as not held)."""
    d = get_diagnostic_for_user(request.user, ref, perm=RECORD_HELD)
    session = _session_for(request, d, code)
    held = request.POST.get("held", "yes") != "no"
    try:
        record_session_held(
            session,
            by=request.user,  # type: ignore[arg-type]
            held=held,
            version=posted_version(request, OUT_OF_DATE),
        )
    except StaleEdit as e:
        state = "held" if e.current.status == SessionStatus.HELD else "not held"  # type: ignore[attr-defined]
        messages.error(
            request,
            f"{e.changed_by_name} changed ‘{session.title}’ at {when_text(e.changed_at)}, after "
            f"you opened it, so nothing has been recorded. It is recorded as {state} now: check "
            "it on the grid and record it again if you need to",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        state = "held" if held else "not held"
        messages.success(request, f"‘{session.title}’ is recorded as {state}")
    url = reverse("web:schedule_grid", args=[d.reference])
    return redirect(f"{url}?day={session.day or 1}")


# Attendance at interviews and focus groups --------------------------------------------------


def _status_tag(s: Session) -> str:
    return {
        SessionStatus.HELD: "Held",
        SessionStatus.RESCHEDULED: "Moved",
        SessionStatus.NOT_ATTENDED: "Did not attend",
        SessionStatus.CONFIRMED: "Confirmed",
        SessionStatus.INVITED: "Invited",
    }.get(s.status, "Not invited yet")  # type: ignore[call-overload]


@login_required
def timetable_attendance(request: HttpRequest, ref: str) -> HttpResponse:
    """The running figures of the week and each interview and focus group with what happened."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    internal = _internal(request, d)
    sessions = [
        s
        for s in visible_sessions(planned_sessions(d), internal=internal)
        if s.placed and s.type in HEARING_TYPES
    ]
    prefetch = Session.objects.filter(pk__in=[s.pk for s in sessions]).prefetch_related("counts")
    counts = {s.pk: list(s.counts.all()) for s in prefetch}
    dates = day_dates(d)
    may_record = request.user.has_perm(RECORD_ATTENDANCE, d)
    rows = [
        {
            "s": s,
            "date": dates.get(s.day),  # type: ignore[arg-type]
            "tag": _status_tag(s),
            "counts": counts.get(s.pk, []),
        }
        for s in sessions
    ]
    return render(
        request,
        "web/schedule/attendance.html",
        {
            "d": d,
            "figures": attendance_figures(d),
            "rows": rows,
            "can_record": may_record and d.stage not in ENDED,
            "day1_missing": not dates,
        },
    )


@login_required
def session_attendance(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Record what happened to one interview or focus group and how many came from each group."""
    d = get_diagnostic_for_user(request.user, ref, perm=RECORD_ATTENDANCE)
    session = _session_for(request, d, code)
    if session.type not in HEARING_TYPES:
        raise Http404("Attendance is recorded for interviews and focus groups")
    groups = attendance_groups(session)
    form = AttendanceForm(
        request.POST or None,
        groups=groups,
        initial=AttendanceForm.initial_of(session, groups),
        initial_version=session.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_attendance(
                session,
                by=request.user,  # type: ignore[arg-type]
                outcome=form.cleaned_data["outcome"],
                counts=form.counts(),
                note=form.cleaned_data["note"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            now = _session_for(request, d, code)
            form.show_conflict(e, current=AttendanceForm.initial_of(now, groups))
            session = now
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Attendance at ‘{session.title}’ is recorded")
            return redirect("web:timetable_attendance", d.reference)
    dates = day_dates(d)
    return render(
        request,
        "web/schedule/session_attendance.html",
        {
            "d": d,
            "session": session,
            "form": form,
            "date": dates.get(session.day) if session.day else None,
            "tag": _status_tag(session),
        },
    )


# The council's agreement ---------------------------------------------------------------------


def agreement_context(request: HttpRequest, d: Diagnostic) -> dict[str, Any]:
    """What the agreement panel (web/schedule/_agreement.html) shows: the state, the changes
    since the agreed version that this reader may see, and whether they may agree now."""
    state: AgreementState = agreement_state(d)
    changes = []
    if state.agreed is not None and state.latest is not None and state.changes:
        changes = visible_changes(
            state.changes,
            state.agreed.snapshot,
            state.latest.snapshot,
            internal=_internal(request, d),
        )
    return {
        "agreement": state,
        "agreement_changes": changes,
        "can_agree": state.needs_agreement
        and d.stage not in ENDED
        and request.user.has_perm(AGREE, d),
    }


@login_required
@require_POST
def timetable_agree(request: HttpRequest, ref: str) -> HttpResponse:
    """The organiser or sponsor agrees the latest published version for the council."""
    d = get_diagnostic_for_user(request.user, ref, perm=AGREE)
    back = "web:timetable" if request.POST.get("back") == "timetable" else "web:timetable_versions"
    try:
        number = int(request.POST.get("number", ""))
    except ValueError:
        messages.error(request, OUT_OF_DATE)
        return redirect(back, d.reference)
    try:
        agree_version(d, by=request.user, number=number)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"You agreed version {number} of the timetable for the council")
    return redirect(back, d.reference)


# Publishing and versions ----------------------------------------------------------------------


@login_required
def timetable_publish(request: HttpRequest, ref: str) -> HttpResponse:
    """What publishing would change and who would hear of it; POST publishes."""
    d = get_diagnostic_for_user(request.user, ref, perm=PUBLISH)
    past = past_changed_sessions(
        d, planned_sessions(d), today=timezone.localdate(), show_internal=_internal(request, d)
    )
    form = PublishForm(request.POST or None, has_past=bool(past))
    confirmed = form.is_bound and form.is_valid() and form.cleaned_data.get("past_confirmed")
    if request.method == "POST" and form.is_valid() and past and not confirmed:
        form.add_error(
            "past_confirmed",
            "Some sessions are in the past: confirm that they are published as a record, with "
            "no e-mails",
        )
    if request.method == "POST" and form.is_valid():
        try:
            version = publish(
                d,
                by=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
                show_internal=_internal(request, d),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Version {version.number} of the timetable is published")
            return redirect("web:timetable_versions", d.reference)
    internal = _internal(request, d)
    sessions = planned_sessions(d)
    latest = latest_version(d)
    old = latest.snapshot if latest else None
    draft = snapshot(d, sessions)
    changes = changes_between(old, draft)
    try:
        blockers = publish_blockers(d, sessions, show_internal=internal)
    except DomainError as e:
        blockers = [e.message]
    return render(
        request,
        "web/schedule/publish.html",
        {
            "d": d,
            "form": form,
            "latest": latest,
            "blockers": blockers,
            "changes": visible_changes(changes, old, draft, internal=internal),
            # The very list `publish` sends from (see timetable.domain.invitations).
            "e_mails": planned_e_mails(d, sessions),
            "past": past,
        },
    )


def _count(snap: dict[str, Any], internal: bool) -> int:
    return sum(1 for s in snap.get("sessions", []) if internal or not s.get("internal"))


@login_required
def timetable_versions(request: HttpRequest, ref: str) -> HttpResponse:
    """The draft and every published version; compare any two."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    internal = _internal(request, d)
    versions = list(
        TimetableVersion.objects.filter(diagnostic=d)
        .select_related("published_by")
        .order_by("-number")
    )
    by_number = {v.number: v for v in versions}
    draft_rows = Session.objects.filter(diagnostic=d, day__isnull=False).exclude(
        status=SessionStatus.CANCELLED
    )
    if not internal:
        draft_rows = draft_rows.exclude(internal_only=True)
    compare = None
    compared: dict[str, Any] | None = None
    if "from" in request.GET or "to" in request.GET:
        compare = CompareForm(request.GET, numbers=sorted(by_number))
        if compare.is_valid():
            old = by_number[compare.cleaned_data["from"]].snapshot
            to = compare.cleaned_data["to"]
            new = snapshot(d) if to == "draft" else by_number[int(to)].snapshot
            compared = {
                "from": compare.cleaned_data["from"],
                "to": to,
                "changes": visible_changes(changes_between(old, new), old, new, internal=internal),
            }
    else:
        initial = {"to": "draft"}
        if versions:
            initial["from"] = str(versions[0].number)
        compare = CompareForm(initial=initial, numbers=sorted(by_number))
    return render(
        request,
        "web/schedule/versions.html",
        {
            "d": d,
            "versions": [(v, _count(v.snapshot, internal)) for v in versions],
            "draft_count": draft_rows.count(),
            "compare": compare,
            "compared": compared,
            "can_publish": request.user.has_perm(PUBLISH, d),
            "can_see_internal": internal,
            **agreement_context(request, d),
        },
    )


@login_required
def timetable_download(request: HttpRequest, ref: str, kind: str) -> HttpResponse:
    """The latest published week as a spreadsheet (xlsx) or a calendar file (ics); the council
    gets it without the peer team's own sessions. 404 before anything is published."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    internal = _internal(request, d)
    if latest_version(d) is None:
        raise Http404("Nothing is published yet")
    if kind == "xlsx":
        body = export_xlsx(d, internal=internal)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = export_ics(d, internal=internal)
        content_type = "text/calendar; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{d.reference}-timetable.{kind}"'
    return response


@login_required
def timetable_version(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    """One published version's sessions by day, and what changed from the version before."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    internal = _internal(request, d)
    version = (
        TimetableVersion.objects.filter(diagnostic=d, number=number)
        .select_related("published_by")
        .first()
    )
    if version is None:
        raise Http404("No such version")
    previous = (
        TimetableVersion.objects.filter(diagnostic=d, number__lt=number).order_by("-number").first()
    )
    old = previous.snapshot if previous else None
    changes = changes_between(old, version.snapshot)
    return render(
        request,
        "web/schedule/version.html",
        {
            "d": d,
            "version": version,
            "previous": previous,
            "days": snapshot_days(version.snapshot, internal=internal),
            "changes": visible_changes(changes, old, version.snapshot, internal=internal),
        },
    )
