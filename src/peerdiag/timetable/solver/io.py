"""Reading, validating and writing the timetable JSON documents.

:func:`parse_problem` checks the whole document before building anything and reports every
mistake it finds at once, each tied to a JSON path such as ``$.sessions[3].attendees[1]``.
Anything that is plainly a data-entry error (an unknown id, a time off the grid, a session
that cannot fit in a day) is rejected here; a session that is merely impossible to place in
this particular week is accepted and later reported as unscheduled with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .model import (
    MINUTES_PER_DAY,
    PEER_ROLES,
    PRIORITY_WEIGHTS,
    PROBLEM_FORMAT,
    SESSION_KINDS,
    SIDES,
    SOLUTION_FORMAT,
    Assignment,
    Lunch,
    Person,
    Placement,
    PreviousAssignment,
    Problem,
    Session,
    Solution,
    Unscheduled,
    Week,
    Window,
    format_time,
    time_range,
)

__all__ = [
    "ProblemError",
    "dumps",
    "load_problem",
    "load_solution",
    "parse_problem",
    "parse_solution",
    "problem_to_dict",
    "solution_to_dict",
]

T = TypeVar("T")
_TIME = re.compile(r"^(\d\d):(\d\d)$")
_MISSING = object()


class ProblemError(ValueError):
    """A problem or solution document is malformed.

    ``errors`` lists every mistake found as ``(json_path, message)`` pairs.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{path}: {message}" for path, message in self.errors]


class _Reader:
    """Collects errors while walking a JSON document."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def obj(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected an object, got {_kind(value)}")
            return None
        for key in required:
            if key not in value:
                self.error(path, f"missing key '{key}'")
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                self.error(f"{path}.{key}", "unknown key")
        return value

    def list_(self, value: Any, path: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {_kind(value)}")
            return None
        return value

    def string(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected a non-empty string, got {_kind(value)}")
            return None
        return value

    def integer(
        self, value: Any, path: str, minimum: int, maximum: int | None = None
    ) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(path, f"expected a whole number, got {_kind(value)}")
            return None
        if value < minimum:
            self.error(path, f"must be at least {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.error(path, f"must be at most {maximum}, got {value}")
            return None
        return value

    def time(self, value: Any, path: str) -> int | None:
        if isinstance(value, str):
            match = _TIME.match(value)
            if match:
                hours, minutes = int(match[1]), int(match[2])
                if (hours < 24 and minutes < 60) or (hours == 24 and minutes == 0):
                    return hours * 60 + minutes
        self.error(path, f"expected a time HH:MM, got {_show(value)}")
        return None

    def date(self, value: Any, path: str) -> str | None:
        if isinstance(value, str):
            try:
                if dt.date.fromisoformat(value).isoformat() == value:
                    return value
            except ValueError:
                pass
        self.error(path, f"expected a date YYYY-MM-DD, got {_show(value)}")
        return None

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | None:
        if value not in choices:
            options = ", ".join(repr(c) for c in choices)
            self.error(path, f"expected one of {options}, got {_show(value)}")
            return None
        return str(value)

    def items(self, value: Any, path: str, read: Callable[[Any, str], T | None]) -> list[T] | None:
        """Read every element of a list; ``None`` if the list or any element is bad."""
        values = self.list_(value, path)
        if values is None:
            return None
        out: list[T] = []
        ok = True
        for i, item in enumerate(values):
            parsed = read(item, f"{path}[{i}]")
            if parsed is None:
                ok = False
            else:
                out.append(parsed)
        return out if ok else None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if value.strip() else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _kind(value)


# ---------------------------------------------------------------------------------------
# Problem


def parse_problem(data: Any) -> Problem:
    """Validate a decoded problem document and build a :class:`Problem`.

    Raises :class:`ProblemError` listing every mistake; nothing is returned half-checked.
    """
    r = _Reader()
    doc = r.obj(data, "$", ("format", "week", "rules", "people", "sessions"), ("previous",))
    if doc is None:
        raise ProblemError(r.errors)
    if "format" in doc and doc["format"] != PROBLEM_FORMAT:
        r.error("$.format", f"expected {PROBLEM_FORMAT!r}, got {_show(doc['format'])}")

    week = _parse_week(r, doc.get("week", _MISSING))
    buffer = None
    rules = r.obj(doc["rules"], "$.rules", ("peer_buffer_minutes",)) if "rules" in doc else None
    if rules is not None and "peer_buffer_minutes" in rules:
        buffer = r.integer(
            rules["peer_buffer_minutes"], "$.rules.peer_buffer_minutes", 0, MINUTES_PER_DAY
        )
    people, sides = _parse_people(r, doc.get("people", _MISSING), week)
    sessions, session_ids = _parse_sessions(r, doc.get("sessions", _MISSING), week, sides)
    previous = _parse_previous(r, doc.get("previous", []), week, sides, session_ids)

    if r.errors or week is None or buffer is None or people is None or sessions is None:
        if not r.errors:  # pragma: no cover - every None path records an error
            r.error("$", "invalid problem")
        raise ProblemError(r.errors)
    return Problem(
        week=week,
        peer_buffer_minutes=buffer,
        people=tuple(people.values()),
        sessions=tuple(sessions.values()),
        previous=tuple(previous or ()),
    )


def _parse_week(r: _Reader, value: Any) -> Week | None:
    if value is _MISSING:
        return None
    keys = ("days", "day_start", "day_end", "slot_minutes", "lunch")
    week = r.obj(value, "$.week", keys)
    if week is None:
        return None
    days = r.items(week.get("days"), "$.week.days", r.date) if "days" in week else None
    if days is not None:
        if not days:
            r.error("$.week.days", "needs at least one day")
        seen: set[str] = set()
        for i, day in enumerate(days):
            if day in seen:
                r.error(f"$.week.days[{i}]", f"day {day} is listed twice")
            seen.add(day)
    start = r.time(week["day_start"], "$.week.day_start") if "day_start" in week else None
    end = r.time(week["day_end"], "$.week.day_end") if "day_end" in week else None
    if start is not None and end is not None and start >= end:
        r.error(
            "$.week.day_end",
            f"the day must end after it starts ({format_time(start)}), got {format_time(end)}",
        )
        return None
    slot = None
    if "slot_minutes" in week:
        slot = r.integer(week["slot_minutes"], "$.week.slot_minutes", 1, MINUTES_PER_DAY)
    lunch = _parse_lunch(r, week["lunch"]) if "lunch" in week else None
    if None in (days, start, end, slot, lunch) or not days:
        return None
    assert start is not None and end is not None and slot is not None and lunch is not None
    assert days is not None
    return Week(tuple(days), start, end, slot, lunch)


def _parse_lunch(r: _Reader, value: Any) -> Lunch | None:
    lunch = r.obj(value, "$.week.lunch", ("earliest", "latest", "minutes"))
    if lunch is None:
        return None
    earliest = r.time(lunch["earliest"], "$.week.lunch.earliest") if "earliest" in lunch else None
    latest = r.time(lunch["latest"], "$.week.lunch.latest") if "latest" in lunch else None
    minutes = None
    if "minutes" in lunch:
        minutes = r.integer(lunch["minutes"], "$.week.lunch.minutes", 1, MINUTES_PER_DAY)
    if earliest is None or latest is None or minutes is None:
        return None
    if latest - earliest < minutes:
        r.error(
            "$.week.lunch",
            f"a {minutes}-minute lunch cannot fit between {format_time(earliest)} "
            f"and {format_time(latest)}",
        )
        return None
    return Lunch(earliest, latest, minutes)


def _parse_windows(
    r: _Reader, value: Any, path: str, week: Week | None
) -> tuple[Window, ...] | None:
    def read(item: Any, item_path: str) -> Window | None:
        w = r.obj(item, item_path, ("day", "start", "end"))
        if w is None:
            return None
        day = r.date(w["day"], f"{item_path}.day") if "day" in w else None
        start = r.time(w["start"], f"{item_path}.start") if "start" in w else None
        end = r.time(w["end"], f"{item_path}.end") if "end" in w else None
        if day is not None and week is not None and day not in week.days:
            r.error(f"{item_path}.day", f"{day} is not one of the week's days")
            return None
        if start is not None and end is not None and start >= end:
            r.error(
                f"{item_path}.end",
                f"must be after the start ({format_time(start)}), got {format_time(end)}",
            )
            return None
        if day is None or start is None or end is None:
            return None
        return Window(day, start, end)

    windows = r.items(value, path, read)
    return None if windows is None else tuple(windows)


def _parse_people(
    r: _Reader, value: Any, week: Week | None
) -> tuple[dict[str, Person] | None, dict[str, str | None] | None]:
    """The valid people, and the side of every id seen (``None`` when the side is unreadable).

    The second mapping lets sessions be checked for unknown ids even when a person's own
    entry has mistakes, without reporting the same person twice.
    """
    if value is _MISSING:
        return None, None
    items = r.list_(value, "$.people")
    if items is None:
        return None, None
    people: dict[str, Person] = {}
    sides: dict[str, str | None] = {}
    first_seen: dict[str, str] = {}
    ok = True
    for i, item in enumerate(items):
        person = _parse_person(r, item, f"$.people[{i}]", week, first_seen, sides)
        if person is None:
            ok = False
        else:
            people[person.id] = person
    return (people if ok else None), sides


def _parse_person(
    r: _Reader,
    item: Any,
    path: str,
    week: Week | None,
    first_seen: dict[str, str],
    sides: dict[str, str | None],
) -> Person | None:
    """One entry of ``people``, or ``None`` when it has mistakes (each one reported)."""
    p = r.obj(
        item,
        path,
        ("id", "name", "side"),
        ("role", "group", "max_sessions_per_day", "available", "unavailable"),
    )
    if p is None:
        return None
    pid = _person_id(r, p, path, first_seen, sides)
    name = r.string(p["name"], f"{path}.name") if "name" in p else None
    side, role = _person_side_and_role(r, p, path)
    group = None
    if p.get("group") is not None:
        group = r.string(p["group"], f"{path}.group")
    cap, side = _person_daily_cap(r, p, path, side)
    available = None
    if "available" in p and p["available"] is not None:
        available = _parse_windows(r, p["available"], f"{path}.available", week)
        if available is None:
            side = None
    unavailable: tuple[Window, ...] | None = ()
    if "unavailable" in p and p["unavailable"] is not None:
        unavailable = _parse_windows(r, p["unavailable"], f"{path}.unavailable", week)
    if pid is None or name is None or side is None or unavailable is None:
        return None
    return Person(
        id=pid,
        name=name,
        side=side,
        role=role,
        group=group,
        max_sessions_per_day=cap,
        available=available,
        unavailable=unavailable,
    )


def _person_id(
    r: _Reader,
    p: dict[str, Any],
    path: str,
    first_seen: dict[str, str],
    sides: dict[str, str | None],
) -> str | None:
    """The person's id if it is a string not used before; notes the side of every new id."""
    pid = r.string(p["id"], f"{path}.id") if "id" in p else None
    if pid is not None and pid in first_seen:
        r.error(f"{path}.id", f"person id {pid!r} is already used at {first_seen[pid]}")
        pid = None
    if pid is not None:
        first_seen[pid] = path
        raw_side = p.get("side")
        sides[pid] = raw_side if raw_side in SIDES else None
    return pid


def _person_side_and_role(
    r: _Reader, p: dict[str, Any], path: str
) -> tuple[str | None, str | None]:
    """The side and the role: every peer has a valid role, no council person has one.

    The side is ``None`` when either is wrong.
    """
    side = r.choice(p["side"], f"{path}.side", SIDES) if "side" in p else None
    role = None
    if side == "peer":
        if "role" not in p:
            r.error(path, "missing key 'role' (every peer has one)")
            side = None
        else:
            role = r.choice(p["role"], f"{path}.role", PEER_ROLES)
            if role is None:
                side = None
    elif side == "council" and p.get("role") is not None:
        r.error(f"{path}.role", "only peers have a role; council people have a group")
        side = None
    return side, role


def _person_daily_cap(
    r: _Reader, p: dict[str, Any], path: str, side: str | None
) -> tuple[int | None, str | None]:
    """The peer's ``max_sessions_per_day``, and the side (``None`` when the cap is unreadable)."""
    cap = None
    if p.get("max_sessions_per_day") is not None:
        if side == "council":
            r.error(f"{path}.max_sessions_per_day", "applies to peers only")
        cap = r.integer(p["max_sessions_per_day"], f"{path}.max_sessions_per_day", 0)
        if cap is None:
            side = None
    return cap, side


def _id_list(
    r: _Reader,
    value: Any,
    path: str,
    sides: dict[str, str | None] | None,
    side: str,
    what: str,
) -> tuple[str, ...] | None:
    ids = r.list_(value, path)
    if ids is None:
        return None
    out: list[str] = []
    ok = True
    for i, pid in enumerate(ids):
        item_path = f"{path}[{i}]"
        if not isinstance(pid, str):
            r.error(item_path, f"expected a person id, got {_kind(pid)}")
            ok = False
        elif pid in out:
            r.error(item_path, f"{pid!r} is listed twice")
            ok = False
        elif sides is not None and pid not in sides:
            r.error(item_path, f"unknown person {pid!r}")
            ok = False
        elif sides is not None and sides[pid] not in (None, side):
            hint = (
                "peers sit in via peers_needed, required_peers and eligible_peers"
                if side == "council"
                else "council people are listed as attendees"
            )
            r.error(item_path, f"{pid!r} is not {what} ({hint})")
            ok = False
        else:
            out.append(pid)
    return tuple(out) if ok else None


def _parse_sessions(
    r: _Reader, value: Any, week: Week | None, people: dict[str, str | None] | None
) -> tuple[dict[str, Session] | None, set[str] | None]:
    """The valid sessions, and every session id seen (to check ``previous`` against)."""
    if value is _MISSING:
        return None, None
    items = r.list_(value, "$.sessions")
    if items is None:
        return None, None
    sessions: dict[str, Session] = {}
    first_seen: dict[str, str] = {}
    for i, item in enumerate(items):
        session = _parse_session(r, item, f"$.sessions[{i}]", week, people, first_seen)
        if session is not None:
            sessions[session.id] = session
    return sessions, set(first_seen)


def _parse_session(
    r: _Reader,
    item: Any,
    path: str,
    week: Week | None,
    people: dict[str, str | None] | None,
    first_seen: dict[str, str],
) -> Session | None:
    """One entry of ``sessions``, or ``None`` when it has mistakes (each one reported).

    Unknown keys are reported but do not stop the session being read.
    """
    s = r.obj(
        item,
        path,
        ("id", "title", "kind", "minutes", "attendees", "peers_needed", "priority"),
        ("required_peers", "eligible_peers", "days", "fixed"),
    )
    if s is None:
        return None
    n_errors = len(r.errors)
    sid = _session_id(r, s, path, first_seen)
    title = r.string(s["title"], f"{path}.title") if "title" in s else None
    kind = r.choice(s["kind"], f"{path}.kind", SESSION_KINDS) if "kind" in s else None
    minutes = _session_minutes(r, s, path, week)
    attendees = None
    if "attendees" in s:
        attendees = _id_list(
            r, s["attendees"], f"{path}.attendees", people, "council", "a council person"
        )
    need = r.integer(s["peers_needed"], f"{path}.peers_needed", 0) if "peers_needed" in s else None
    required, eligible = _session_peers(r, s, path, people, need)
    priority = None
    if "priority" in s:
        priority = r.choice(s["priority"], f"{path}.priority", tuple(PRIORITY_WEIGHTS))
    days = _session_days(r, s, path, week)
    fixed = None
    if s.get("fixed") is not None:
        fixed = _parse_fixed(r, s["fixed"], f"{path}.fixed", week, minutes, days)
    # A missing key was reported by r.obj before n_errors was taken: its field is None here.
    parts = (sid, title, kind, minutes, attendees, need, required, priority)
    if len(r.errors) > n_errors or any(part is None for part in parts):
        return None
    assert sid is not None and title is not None and kind is not None
    assert minutes is not None and attendees is not None and need is not None
    assert required is not None and priority is not None
    return Session(
        id=sid,
        title=title,
        kind=kind,
        minutes=minutes,
        attendees=attendees,
        peers_needed=need,
        priority=priority,
        required_peers=required,
        eligible_peers=eligible,
        days=None if days is None else tuple(days),
        fixed=fixed,
    )


def _session_id(r: _Reader, s: dict[str, Any], path: str, first_seen: dict[str, str]) -> str | None:
    """The session's id, reported if it is already used (it is still returned then)."""
    sid = r.string(s["id"], f"{path}.id") if "id" in s else None
    if sid is not None and sid in first_seen:
        r.error(f"{path}.id", f"session id {sid!r} is already used at {first_seen[sid]}")
    elif sid is not None:
        first_seen[sid] = path
    return sid


def _session_minutes(r: _Reader, s: dict[str, Any], path: str, week: Week | None) -> int | None:
    """The session's length, reported if it is longer than the day (it is still returned)."""
    minutes = None
    if "minutes" in s:
        minutes = r.integer(s["minutes"], f"{path}.minutes", 1)
    if minutes is not None and week is not None:
        length = week.day_end - week.day_start
        if minutes > length:
            r.error(
                f"{path}.minutes",
                f"{minutes} minutes is longer than the day "
                f"({time_range(week.day_start, week.day_end)}, "
                f"{length} minutes)",
            )
    return minutes


def _session_peers(
    r: _Reader,
    s: dict[str, Any],
    path: str,
    people: dict[str, str | None] | None,
    need: int | None,
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The required and the eligible peers: no more required than ``peers_needed``, and each
    required peer among the eligible ones when those are listed."""
    required: tuple[str, ...] | None = ()
    if s.get("required_peers") is not None:
        required = _id_list(
            r, s["required_peers"], f"{path}.required_peers", people, "peer", "a peer"
        )
    eligible = None
    if s.get("eligible_peers") is not None:
        eligible = _id_list(
            r, s["eligible_peers"], f"{path}.eligible_peers", people, "peer", "a peer"
        )
    if required is not None and need is not None and len(required) > need:
        r.error(
            f"{path}.required_peers",
            f"lists {len(required)} required peers but peers_needed is {need}",
        )
    if required is not None and eligible is not None:
        for j, pid in enumerate(required):
            if pid not in eligible:
                r.error(
                    f"{path}.required_peers[{j}]",
                    f"required peer {pid!r} is not among eligible_peers",
                )
    return required, eligible


def _session_days(r: _Reader, s: dict[str, Any], path: str, week: Week | None) -> list[str] | None:
    """The session's own ``days``: not empty, each a day of the week, none listed twice."""
    days = None
    if s.get("days") is not None:
        days = r.items(s["days"], f"{path}.days", r.date)
        if days is not None:
            if not days:
                r.error(f"{path}.days", "is empty; use null to allow any day")
            for j, day in enumerate(days):
                if week is not None and day not in week.days:
                    r.error(f"{path}.days[{j}]", f"{day} is not one of the week's days")
                if day in days[:j]:
                    r.error(f"{path}.days[{j}]", f"{day} is listed twice")
    return days


def _parse_fixed(
    r: _Reader,
    value: Any,
    path: str,
    week: Week | None,
    minutes: int | None,
    days: list[str] | None,
) -> Placement | None:
    f = r.obj(value, path, ("day", "start"))
    if f is None:
        return None
    day = r.date(f["day"], f"{path}.day") if "day" in f else None
    start = r.time(f["start"], f"{path}.start") if "start" in f else None
    if day is None or start is None:
        return None
    if week is not None:
        if day not in week.days:
            r.error(f"{path}.day", f"{day} is not one of the week's days")
        elif days is not None and day not in days:
            r.error(f"{path}.day", f"{day} is not among the session's days")
        if not week.on_grid(start):
            r.error(
                f"{path}.start",
                f"{format_time(start)} is off the {week.slot_minutes}-minute grid that starts "
                f"at {format_time(week.day_start)}",
            )
        elif minutes is not None and start + minutes > week.day_end:
            r.error(
                f"{path}.start",
                f"starting at {format_time(start)} the session would end at "
                f"{format_time(start + minutes)}, after the day ends at "
                f"{format_time(week.day_end)}",
            )
    return Placement(day, start)


def _parse_previous(
    r: _Reader,
    value: Any,
    week: Week | None,
    people: dict[str, str | None] | None,
    sessions: set[str] | None,
) -> list[PreviousAssignment] | None:
    items = r.list_(value, "$.previous")
    if items is None:
        return None
    out: list[PreviousAssignment] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = f"$.previous[{i}]"
        p = r.obj(item, path, ("session", "day", "start", "peers"), ("end",))
        if p is None:
            continue
        sid = r.string(p["session"], f"{path}.session") if "session" in p else None
        if sid is not None:
            if sessions is not None and sid not in sessions:
                r.error(f"{path}.session", f"unknown session {sid!r}")
                sid = None
            elif sid in seen:
                r.error(f"{path}.session", f"session {sid!r} appears twice in previous")
                sid = None
            else:
                seen.add(sid)
        day = r.date(p["day"], f"{path}.day") if "day" in p else None
        if day is not None and week is not None and day not in week.days:
            r.error(f"{path}.day", f"{day} is not one of the week's days")
            day = None
        start = r.time(p["start"], f"{path}.start") if "start" in p else None
        if "end" in p:
            r.time(p["end"], f"{path}.end")
        peers = (
            _id_list(r, p["peers"], f"{path}.peers", people, "peer", "a peer")
            if "peers" in p
            else None
        )
        if sid is None or day is None or start is None or peers is None:
            continue
        out.append(PreviousAssignment(sid, day, start, peers))
    return out


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file; :class:`ProblemError` on any mistake."""
    return parse_problem(_load_json(path))


def _load_json(path: str | Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError([("$", f"cannot read {path}: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise ProblemError([("$", f"{path} is not UTF-8 text")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(
            [("$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from None


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON form of ``problem`` (round-trips through :func:`parse_problem`)."""

    def windows(ws: tuple[Window, ...]) -> list[dict[str, str]]:
        return [
            {"day": w.day, "start": format_time(w.start), "end": format_time(w.end)} for w in ws
        ]

    people: list[dict[str, Any]] = []
    for p in problem.people:
        item: dict[str, Any] = {"id": p.id, "name": p.name, "side": p.side}
        if p.role is not None:
            item["role"] = p.role
        if p.group is not None:
            item["group"] = p.group
        if p.max_sessions_per_day is not None:
            item["max_sessions_per_day"] = p.max_sessions_per_day
        if p.available is not None:
            item["available"] = windows(p.available)
        if p.unavailable:
            item["unavailable"] = windows(p.unavailable)
        people.append(item)
    week = problem.week
    doc: dict[str, Any] = {
        "format": PROBLEM_FORMAT,
        "week": {
            "days": list(week.days),
            "day_start": format_time(week.day_start),
            "day_end": format_time(week.day_end),
            "slot_minutes": week.slot_minutes,
            "lunch": {
                "earliest": format_time(week.lunch.earliest),
                "latest": format_time(week.lunch.latest),
                "minutes": week.lunch.minutes,
            },
        },
        "rules": {"peer_buffer_minutes": problem.peer_buffer_minutes},
        "people": people,
        "sessions": [
            {
                "id": s.id,
                "title": s.title,
                "kind": s.kind,
                "minutes": s.minutes,
                "attendees": list(s.attendees),
                "peers_needed": s.peers_needed,
                "required_peers": list(s.required_peers),
                "eligible_peers": None if s.eligible_peers is None else list(s.eligible_peers),
                "priority": s.priority,
                "days": None if s.days is None else list(s.days),
                "fixed": None
                if s.fixed is None
                else {"day": s.fixed.day, "start": format_time(s.fixed.start)},
            }
            for s in problem.sessions
        ],
    }
    if problem.previous:
        doc["previous"] = [
            {
                "session": p.session,
                "day": p.day,
                "start": format_time(p.start),
                "peers": list(p.peers),
            }
            for p in problem.previous
        ]
    return doc


# ---------------------------------------------------------------------------------------
# Solution


def parse_solution(data: Any) -> Solution:
    """Check the shape of a decoded solution document and build a :class:`Solution`.

    Only the shape is checked here (types, time and date formats). Whether the solution
    keeps the rules of a particular problem is :func:`.check.check_solution`'s job.
    """
    r = _Reader()
    doc = r.obj(data, "$", ("format", "assignments", "unscheduled"))
    if doc is None:
        raise ProblemError(r.errors)
    if "format" in doc and doc["format"] != SOLUTION_FORMAT:
        r.error("$.format", f"expected {SOLUTION_FORMAT!r}, got {_show(doc['format'])}")

    def assignment(item: Any, path: str) -> Assignment | None:
        a = r.obj(item, path, ("session", "day", "start", "end", "peers"))
        if a is None:
            return None
        sid = r.string(a["session"], f"{path}.session") if "session" in a else None
        day = r.date(a["day"], f"{path}.day") if "day" in a else None
        start = r.time(a["start"], f"{path}.start") if "start" in a else None
        end = r.time(a["end"], f"{path}.end") if "end" in a else None
        peers = None
        if "peers" in a:
            peer_list = r.list_(a["peers"], f"{path}.peers")
            if peer_list is not None:
                peers = []
                for i, pid in enumerate(peer_list):
                    if isinstance(pid, str):
                        peers.append(pid)
                    else:
                        r.error(f"{path}.peers[{i}]", f"expected a person id, got {_kind(pid)}")
        if sid is None or day is None or start is None or end is None or peers is None:
            return None
        return Assignment(sid, day, start, end, tuple(peers))

    def unscheduled(item: Any, path: str) -> Unscheduled | None:
        u = r.obj(item, path, ("session", "reason"))
        if u is None:
            return None
        sid = r.string(u["session"], f"{path}.session") if "session" in u else None
        reason = r.string(u["reason"], f"{path}.reason") if "reason" in u else None
        if sid is None or reason is None:
            return None
        return Unscheduled(sid, reason)

    assignments = (
        r.items(doc["assignments"], "$.assignments", assignment) if "assignments" in doc else None
    )
    left = (
        r.items(doc["unscheduled"], "$.unscheduled", unscheduled) if "unscheduled" in doc else None
    )
    if r.errors or assignments is None or left is None:
        raise ProblemError(r.errors)
    return Solution(tuple(assignments), tuple(left))


def load_solution(path: str | Path) -> Solution:
    return parse_solution(_load_json(path))


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    return {
        "format": SOLUTION_FORMAT,
        "assignments": [
            {
                "session": a.session,
                "day": a.day,
                "start": format_time(a.start),
                "end": format_time(a.end),
                "peers": list(a.peers),
            }
            for a in solution.assignments
        ],
        "unscheduled": [{"session": u.session, "reason": u.reason} for u in solution.unscheduled],
    }


def dumps(document: dict[str, Any]) -> str:
    """Pretty JSON with a trailing newline, non-ASCII kept readable."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
