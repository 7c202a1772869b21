"""Published versions of the timetable and the changes between any two of them.

The draft is the sessions' own placements. Publishing freezes it as version N (the problem,
the solution and a snapshot people can read), raises the iCalendar SEQUENCE of every session
that changed, and sends invitations, updates and cancellations. A reader who may not see the
team's internal sessions reads versions and changes without them (visible_changes,
snapshot_days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic

from ..enums import SessionStatus
from ..models import Session, Timetable, TimetableVersion
from .placements import draft_solution, violations
from .problem import build_problem, hhmm, latest_version, planned_sessions
from .week import day_dates, delivery_members, timetable_for

# What a change to a session is, in the order the changes list shows them.
CHANGE_FIELDS = ("date", "start", "end", "peers", "attendees", "link", "title")


def snapshot(diagnostic: Diagnostic, sessions: list[Session] | None = None) -> dict[str, Any]:
    """The draft as people read it: placed sessions with names, plus the ones left out.

    Keys of each session: code, uid, sequence, title, type, internal, day, date, start, end,
    peers [{code, name, email}], attendees [{code, name, email, group, young}], group, link, kloes
    [codes], young_people, supporting_adult, and chair (a name) where the session has one.
    """
    dates = day_dates(diagnostic)
    if sessions is None:
        sessions = planned_sessions(diagnostic)
    members = {m.pk: m for m in delivery_members(diagnostic)}
    placed, left_out = [], []
    for s in sessions:
        if not (s.placed and s.day in dates):
            left_out.append({"code": s.code, "title": s.title, "reason": s.unscheduled_reason})
            continue
        assert s.start is not None and s.end is not None
        peers = sorted(
            (members.get(m.pk, m) for m in s.peers.all()), key=lambda m: m.person.full_name
        )
        placed.append(
            {
                "code": s.code,
                "uid": s.uid,
                "sequence": s.sequence,
                "title": s.title,
                "type": s.type,
                "internal": s.internal_only,
                "day": s.day,
                "date": dates[s.day].isoformat(),
                "start": hhmm(s.start),
                "end": hhmm(s.end),
                "peers": [
                    {"code": m.code, "name": m.person.full_name, "email": m.person.email}
                    for m in peers
                ],
                "attendees": [
                    {
                        "code": a.code,
                        "name": a.name,
                        "email": a.email,
                        "group": a.group,
                        "young": a.young_person,  # never named outside (see outbound)
                    }
                    for a in sorted(s.attendees.all(), key=lambda a: a.name)
                ],
                "group": s.group,
                "link": s.platform_link,
                "kloes": sorted(k.code for k in s.kloes.all()),
                "young_people": s.young_people,
                "supporting_adult": s.supporting_adult,
                # Who chairs it (the lead peer chairs peer team meetings): a name, or absent.
                **({"chair": s.chair.person.full_name} if s.chair is not None else {}),
            }
        )
    placed.sort(key=lambda x: (x["day"], x["start"], x["title"]))
    return {
        "days": {str(n): d.isoformat() for n, d in dates.items()},
        "sessions": placed,
        "unscheduled": left_out,
    }


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed" or "changed"
    code: str
    title: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind == "changed":
            return f"‘{self.title}’: " + "; ".join(self.details)
        return f"‘{self.title}’ {self.kind}" + (f" ({self.details[0]})" if self.details else "")


def _where(s: dict[str, Any]) -> str:
    return f"day {s['day']} ({s['date']}) {s['start']}–{s['end']}"


def _names(people: list[dict[str, Any]]) -> str:
    return ", ".join(p["name"] for p in people) or "nobody"


def _key(s: dict[str, Any], name: str) -> Any:
    if name in ("peers", "attendees"):
        return sorted(p["code"] for p in s[name])
    return s[name]


def changes_between(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    """What changed from snapshot `old` (None: nothing published) to `new`, in day order."""
    before = {s["code"]: s for s in (old or {}).get("sessions", [])}
    after = {s["code"]: s for s in new.get("sessions", [])}
    out: list[Change] = []
    for code, s in after.items():
        if code not in before:
            out.append(Change("added", code, s["title"], (_where(s),)))
            continue
        o, details = before[code], []
        if (o["date"], o["start"], o["end"]) != (s["date"], s["start"], s["end"]):
            details.append(f"moved from {_where(o)} to {_where(s)}")
        if _key(o, "peers") != _key(s, "peers"):
            details.append(f"peers now {_names(s['peers'])} (were {_names(o['peers'])})")
        if _key(o, "attendees") != _key(s, "attendees"):
            details.append(f"attendees now {_names(s['attendees'])}")
        if o["link"] != s["link"]:
            details.append("meeting link changed" if s["link"] else "meeting link removed")
        if o["title"] != s["title"]:
            details.append(f"renamed from ‘{o['title']}’")
        if details:
            out.append(Change("changed", code, s["title"], tuple(details)))
    for code, o in before.items():
        if code not in after:
            out.append(Change("removed", code, o["title"], (_where(o),)))
    order = {c: i for i, c in enumerate(list(after) + list(before))}
    out.sort(key=lambda c: order[c.code])
    return out


def changed_codes(old: dict[str, Any] | None, new: dict[str, Any]) -> set[str]:
    return {c.code for c in changes_between(old, new)}


# What a reader may see of a version ------------------------------------------------------------


def internal_codes(*snapshots: dict[str, Any] | None) -> set[str]:
    """Codes of the internal sessions in any of the snapshots."""
    out = set()
    for snap in snapshots:
        for s in (snap or {}).get("sessions", []):
            if s.get("internal"):
                out.add(s["code"])
    return out


def visible_changes(
    changes: list[Change],
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    internal: bool,
) -> list[Change]:
    """The changes a reader may see: none about internal sessions unless they may see those."""
    if internal:
        return changes
    hidden = internal_codes(old, new)
    return [c for c in changes if c.code not in hidden]


def snapshot_days(
    snap: dict[str, Any], *, internal: bool
) -> list[tuple[int, date, list[dict[str, Any]]]]:
    """A snapshot's sessions grouped by day: (day, date, sessions), internal ones hidden
    unless the reader may see them."""
    by_day: dict[int, list[dict[str, Any]]] = {}
    for s in snap.get("sessions", []):
        if s.get("internal") and not internal:
            continue
        by_day.setdefault(int(s["day"]), []).append(s)
    return [(n, date.fromisoformat(by_day[n][0]["date"]), by_day[n]) for n in sorted(by_day)]


def publish_blockers(
    diagnostic: Diagnostic, sessions: list[Session] | None = None, *, show_internal: bool = True
) -> list[str]:
    """Why the draft may not be published yet (empty: it may).

    With `show_internal` False (for the council), the peer team's private sessions are not
    named: they appear as "a private peer team session".
    """
    if sessions is None:
        sessions = planned_sessions(diagnostic)
    out = []
    if not any(s.placed for s in sessions):
        out.append("Nothing is placed in the week yet: generate the timetable or place sessions")
    for s in sessions:
        if s.young_people and s.placed and not (s.supporting_adult and s.consent_recorded_on):
            out.append(
                f"‘{s.title}’ involves children or young people: name the supporting adult "
                "and record that consent was given"
            )
    if out:
        return out
    hidden = (
        {}
        if show_internal
        else {s.code: "a private peer team session" for s in sessions if s.internal_only}
    )
    return violations(diagnostic, sessions=sessions, rename=hidden)


def planned_e_mails(diagnostic: Diagnostic, sessions: list[Session] | None = None) -> list[Any]:
    """The e-mails publishing the draft now would send (invitations.PlannedMessage), in the
    order they would go. Writes nothing: the draft is numbered and its changed sessions given
    their next SEQUENCE in memory, exactly as `publish` does before it sends."""
    from .invitations import planned_messages

    if sessions is None:
        sessions = planned_sessions(diagnostic)
    previous = latest_version(diagnostic)
    draft = snapshot(diagnostic, sessions)
    if previous is not None:
        changed = changed_codes(previous.snapshot, draft)
        draft = {
            **draft,
            "sessions": [
                {**s, "sequence": int(s.get("sequence", 0)) + 1} if s["code"] in changed else s
                for s in draft.get("sessions", [])
            ],
        }
    unsaved = TimetableVersion(diagnostic=diagnostic, snapshot=draft)
    return planned_messages(unsaved, previous=previous)


class PublishedSince(DomainError):
    """Someone published a version after the one the caller read: nothing was published."""

    def __init__(self, latest: TimetableVersion | None) -> None:
        self.latest = latest
        super().__init__("A newer version was published after the one you read", field="version")


def _mark_sessions_published(
    diagnostic: Diagnostic, previous: TimetableVersion | None, draft: dict[str, Any]
) -> list[str]:
    """Moved sessions become rescheduled (unless held) and proposed ones invited; returns the
    codes of the sessions placed in the version."""
    placed = [s["code"] for s in draft["sessions"]]
    moved = {
        c.code
        for c in changes_between(previous.snapshot if previous else None, draft)
        if c.kind == "changed" and any(x.startswith("moved") for x in c.details)
    }
    Session.objects.filter(diagnostic=diagnostic, code__in=moved).exclude(
        status=SessionStatus.HELD
    ).update(status=SessionStatus.RESCHEDULED)
    Session.objects.filter(
        diagnostic=diagnostic, code__in=placed, status=SessionStatus.PROPOSED
    ).update(status=SessionStatus.INVITED)
    return placed


def publish(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    note: str = "",
    notify: bool = True,
    show_internal: bool = True,
    read_number: int | None = None,
) -> TimetableVersion:
    """Publish the draft as the next version and send invitations, updates and cancellations.

    Refused while the draft breaks a hard rule, while a session with children or young people
    lacks a supporting adult or consent, or when nothing changed since the last version.
    With `notify` False (the demo loader) nothing is e-mailed; with `show_internal` False (a
    council user publishing) a refusal does not name the peer team's private sessions. With
    `read_number` (the latest version number the caller read, 0 for none), a version published
    since is refused with PublishedSince, checked under the lock.
    Side effects: a TimetableVersion; SEQUENCE and status of changed sessions; e-mails with
    .ics files; audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    note = note.strip()
    if len(note) > 300:
        raise DomainError("The note can be up to 300 characters", field="note")
    with transaction.atomic():
        # One publish at a time per diagnostic: the version numbers must not race.
        Timetable.objects.select_for_update().filter(pk=timetable_for(diagnostic).pk).first()
        previous = latest_version(diagnostic)
        if read_number is not None and (previous.number if previous else 0) != read_number:
            raise PublishedSince(previous)
        sessions = planned_sessions(diagnostic)
        blockers = publish_blockers(diagnostic, sessions, show_internal=show_internal)
        if blockers:
            raise DomainError("The timetable cannot be published yet: " + "; ".join(blockers))
        draft = snapshot(diagnostic, sessions)
        changed = changed_codes(previous.snapshot if previous else None, draft)
        if previous is not None and not changed:
            raise DomainError("Nothing has changed since the last published version")
        if previous is not None:
            # Every session that changed, was added or went away gets a higher SEQUENCE.
            Session.objects.filter(diagnostic=diagnostic, code__in=changed).update(
                sequence=F("sequence") + 1
            )
            sessions = planned_sessions(diagnostic)
            draft = snapshot(diagnostic, sessions)
        number = (
            TimetableVersion.objects.filter(diagnostic=diagnostic).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        version = TimetableVersion.objects.create(
            diagnostic=diagnostic,
            number=number,
            published_at=timezone.now(),
            published_by=by if by is not None and by.is_authenticated else None,
            note=note,
            problem=build_problem(diagnostic, sessions=sessions, with_previous=False),
            solution=draft_solution(diagnostic, sessions),
            snapshot=draft,
        )
        placed = _mark_sessions_published(diagnostic, previous, draft)
        audit.record(
            diagnostic,
            by=by,
            action="timetable",
            summary=f"Published timetable version {number} ({len(placed)} sessions, "
            f"{len(changed)} changes)",
        )
        if notify:
            from .invitations import send_invitations

            send_invitations(version, previous=previous)
    return version
