"""Private calendar feeds: one secret address per person or attendee, read by calendar apps.

The token in the address is the only key, so a feed shows nothing but that person's published
sessions, and a council attendee's feed never shows a session marked internal. Making a new
address replaces the token, so the old address stops working at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from peerdiag.diagnostics.enums import ENDED, TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.directory.models import Person

from ..models import Attendee, CalendarFeed, _token
from . import ics
from .outbound import redactors_by_reference
from .problem import latest_version


def feed_for_person(person: Person) -> CalendarFeed:
    """The person's feed, made on first use. Side effect: may create a CalendarFeed."""
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return feed


def feed_for_attendee(attendee: Attendee) -> CalendarFeed:
    """The attendee's feed, made on first use. Side effect: may create a CalendarFeed."""
    feed, _ = CalendarFeed.objects.get_or_create(attendee=attendee)
    return feed


def feed_url(feed: CalendarFeed) -> str:
    """The feed's absolute address (PEERDIAG_SITE_URL and the calendar path)."""
    return settings.SITE_URL.rstrip("/") + reverse("web:calendar_feed", args=[feed.token])


def feed_url_for_person(person: Person) -> str:
    return feed_url(feed_for_person(person))


def feed_url_for_attendee(attendee: Attendee) -> str:
    """The attendee's private feed address, for their invitation and the organiser's pages."""
    return feed_url(feed_for_attendee(attendee))


def renew_feed(person: Person) -> CalendarFeed:
    """Give the person's feed a new secret token; the old address stops working.

    Side effects: the CalendarFeed's token (made if there was none). Nothing is audited: the
    feed belongs to the person, not to one diagnostic.
    """
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(person=person)
        if not created:
            feed.token = _token()
            feed.save(update_fields=["token"])
    return feed


def _open(diagnostic: Diagnostic) -> bool:
    return diagnostic.stage not in ENDED


def _sessions_of_person(person: Person) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    members = TeamMember.objects.filter(person=person).select_related("diagnostic")
    codes: dict[int, set[str]] = {}
    diagnostics: dict[int, Diagnostic] = {}
    for m in members:
        codes.setdefault(m.diagnostic_id, set()).add(m.code)
        diagnostics[m.diagnostic_id] = m.diagnostic
    for pk, d in diagnostics.items():
        version = latest_version(d) if _open(d) else None
        if version is None:
            continue
        for s in version.snapshot.get("sessions", []):
            if codes[pk] & {p["code"] for p in s.get("peers", [])}:
                out.append((d.reference, s))
    # A council person also sees what they attend under the same e-mail address.
    if person.email:
        for a in Attendee.objects.filter(email__iexact=person.email).select_related("diagnostic"):
            if a.diagnostic_id not in diagnostics:
                out += _sessions_of_attendee(a)
    return out


def _sessions_of_attendee(attendee: Attendee) -> list[tuple[str, dict[str, Any]]]:
    d = attendee.diagnostic
    version = latest_version(d) if _open(d) else None
    if version is None:
        return []
    return [
        (d.reference, s)
        for s in version.snapshot.get("sessions", [])
        if not s.get("internal") and attendee.code in {a["code"] for a in s.get("attendees", [])}
    ]


def feed_sessions(feed: CalendarFeed) -> list[tuple[str, dict[str, Any]]]:
    """(diagnostic reference, snapshot session) for every published session in the feed."""
    if feed.person_id is not None:
        assert feed.person is not None
        found = _sessions_of_person(feed.person)
    else:
        assert feed.attendee is not None
        found = _sessions_of_attendee(feed.attendee)
    seen: set[str] = set()
    unique = []
    for ref, s in found:
        if s["uid"] not in seen:
            seen.add(s["uid"])
            unique.append((ref, s))
    unique.sort(key=lambda x: (x[1]["date"], x[1]["start"], x[1]["title"]))
    return unique


def organisers_by_reference(references: Any) -> dict[str, dict[str, str]]:
    """Each diagnostic's PCM as the organiser of its meetings ({"name", "email"}), by reference;
    a diagnostic with no PCM who has an e-mail address is left out. One query."""
    found: dict[str, dict[str, str]] = {}
    pcms = (
        TeamMember.objects.filter(
            diagnostic__reference__in=set(references), role=TeamRole.PEER_CHALLENGE_MANAGER
        )
        .exclude(person__email="")
        .select_related("person", "diagnostic")
        .order_by("pk")
    )
    for m in pcms:
        found.setdefault(
            m.diagnostic.reference, {"name": m.person.full_name, "email": m.person.email}
        )
    return found


def feed_calendar(token: str) -> bytes | None:
    """The .ics of the feed with this token; None when no feed has it."""
    feed = (
        CalendarFeed.objects.select_related("person", "attendee__diagnostic")
        .filter(token=token)
        .first()
    )
    if feed is None or not token:
        return None
    found = feed_sessions(feed)
    owner = feed.person.full_name if feed.person else feed.attendee.name if feed.attendee else ""
    if feed.attendee is not None and feed.attendee.young_person:
        owner = ""  # a child's feed does not carry their name either
    # The feed lands in outside calendars: children appear only as "Young people (4)".
    redactors = redactors_by_reference(ref for ref, _ in found)
    pcms = organisers_by_reference(ref for ref, _ in found)
    return ics.feed(
        [redactors[ref].session(s) for ref, s in found],
        name="Peer diagnostic sessions" + (f": {owner}" if owner else ""),
        references={s["uid"]: ref for ref, s in found},
        organisers={s["uid"]: pcms[ref] for ref, s in found if ref in pcms},
    )
