"""iCalendar (.ics) files made from a published version's snapshot: pure, no database.

Every function here takes snapshot session dicts (see versions.snapshot) and returns bytes.
Times in the snapshot are wall-clock times in England, so events carry TZID=Europe/London and
the calendar carries a VTIMEZONE for it written as two yearly rules (summer time from the last
Sunday of March at 01:00 UTC, back on the last Sunday of October at 02:00 BST). Some versions of
desktop Outlook misread a zone given as a list of dated changes (RDATE) and shift summer meetings
by an hour; the rule form is the one every calendar reads the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
)
from icalendar.enums import STATUS

from ..enums import SessionType

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Local Government Association//peerdiag//EN"

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]


def local_times(session: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """The session's start and end as aware London datetimes (None if it has no date)."""
    if not session.get("date") or not session.get("start") or not session.get("end"):
        return None
    day = date.fromisoformat(session["date"])
    sh, sm = (int(x) for x in session["start"].split(":"))
    eh, em = (int(x) for x in session["end"].split(":"))
    start = datetime(day.year, day.month, day.day, sh, sm, tzinfo=LONDON)
    end = datetime(day.year, day.month, day.day, eh, em, tzinfo=LONDON)
    if end <= start:  # a session that runs past midnight
        end += timedelta(days=1)
    return start, end


def type_label(session: dict[str, Any]) -> str:
    try:
        return str(SessionType(session.get("type", "")).label)
    except ValueError:
        return "Session"


def describe(session: dict[str, Any], *, reference: str = "") -> str:
    """The plain-text DESCRIPTION: what the session is, who is in it, and how to join."""
    lines = [type_label(session) + (f" for {reference}" if reference else "")]
    if session.get("day"):
        lines.append(f"Delivery day {session['day']}")
    if session.get("group"):
        lines.append(f"Stakeholder group: {session['group']}")
    if session.get("chair"):
        lines.append(f"Chair: {session['chair']}")
    peers = ", ".join(p["name"] for p in session.get("peers", []))
    if peers:
        lines.append(f"Peers: {peers}")
    attendees = ", ".join(p["name"] for p in session.get("attendees", []))
    if attendees:
        lines.append(f"Taking part: {attendees}")
    if session.get("young_people"):
        adult = session.get("supporting_adult") or "to be confirmed"
        lines.append(f"Children or young people take part; supporting adult: {adult}")
    if session.get("link"):
        lines.append(f"Join online: {session['link']}")
    return "\n".join(lines)


def _address(person: dict[str, Any], *, organiser: bool = False) -> vCalAddress:
    if organiser:
        return vCalAddress.new(person["email"], cn=person.get("name") or None)
    return vCalAddress.new(
        person["email"],
        cn=person.get("name") or None,
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=False,
    )


def people_of(session: dict[str, Any], *, council_sees: bool = True) -> list[dict[str, Any]]:
    """Peers then attendees of a session; internal sessions list peers only."""
    people = list(session.get("peers", []))
    if council_sees and not session.get("internal"):
        people += list(session.get("attendees", []))
    return people


def event(
    session: dict[str, Any],
    *,
    organiser: dict[str, str] | None,
    people: Iterable[dict[str, Any]] | None = None,
    cancelled: bool = False,
    stamp: datetime,
    reference: str = "",
) -> Event:
    """One VEVENT for a snapshot session; `people` become ATTENDEE lines (those with e-mail)."""
    listed = [p for p in (people if people is not None else people_of(session)) if p.get("email")]
    ev = Event.new(
        uid=session["uid"],
        sequence=int(session.get("sequence", 0)),
        summary=session["title"],
        stamp=stamp,
        description=describe(session, reference=reference),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        organizer=_address(organiser, organiser=True) if organiser else None,
        attendees=[_address(p) for p in listed] or None,
        location=session.get("link") or None,
        url=session.get("link") or None,
    )
    times = local_times(session)
    if times is not None:
        ev.start, ev.end = times
    return ev


def calendar(events: Sequence[Event], *, method: Method | None, name: str | None = None) -> bytes:
    """A VCALENDAR holding `events` and the VTIMEZONE their times need."""
    cal = Calendar.new(prodid=PRODID, method=method, name=name)
    # The zone comes before the events that use it, as Outlook writes its own files.
    if any("DTSTART" in ev for ev in events):
        cal.add_component(london_timezone())
    for ev in events:
        cal.add_component(ev)
    return bytes(cal.to_ical())


def london_timezone() -> Timezone:
    """Europe/London as a VTIMEZONE of two yearly rules (see the module's docstring)."""
    tz = Timezone()
    tz.add("tzid", "Europe/London")
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("tzoffsetfrom", timedelta(0))
    summer.add("tzoffsetto", timedelta(hours=1))
    summer.add("dtstart", datetime(1970, 3, 29, 1, 0))
    summer.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("tzoffsetfrom", timedelta(hours=1))
    winter.add("tzoffsetto", timedelta(0))
    winter.add("dtstart", datetime(1970, 10, 25, 2, 0))
    winter.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def now() -> datetime:
    return datetime.now(tz=UTC).replace(microsecond=0)


def invitation(
    session: dict[str, Any],
    *,
    method: Literal["REQUEST", "CANCEL"],
    organiser: dict[str, str],
    people: Iterable[dict[str, Any]] | None = None,
    stamp: datetime | None = None,
    reference: str = "",
) -> bytes:
    """An iTIP message for one session: an invitation or update (REQUEST) or a CANCEL."""
    ev = event(
        session,
        organiser=organiser,
        people=people,
        cancelled=method == "CANCEL",
        stamp=stamp or now(),
        reference=reference,
    )
    return calendar([ev], method=method)


def feed(
    sessions: Iterable[dict[str, Any]],
    *,
    name: str,
    organiser: dict[str, str] | None = None,
    stamp: datetime | None = None,
    references: dict[str, str] | None = None,
    organisers: dict[str, dict[str, str]] | None = None,
) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH) of published sessions.

    `references` maps a session uid to its diagnostic reference, shown in the description;
    `organisers` maps it to the ORGANIZER (its PCM), falling back to `organiser`.
    """
    when = stamp or now()
    events = [
        event(
            s,
            organiser=(organisers or {}).get(s["uid"], organiser),
            stamp=when,
            reference=(references or {}).get(s["uid"], ""),
        )
        for s in sessions
    ]
    return calendar(events, method="PUBLISH", name=name)
