"""Entries for the delivery week's own pages: the week, settings, sessions, links, coverage.

Everyone who may see the diagnostic reads the week; the PCM, administrators and the council's
organiser plan it (the lead peer and the sponsor only read).
"""

from __future__ import annotations

from typing import Any

from peerdiag.common.models import new_code
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Session

from . import CHANGE, CHANGE_POST, RC, VIEW, Case, R, rel

PLAN = rel(anon=302, admin=200, pcm=200, team=403, council=200, sponsor=403, none=404)
PLAN_POST = rel(anon=302, admin=302, pcm=302, team=403, council=302, sponsor=403, none=404)


def _session(d: Any) -> dict[str, str]:
    s = Session.objects.create(
        diagnostic=d, type=SessionType.INTERVIEW, title=f"Interview {new_code()}"
    )
    return {"code": s.code}


ENTRIES: dict[str, Case] = {
    "web:timetable": Case(VIEW, kwargs=R),
    # The first call makes the meetings; later ones are refused with a message. Both redirect.
    "web:timetable_seed": Case(PLAN_POST, method="POST", kwargs=R),
    "web:timetable_settings": Case(PLAN, kwargs=R),
    "web:coverage": Case(VIEW, kwargs=R),
    # Who the week must hear from: the PCM and administrators dismiss a warning, or bring it back
    # (with nothing dismissed the restore is refused with a message: still a redirect).
    "web:must_hear_dismiss": Case(CHANGE, kwargs=("ref", "role")),
    "web:must_hear_restore": Case(CHANGE_POST, method="POST", kwargs=("ref", "role")),
    "web:session_links": Case(PLAN, kwargs=R),
    "web:session_add": Case(PLAN, kwargs=R),
    "web:session_edit": Case(PLAN, kwargs=RC, make=_session),
    # The confirm page; the POST that removes is tried in tests/web/test_timetable_pages.py.
    "web:session_remove": Case(PLAN, kwargs=RC, make=_session),
}
