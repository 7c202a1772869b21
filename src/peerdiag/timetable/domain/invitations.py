"""Invitations, updates and cancellations by e-mail, each with iCalendar (.ics) files.

Called by versions.publish inside its transaction. What each person was last sent for each
session is kept in SentInvitation, so a publish writes only to people whose sessions changed:
a REQUEST for a new or changed session (same UID, the session's new SEQUENCE) and a CANCEL for
a session they no longer attend or that left the timetable. Each person gets one e-mail per
publish, sent once the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from typing import Any, Literal

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..enums import InvitationMethod
from ..models import Attendee, SentInvitation, Session, TimetableVersion
from . import ics
from .feeds import feed_url_for_attendee
from .outbound import Redactor, redactor_for

Kind = Literal["new", "updated", "cancelled"]


@dataclass(frozen=True)
class InvitationSummary:
    """How many invitations of each kind went out, and to how many people."""

    invited: int = 0
    updated: int = 0
    cancelled: int = 0
    recipients: int = 0


@dataclass
class _Item:
    kind: Kind
    session: dict[str, Any]
    people: list[dict[str, Any]]

    @property
    def method(self) -> Literal["REQUEST", "CANCEL"]:
        return "CANCEL" if self.kind == "cancelled" else "REQUEST"


@dataclass
class _Recipient:
    email: str
    name: str
    attendee_code: str = ""  # set for a council attendee (their feed goes in the e-mail)
    items: list[_Item] = field(default_factory=list)


def organiser() -> dict[str, str]:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return {"name": name or "peerdiag", "email": address or settings.DEFAULT_FROM_EMAIL}


def _when(s: dict[str, Any]) -> str:
    if not s.get("date"):
        return "time to be confirmed"
    d = date.fromisoformat(s["date"])
    return f"{d:%A} {d.day} {d:%B %Y} (day {s['day']}), {s['start']} to {s['end']}"


def _line(item: _Item) -> str:
    s = item.session
    text = f"- {_when(s)}: {s['title']}"
    if item.kind != "cancelled" and s.get("link"):
        text += f"\n  Join online: {s['link']}"
    if item.kind != "cancelled" and s.get("young_people") and s.get("supporting_adult"):
        text += f"\n  Supporting adult: {s['supporting_adult']}"
    return text


HEADINGS: dict[Kind, str] = {
    "new": "New sessions for you:",
    "updated": "Sessions that have changed (the attached file updates your calendar):",
    "cancelled": "Sessions you no longer need to attend:",
}


def _body(r: _Recipient, version: TimetableVersion, feed: str) -> str:
    d = version.diagnostic
    lines = [
        f"Hello {r.name or r.email},",
        "",
        f"The delivery timetable of {d.title} ({d.reference}) has been published "
        f"(version {version.number}). These are the changes to your sessions.",
    ]
    for kind in ("new", "updated", "cancelled"):
        items = [i for i in r.items if i.kind == kind]
        if items:
            lines += ["", HEADINGS[kind], *(_line(i) for i in items)]
    lines += [
        "",
        "Each session is attached as a calendar file: open it to add, update or remove the "
        "session in your calendar.",
    ]
    if feed:
        lines += [
            "",
            "To see all your sessions, kept up to date, subscribe your calendar app to this "
            "private address (do not share it):",
            feed,
        ]
    return "\n".join(lines) + "\n"


def _subject(r: _Recipient, version: TimetableVersion) -> str:
    ref = version.diagnostic.reference
    if all(i.kind == "new" for i in r.items):
        return f"{ref}: your delivery week sessions"
    if all(i.kind == "cancelled" for i in r.items):
        return f"{ref}: sessions cancelled"
    return f"{ref}: changes to your delivery week sessions"


def _people(s: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """(person, is council attendee) for everyone who should be invited to session `s`."""
    out = [(p, False) for p in s.get("peers", [])]
    if not s.get("internal"):
        out += [(a, True) for a in s.get("attendees", [])]
    return out


def _plan(
    version: TimetableVersion, previous: TimetableVersion | None, redactor: Redactor
) -> list[_Recipient]:
    diagnostic = version.diagnostic
    # What goes out names no child: young attendees are only "Young people (4)" (see outbound).
    sessions = {s["code"]: redactor.session(s) for s in version.snapshot.get("sessions", [])}
    before = {
        s["code"]: redactor.session(s)
        for s in (previous.snapshot.get("sessions", []) if previous else [])
    }
    rows = {s.code: s for s in Session.objects.filter(diagnostic=diagnostic)}
    sent: dict[tuple[str, str], SentInvitation] = {}
    for inv in SentInvitation.objects.filter(session__diagnostic=diagnostic).select_related(
        "session"
    ):
        sent[(inv.session.code, inv.email.lower())] = inv

    # Children and young people are never e-mailed: the organiser reaches them through their
    # supporting adult, who is named on the session. (The redactor has already folded them into
    # one entry with no address; this also covers anyone marked young since the publish.)
    young = set(redactor.codes)
    recipients: dict[str, _Recipient] = {}
    wanted: dict[str, set[str]] = {}
    for code, s in sessions.items():
        for p, council in _people(s):
            email = (p.get("email") or "").strip().lower()
            if not email or (council and p.get("code") in young):
                continue
            r = recipients.setdefault(email, _Recipient(email=email, name=p["name"]))
            if council and not r.attendee_code:
                r.attendee_code = p["code"]
            wanted.setdefault(email, set()).add(code)
            last = sent.get((code, email))
            if (
                last is not None
                and last.method == InvitationMethod.REQUEST
                and last.sequence >= s["sequence"]
            ):
                continue
            kind: Kind = (
                "updated" if last is not None and last.method == InvitationMethod.REQUEST else "new"
            )
            r.items.append(_Item(kind, s, ics.people_of(s)))

    for (code, email), last in sent.items():
        if last.method != InvitationMethod.REQUEST or code in wanted.get(email, set()):
            continue
        row = rows.get(code)
        if row is None:
            continue
        if code in sessions:  # the session goes on without this person
            gone = dict(sessions[code])
            people = [{"name": last.name, "email": email}]
        else:  # the session left the timetable
            gone = dict(
                before.get(code)
                or {"code": code, "title": redactor.text(row.title), "uid": row.uid}
            )
            people = (
                ics.people_of(gone) if code in before else [{"name": last.name, "email": email}]
            )
        gone["sequence"] = row.sequence
        r = recipients.setdefault(email, _Recipient(email=email, name=last.name))
        r.items.append(_Item("cancelled", gone, people))

    out = [r for r in recipients.values() if r.items]
    for r in out:
        r.items.sort(key=lambda i: (i.session.get("date", ""), i.session.get("start", "")))
    return out


def send_invitations(
    version: TimetableVersion, *, previous: TimetableVersion | None
) -> InvitationSummary:
    """E-mail everyone whose sessions changed in `version`: invitations, updates, cancellations.

    Side effects: SentInvitation rows (what each person was last sent); calendar feeds for
    council attendees who get an e-mail; the e-mails themselves, sent when the surrounding
    transaction commits.
    """
    diagnostic = version.diagnostic
    published = [v for v in (version, previous) if v is not None]
    seen = {"sessions": [s for v in published for s in v.snapshot.get("sessions", [])]}
    plan = _plan(version, previous, redactor_for(diagnostic, snapshot=seen))
    org = organiser()
    stamp = ics.now()
    when = timezone.now()
    rows = {s.code: s for s in Session.objects.filter(diagnostic=diagnostic)}
    attendees = {a.code: a for a in Attendee.objects.filter(diagnostic=diagnostic)}
    messages = []
    counts = {"new": 0, "updated": 0, "cancelled": 0}
    for r in plan:
        feed = ""
        if r.attendee_code and r.attendee_code in attendees:
            feed = feed_url_for_attendee(attendees[r.attendee_code])
        elif not r.attendee_code:
            feed = settings.SITE_URL.rstrip("/") + reverse("web:my_calendar")
        msg = mail.EmailMessage(
            subject=_subject(r, version),
            body=_body(r, version, feed),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[r.email],
        )
        for n, item in enumerate(r.items, start=1):
            content = ics.invitation(
                item.session,
                method=item.method,
                organiser=org,
                people=item.people,
                stamp=stamp,
                reference=diagnostic.reference,
            )
            name = "cancelled" if item.method == "CANCEL" else "invitation"
            msg.attach(
                f"{name}-{n}.ics",
                content.decode("utf-8"),
                f"text/calendar; method={item.method}",
            )
            counts[item.kind] += 1
            SentInvitation.objects.update_or_create(
                session=rows[item.session["code"]],
                email=r.email,
                defaults={
                    "name": r.name,  # attendees, people and invitations all hold 200
                    "sequence": item.session["sequence"],
                    "method": InvitationMethod.CANCEL
                    if item.method == "CANCEL"
                    else InvitationMethod.REQUEST,
                    "sent_at": when,
                },
            )
        messages.append(msg)
    if messages:
        transaction.on_commit(lambda: _send(messages))
    return InvitationSummary(
        invited=counts["new"],
        updated=counts["updated"],
        cancelled=counts["cancelled"],
        recipients=len(messages),
    )


def _send(messages: list[mail.EmailMessage]) -> None:
    with mail.get_connection() as connection:
        connection.send_messages(messages)
