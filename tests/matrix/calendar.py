"""Entries for calendars: your own feed address, a new address, and the feed itself.

None of these URLs names a diagnostic. The feed is public to whoever holds its address (the
token is the secret), so every role gets it; an unknown token is tested in
tests/timetable/test_feed.py.
"""

from __future__ import annotations

from typing import Any

from peerdiag.common.models import new_code
from peerdiag.timetable.domain.feeds import feed_for_attendee
from peerdiag.timetable.models import Attendee

from . import PUBLIC, SIGNED_IN, Case, rel

# Signed in: back to your calendar page with a new address; visitors: to sign in.
REDIRECTED = rel(anon=302, admin=302, pcm=302, team=302, council=302, none=302)


def _feed(d: Any) -> dict[str, str]:
    attendee = Attendee.objects.create(diagnostic=d, name=f"Matrix {new_code()}", group="Partners")
    return {"token": feed_for_attendee(attendee).token}


ENTRIES: dict[str, Case] = {
    "web:my_calendar": Case(SIGNED_IN),
    "web:my_calendar_reset": Case(REDIRECTED, method="POST"),
    "web:calendar_feed": Case(PUBLIC, kwargs=("token",), make=_feed, per_user=True),
}
