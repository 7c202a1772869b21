"""Entries for the delivery-week timetable in the API.

As on the pages: everyone who may see the diagnostic reads the week; the PCM, LGA administrators
and the council's organiser plan, generate and publish it (the lead peer and the sponsor only
read). In the matrix world day 1 is not set, so publishing and generating get as far as the
domain's refusal (400) for those allowed to try.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db.models import Max
from django.utils import timezone

from peerdiag.common import jobs
from peerdiag.common.models import Job, JobState, new_code
from peerdiag.timetable.domain.attendees import add_attendee
from peerdiag.timetable.domain.runs import KIND
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Session, TimetableVersion

from . import A_VIEW, Case, R, rel


def a_plan(ok: int) -> dict[str, int]:
    """Planning the week: not the lead peer (team) nor the sponsor, but the organiser may."""
    return rel(anon=401, admin=ok, pcm=ok, team=403, council=ok, sponsor=403, none=404)


RC = ("ref", "code")


def _session(d: Any) -> Session:
    return Session.objects.create(
        diagnostic=d, type=SessionType.INTERVIEW, title=f"Talk {new_code()}", day=1, start=time(10)
    )


def _attendee(d: Any) -> Any:
    return add_attendee(d, by=None, name=f"Ann {new_code()}", group="Social workers")


def _a_session(d: Any) -> dict[str, str]:
    return {"code": _session(d).code}


def _some_session(d: Any) -> dict[str, str]:
    _session(d)
    return {}


def _session_with_attendee(d: Any) -> dict[str, str]:
    s, a = _session(d), _attendee(d)
    s.attendees.set([a])
    return {"code": s.code, "attendee": a.code}


def _an_attendee(d: Any) -> dict[str, str]:
    return {"code": _attendee(d).code}


def _version(d: Any) -> dict[str, str]:
    n = (TimetableVersion.objects.filter(diagnostic=d).aggregate(n=Max("number"))["n"] or 0) + 1
    TimetableVersion.objects.create(
        diagnostic=d,
        number=n,
        published_at=timezone.now(),
        problem={},
        solution={},
        snapshot={"days": {}, "sessions": [], "unscheduled": []},
    )
    return {"number": str(n)}


def _published(d: Any) -> dict[str, str]:
    _version(d)
    return {}


def _latest_number(d: Any) -> dict[str, Any]:
    n = TimetableVersion.objects.filter(diagnostic=d).aggregate(n=Max("number"))["n"] or 0
    return {"version": n}


def _run(d: Any, state: str = JobState.RUNNING) -> dict[str, str]:
    run = jobs.create_job(KIND, diagnostic=d, by=None, time_limit=20)
    Job.objects.filter(pk=run.pk).update(state=state, started_at=timezone.now())
    return {"code": run.code}


def _finished_run(d: Any) -> dict[str, str]:
    return _run(d, JobState.DONE)


ENTRIES: dict[str, Case] = {
    "api:timetable_session_list": Case(A_VIEW, kwargs=R, make=_some_session, api=True),
    "api:timetable_session_detail": Case(A_VIEW, kwargs=RC, make=_a_session, api=True),
    "api:timetable_session_create": Case(
        a_plan(201),
        method="POST",
        data={"type": "interview", "title": "A talk with social workers"},
        kwargs=R,
        api=True,
    ),
    "api:timetable_session_update": Case(
        a_plan(200),
        method="PATCH",
        data={"version": 1, "title": "A longer talk"},
        kwargs=RC,
        make=_a_session,
        api=True,
    ),
    "api:timetable_session_delete": Case(
        a_plan(200), method="DELETE", kwargs=RC, make=_a_session, api=True
    ),
    "api:timetable_session_attendee_list": Case(A_VIEW, kwargs=RC, make=_a_session, api=True),
    "api:timetable_session_attendee_add": Case(
        a_plan(200),
        method="POST",
        data=lambda d: {"attendee": _attendee(d).code, "version": 1},
        kwargs=RC,
        make=_a_session,
        api=True,
    ),
    "api:timetable_session_attendee_remove": Case(
        a_plan(200),
        method="DELETE",
        kwargs=("ref", "code", "attendee"),
        make=_session_with_attendee,
        api=True,
    ),
    "api:timetable_attendee_list": Case(A_VIEW, kwargs=R, make=_an_attendee, api=True),
    "api:timetable_availability": Case(A_VIEW, kwargs=R, make=_an_attendee, api=True),
    "api:timetable_availability_set": Case(
        a_plan(200),
        method="PUT",
        data={"version": 1, "all_week": True},
        kwargs=RC,
        make=_an_attendee,
        api=True,
    ),
    "api:timetable_version_list": Case(A_VIEW, kwargs=R, make=_published, api=True),
    "api:timetable_version_latest": Case(A_VIEW, kwargs=R, make=_published, api=True),
    "api:timetable_version_detail": Case(A_VIEW, kwargs=("ref", "number"), make=_version, api=True),
    # Nothing is placed in the matrix world, so publishing is refused with the reason.
    "api:timetable_publish": Case(
        a_plan(400), method="POST", data=_latest_number, kwargs=R, api=True
    ),
    # Day 1 is not set in the matrix world, so the week cannot be solved yet: refused.
    "api:timetable_run_start": Case(
        a_plan(400), method="POST", data={"seconds": 5}, kwargs=R, api=True
    ),
    "api:timetable_publish_preview": Case(a_plan(200), kwargs=R, api=True),
    "api:timetable_run_detail": Case(a_plan(200), kwargs=RC, make=_run, api=True),
    "api:timetable_run_cancel": Case(a_plan(200), method="DELETE", kwargs=RC, make=_run, api=True),
    "api:timetable_run_result": Case(a_plan(200), kwargs=RC, make=_finished_run, api=True),
}
