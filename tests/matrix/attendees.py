"""Entries for attendees, the availability grid and the attendees spreadsheet."""

from __future__ import annotations

from typing import Any

from peerdiag.common.models import new_code
from peerdiag.timetable.domain.attendees import add_attendee

from . import RC, VIEW, Case, R, rel

# Planning the week: the organiser, the PCM and LGA administrators; not the lead peer or sponsor.
PLAN = rel(anon=302, admin=200, pcm=200, team=403, council=200, sponsor=403, none=404)


def _attendee(d: Any) -> dict[str, str]:
    return {"code": add_attendee(d, by=None, name=f"Ann {new_code()}", group="Social workers").code}


ENTRIES: dict[str, Case] = {
    "web:attendees": Case(VIEW, kwargs=R),
    "web:attendee_add": Case(PLAN, kwargs=R),
    "web:attendee_edit": Case(PLAN, kwargs=RC, make=_attendee),
    # GET is the confirm page; the POST that removes is tested in tests/timetable.
    "web:attendee_remove": Case(PLAN, kwargs=RC, make=_attendee),
    # Everyone who sees the timetable sees the grid; saving it needs the plan permission.
    "web:availability": Case(VIEW, kwargs=RC, make=_attendee),
    "web:availability_template": Case(VIEW, kwargs=R),
    "web:availability_import": Case(PLAN, kwargs=R),
}
