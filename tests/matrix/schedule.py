"""Entries for the schedule pages: generate, the day grid, itineraries, moves, held meetings,
attendance, publishing, versions and the council's agreement. Planning and publishing are for
the LGA, the PCM and the council's organiser; the lead peer and the sponsor only read. Marking
meetings held is for the PCM (and LGA admins); attendance at interviews and focus groups is
recorded by them and the organiser. The organiser or the sponsor agrees a published version."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db.models import Max
from django.utils import timezone

from peerdiag.common.models import new_code
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Attendee, Session, TimetableVersion

from . import CHANGE_POST, RC, VIEW, Case, R, rel

# Generate, move and publish: not the lead peer (team) nor the sponsor, but the organiser may.
PLAN = rel(anon=302, admin=200, pcm=200, team=403, council=200, sponsor=403, none=404)


def _session(d: Any, type: str = SessionType.INTERVIEW) -> Session:
    s = Session.objects.create(
        diagnostic=d, type=type, title=f"Talk {new_code()}", day=1, start=time(10, 0)
    )
    member = d.team.order_by("pk").first()
    if member is not None:
        s.peers.set([member])
    return s


def _move(d: Any) -> dict[str, str]:
    return {"code": _session(d).code}


def _kit(d: Any) -> dict[str, str]:
    return {"code": _session(d, SessionType.KIT).code}


def _attendee(d: Any) -> dict[str, str]:
    a = Attendee.objects.create(diagnostic=d, name=f"Ann {new_code()}", group="Social workers")
    _session(d).attendees.set([a])
    return {"code": a.code}


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


# Recording attendance: as planning (the organiser, not the sponsor or the lead peer).
ATTEND = PLAN
# Agreeing for the council: the organiser and the sponsor; a refusal (already agreed, nothing
# published) comes back as a message on the versions page, so every council call redirects.
# The LGA administrator passes every permission (a superuser) but the domain function refuses
# anyone who is not the organiser or sponsor: a message and a redirect, nothing agreed
# (tests/timetable/test_council_agreement.py).
AGREE = rel(anon=302, admin=302, pcm=403, team=403, council=302, sponsor=302, none=404)


ENTRIES: dict[str, Case] = {
    "web:schedule_generate": Case(PLAN, kwargs=R),
    "web:schedule_progress": Case(PLAN, kwargs=R),
    "web:schedule_grid": Case(VIEW, kwargs=R, make=_move),
    "web:schedule_people": Case(VIEW, kwargs=R, make=_attendee),
    "web:itinerary": Case(VIEW, kwargs=RC, make=_attendee),
    "web:session_move": Case(PLAN, kwargs=RC, make=_move),
    # Refused with a message (day 1 is not set in the matrix world) and a redirect to the grid.
    "web:session_held": Case(CHANGE_POST, method="POST", kwargs=RC, make=_kit),
    "web:timetable_publish": Case(PLAN, kwargs=R),
    "web:timetable_attendance": Case(VIEW, kwargs=R, make=_move),
    "web:session_attendance": Case(ATTEND, kwargs=RC, make=_move),
    "web:timetable_agree": Case(
        AGREE,
        method="POST",
        kwargs=R,
        make=_published,
        data=lambda d: {"number": str(d.timetable_versions.order_by("-number")[0].number)},
    ),
    "web:timetable_versions": Case(VIEW, kwargs=R, make=_version),
    "web:timetable_version": Case(VIEW, kwargs=("ref", "number"), make=_version),
    "web:timetable_download_xlsx": Case(VIEW, kwargs=R, make=_published),
    "web:timetable_download_ics": Case(VIEW, kwargs=R, make=_published),
}
