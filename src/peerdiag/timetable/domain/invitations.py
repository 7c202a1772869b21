"""Invitations, updates and cancellations by e-mail, each with iCalendar (.ics) files.

Called by versions.publish inside its transaction. What each person was last sent for each
session is kept in SentInvitation, so a publish writes only to people whose sessions changed:
a REQUEST for a new or changed session (same UID, the session's new SEQUENCE) and a CANCEL for
a session they no longer attend or that left the timetable. Each person gets one e-mail per
publish, sent once the transaction commits.

`planned_messages` is what the publish page shows before anyone presses the button, and
`send_invitations` sends exactly that list: both come from `_plan`, so the page cannot promise
one thing and the publish do another.

The PCM is the ORGANIZER of every invitation and receives the replies (or the mailbox set in
PEERDIAG_REPLY_TO, when there is one); the e-mail itself comes from the service's address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from typing import Any, Literal

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from peerdiag.common import outbox
from peerdiag.common.models import MailKind
from peerdiag.diagnostics.models import Diagnostic, TeamMember

from ..enums import InvitationMethod
from ..models import Attendee, SentInvitation, Session, TimetableVersion
from . import ics
from .feeds import feed_url_for_attendee, feed_url_for_person, organisers_by_reference
from .outbound import Redactor, redactor_for

Kind = Literal["new", "updated", "cancelled"]


@dataclass(frozen=True)
class InvitationSummary:
    """How many invitations of each kind went out, and to how many people."""

    invited: int = 0
    updated: int = 0
    cancelled: int = 0
    recipients: int = 0


@dataclass(frozen=True)
class PlannedMessage:
    """One e-mail a publish will send: to whom, and which sessions it invites, updates or
    cancels, as (kind, session code) pairs in date order."""

    email: str
    name: str
    sessions: tuple[tuple[Kind, str], ...]

    def count(self, kind: Kind) -> int:
        return sum(1 for k, _ in self.sessions if k == kind)

    @property
    def invited(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def cancelled(self) -> int:
        return self.count("cancelled")


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
    peer_code: str = ""  # set for a member of the peer team (likewise)
    items: list[_Item] = field(default_factory=list)


def service_address() -> dict[str, str]:
    """The service's own sender, from PEERDIAG_FROM_EMAIL."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return {"name": name or "peerdiag", "email": address or settings.DEFAULT_FROM_EMAIL}


def organiser(diagnostic: Diagnostic | None = None) -> dict[str, str]:
    """Who organises the diagnostic's meetings: its PCM (the first, if there are two), or the
    service's own address when no PCM with an e-mail address is on the team."""
    if diagnostic is not None:
        found = organisers_by_reference([diagnostic.reference])
        if diagnostic.reference in found:
            return found[diagnostic.reference]
    return service_address()


def reply_to(org: dict[str, str]) -> list[str]:
    """Where replies and declines go: PEERDIAG_REPLY_TO when set, else the organiser, unless
    the organiser is the service's own (unwatched) address."""
    if settings.PEERDIAG_REPLY_TO:
        return [settings.PEERDIAG_REPLY_TO]
    if org["email"].lower() == service_address()["email"].lower():
        return []
    return [org["email"]]


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
    # A session that is already over is published as a record, but nobody is e-mailed about it.
    today = timezone.localdate().isoformat()
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
            if not council and not r.peer_code:
                r.peer_code = p.get("code", "")
            wanted.setdefault(email, set()).add(code)
            if str(s.get("date") or today) < today:
                continue
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
        if str(gone.get("date") or today) < today:
            continue
        gone["sequence"] = row.sequence
        r = recipients.setdefault(email, _Recipient(email=email, name=last.name))
        r.items.append(_Item("cancelled", gone, people))

    out = [r for r in recipients.values() if r.items]
    for r in out:
        r.items.sort(key=lambda i: (i.session.get("date", ""), i.session.get("start", "")))
    return out


def _recipients(version: TimetableVersion, previous: TimetableVersion | None) -> list[_Recipient]:
    diagnostic = version.diagnostic
    published = [v for v in (version, previous) if v is not None]
    seen = {"sessions": [s for v in published for s in v.snapshot.get("sessions", [])]}
    return _plan(version, previous, redactor_for(diagnostic, snapshot=seen))


def planned_messages(
    version: TimetableVersion, *, previous: TimetableVersion | None
) -> list[PlannedMessage]:
    """The e-mails `send_invitations(version, previous=previous)` would send, without sending
    or writing anything. `version` may be unsaved (the publish page passes the draft)."""
    return [
        PlannedMessage(
            email=r.email,
            name=r.name,
            sessions=tuple((i.kind, str(i.session["code"])) for i in r.items),
        )
        for r in _recipients(version, previous)
    ]


def send_invitations(
    version: TimetableVersion, *, previous: TimetableVersion | None
) -> InvitationSummary:
    """E-mail everyone whose sessions changed in `version`: invitations, updates, cancellations.

    Side effects: SentInvitation rows (what each person was last sent); calendar feeds for
    council attendees who get an e-mail; the e-mails themselves, sent when the surrounding
    transaction commits.
    """
    diagnostic = version.diagnostic
    plan = _recipients(version, previous)
    org = organiser(diagnostic)
    replies = reply_to(org)
    peers = {
        m.code: m.person
        for m in TeamMember.objects.filter(diagnostic=diagnostic).select_related("person")
    }
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
        elif r.peer_code in peers:
            # The private address a calendar app subscribes to, not a page behind sign-in.
            feed = feed_url_for_person(peers[r.peer_code])
        msg = mail.EmailMessage(
            subject=_subject(r, version),
            body=_body(r, version, feed),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[r.email],
            reply_to=replies,
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
        transaction.on_commit(lambda: _send(messages, diagnostic))
    return InvitationSummary(
        invited=counts["new"],
        updated=counts["updated"],
        cancelled=counts["cancelled"],
        recipients=len(messages),
    )


def _send(messages: list[mail.EmailMessage], diagnostic: Diagnostic | None = None) -> None:
    # Each one is recorded in the diagnostic's outbox (issue 18), delivered or failed.
    outbox.send_messages(messages, kind=MailKind.INVITATION, diagnostic=diagnostic)
