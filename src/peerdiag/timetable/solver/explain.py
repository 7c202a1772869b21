"""Reasons for unscheduled sessions, in words a programme officer can act on.

A reason is worked out in two steps.

1. From the problem alone: too few eligible peers; an attendee who is never free long
   enough on the session's days; attendees who are never free together; a required peer,
   or enough eligible peers, never free when the attendees are; a fixed time at which
   someone is away. These say what availability to change.
2. Otherwise the session had possible times, and every one of them is taken by the final
   timetable. Each possible time is tested against the timetable (who is in which session,
   which peer would lose their break, hit their daily cap or lose lunch), runs of times
   with the same obstacle are joined, and the obstacles are named. These say what to move.
"""

from __future__ import annotations

from collections.abc import Sequence

from .availability import Calendar
from .board import Block, Board
from .model import Problem, Session, day_label, span_label, time_range

MAX_RANGES = 3


def explain_all(board: Board) -> dict[str, str]:
    """A reason for every session not on ``board``."""
    return {s.id: explain(board, s) for s in board.problem.sessions if s.id not in board.placed}


def explain(board: Board, session: Session) -> str:
    problem, calendar = board.problem, board.calendar
    static = static_reason(problem, calendar, session)
    if static is not None:
        return static
    return _clash_reason(board, session)


# ---------------------------------------------------------------------------------------
# Step 1: the problem alone


def static_reason(problem: Problem, calendar: Calendar, session: Session) -> str | None:
    """Why ``session`` cannot go anywhere even in an empty timetable; None if it can."""
    if calendar.options(session).starts:
        return None
    need = session.peers_needed
    eligible = problem.eligible_peers(session)
    if len(eligible) < need:
        if not eligible:
            return f"it needs {_peers(need)} but no peer is eligible"
        return (
            f"it needs {_peers(need)} but only {len(eligible)} "
            f"{'is' if len(eligible) == 1 else 'are'} eligible ({_names(problem, eligible)})"
        )
    if session.fixed is not None:
        return _fixed_reason(problem, calendar, session)

    days = problem.session_days(session)
    minutes = session.minutes
    on_days = _on_days(problem, session)
    # An attendee or required peer who on their own can never make it.
    alone = [
        pid
        for pid in session.attendees + session.required_peers
        if not any(calendar.free_starts(pid, d, minutes) for d in days)
    ]
    if alone:
        return "; ".join(_alone_text(problem, calendar, session, pid) for pid in alone)

    # Attendees who are each free sometimes, but never together.
    together = {d: calendar.starts_for_all(session.attendees, d, minutes) for d in days}
    if not any(together.values()):
        group = _clashing_group(calendar, session.attendees, days, minutes)
        details = "; ".join(
            f"{_name(problem, pid)} {_free_text(problem, calendar, pid, days)}" for pid in group
        )
        who = _names(problem, group)
        return f"{who} are never free together for {minutes} minutes {on_days} ({details})"

    when = _ranges_text(problem, together, minutes)
    intro = "whenever the attendees are all free" if session.attendees else on_days
    tail = f" ({when})" if session.attendees else ""
    # A required peer who is away whenever the attendees could come.
    for pid in session.required_peers:
        if not any(set(ts) & calendar.free_starts(pid, d, minutes) for d, ts in together.items()):
            return (
                f"required peer {_name(problem, pid)} is not available {intro}{tail}; "
                f"{_name(problem, pid)} {_free_text(problem, calendar, pid, days)}"
            )

    # Not enough eligible peers free at any of those times.
    best = 0
    best_at: tuple[str, int] | None = None
    for d, ts in together.items():
        for t in ts:
            if any(t not in calendar.free_starts(r, d, minutes) for r in session.required_peers):
                continue
            free = sum(1 for p in eligible if t in calendar.free_starts(p, d, minutes))
            if free > best:
                best, best_at = free, (d, t)
    if best_at is None:
        return (
            f"the required peers {_names(problem, session.required_peers)} are never all "
            f"available {intro}{tail}"
        )
    day, t = best_at
    away = [p for p in eligible if t not in calendar.free_starts(p, day, minutes)]
    return (
        f"it needs {_peers(need)} but at most {best} of the eligible peers "
        f"{'is' if best == 1 else 'are'} available {intro}{tail}; at the best time, "
        f"{span_label(day, t, t + minutes)}, {_names(problem, away)} "
        f"{'is' if len(away) == 1 else 'are'} away"
    )


def _alone_text(problem: Problem, calendar: Calendar, session: Session, pid: str) -> str:
    """Why one person can never make ``session``, whoever else is free."""
    week = problem.week
    days = problem.session_days(session)
    minutes = session.minutes
    name = _name(problem, pid)
    required = " (a required peer)" if pid in session.required_peers else ""
    on_allowed = _clipped_spans(problem, calendar, pid, days)
    if not on_allowed:
        everywhere = _clipped_spans(problem, calendar, pid, week.days)
        if not everywhere:
            return f"{name}{required} is not available on any day of the timetable"
        allowed = _join([day_label(d) for d in days], "or")
        return (
            f"it may only run on {allowed}, but {name}{required} "
            f"{_free_text(problem, calendar, pid, week.days)}"
        )
    longest = max(b - a for spans in on_allowed.values() for a, b in spans)
    why = (
        f"never for {minutes} minutes in one go"
        if longest < minutes
        else f"which holds no {minutes}-minute session starting on the "
        f"{week.slot_minutes}-minute grid"
    )
    return f"{name}{required} {_free_text(problem, calendar, pid, days)}, {why}"


def _clashing_group(
    calendar: Calendar, people: Sequence[str], days: Sequence[str], minutes: int
) -> list[str]:
    """A smallest-found set of ``people`` who are never free together.

    Starts from everyone and drops each person whose absence still leaves the rest with
    no common time, so the names given are ones that really matter.
    """
    group = list(people)
    for pid in list(people):
        rest = tuple(p for p in group if p != pid)
        if len(rest) >= 2 and not any(calendar.starts_for_all(rest, d, minutes) for d in days):
            group = list(rest)
    return group


def _fixed_reason(problem: Problem, calendar: Calendar, session: Session) -> str:
    fixed = session.fixed
    assert fixed is not None
    start, end = fixed.start, fixed.start + session.minutes
    at = span_label(fixed.day, start, end)
    away = [
        pid
        for pid in session.attendees + session.required_peers
        if not calendar.is_free(pid, fixed.day, start, end)
    ]
    if away:
        verb = "is" if len(away) == 1 else "are"
        return f"it is fixed at {at}, but {_names(problem, away)} {verb} not available then"
    eligible = problem.eligible_peers(session)
    free = [p for p in eligible if calendar.is_free(p, fixed.day, start, end)]
    gone = [p for p in eligible if p not in free]
    return (
        f"it is fixed at {at} and needs {_peers(session.peers_needed)}, but only {len(free)} "
        f"of the eligible peers {'is' if len(free) == 1 else 'are'} available then "
        f"({_names(problem, gone)} {'is' if len(gone) == 1 else 'are'} not)"
    )


# ---------------------------------------------------------------------------------------
# Step 2: against the final timetable


def _clash_reason(board: Board, session: Session) -> str:
    problem, calendar = board.problem, board.calendar
    options = calendar.options(session)
    minutes = session.minutes
    # What blocks each possible start, as a sentence fragment; runs of equal fragments join.
    runs: list[tuple[str, int, int, str]] = []  # day, first start, last start, obstacle
    for day, start in options.starts:
        obstacle = _obstacle(board, session, day, start, options.peers_at[(day, start)])
        if (
            runs
            and runs[-1][0] == day
            and runs[-1][3] == obstacle
            and start - runs[-1][2] == problem.week.slot_minutes
        ):
            runs[-1] = (day, runs[-1][1], start, obstacle)
        else:
            runs.append((day, start, start, obstacle))

    where, narrow = _where_text(problem, calendar, session)
    obstacles = list(dict.fromkeys(r[3] for r in runs))
    if len(obstacles) == 1:
        if narrow:
            return f"{where}, when {obstacles[0]}"
        return f"at every one of {where}, {obstacles[0]}"
    # Group the runs by obstacle and name the first few.
    parts = []
    for obstacle in obstacles[:MAX_RANGES]:
        spans = [r for r in runs if r[3] == obstacle]
        shown = ", ".join(span_label(d, a, b + minutes) for d, a, b, _ in spans[:2])
        if len(spans) > 2:
            shown += f" and {len(spans) - 2} more"
        parts.append(f"{shown}: {obstacle}")
    more = len(obstacles) - MAX_RANGES
    intro = f"{where}, and every one is taken" if narrow else f"all {where} are taken"
    text = f"{intro} ({'; '.join(parts)}"
    if more > 0:
        text += f"; and {more} other obstacle{'s' if more > 1 else ''}"
    return text + ")"


def _where_text(problem: Problem, calendar: Calendar, session: Session) -> tuple[str, bool]:
    """Where the session could go in an empty timetable, and whether that is a short list.

    A short list reads "X is available only on ..." or "it can only run on ..."; a long one
    reads "its 40 possible start times over 3 days".
    """
    options = calendar.options(session)
    minutes = session.minutes
    if session.fixed is not None:
        f = session.fixed
        return f"it is fixed at {span_label(f.day, f.start, f.start + minutes)}", True
    starts: dict[str, list[int]] = {}
    for day, t in options.starts:
        starts.setdefault(day, []).append(t)
    ranges = _ranges(starts, minutes)
    days = problem.session_days(session)
    own = {
        pid: {(d, t) for d in days for t in calendar.free_starts(pid, d, minutes)}
        for pid in session.attendees
    }
    # The attendee whose own availability alone explains the narrow choice, if any.
    narrowest = min(
        own, key=lambda pid: (len(own[pid]), session.attendees.index(pid)), default=None
    )
    ranges_text = _ranges_text(problem, starts, minutes)
    grid = {(d, t) for d in days for t in problem.week.starts(minutes)}
    if len(ranges) <= MAX_RANGES and set(options.starts) != grid:
        if narrowest is not None and own[narrowest] == set(options.starts):
            return f"{_name(problem, narrowest)} is available only {ranges_text}", True
        return f"it can only run {ranges_text}", True
    n_days = len(options.days)
    return (
        f"its {len(options.starts)} possible start times over {n_days} "
        f"day{'s' if n_days > 1 else ''}",
        False,
    )


def _obstacle(
    board: Board, session: Session, day: str, start: int, candidates: tuple[str, ...]
) -> str:
    problem = board.problem
    end = start + session.minutes
    # Attendees first: if they cannot come, who the peers are does not matter.
    busy: dict[str, list[str]] = {}
    for pid in session.attendees:
        block = board.attendee_block(pid, day, start, end)
        if block is not None and block.session is not None:
            busy.setdefault(block.session, []).append(pid)
    if busy:
        return "; ".join(
            f"{_names(problem, people)} {'is' if len(people) == 1 else 'are'} in "
            f"{_title(problem, sid)}"
            for sid, people in busy.items()
        )
    blocks = {pid: board.peer_block(pid, day, start, end) for pid in candidates}
    required = [blocks[p] for p in session.required_peers if blocks.get(p) is not None]
    if required:
        return "; ".join("required peer " + _block_text(problem, b) for b in required if b)
    free = [p for p in candidates if blocks[p] is None]
    blocked = [b for b in blocks.values() if b is not None]
    sessions = {b.session for b in blocked}
    if (
        len(blocked) == len(candidates)
        and len(sessions) == 1
        and None not in sessions
        and {b.kind for b in blocked} == {"busy"}
    ):
        n = len(candidates)
        who = (
            "the only eligible peer is"
            if n == 1
            else ("both eligible peers are" if n == 2 else f"all {n} eligible peers are")
        )
        return f"{who} in {_title(problem, blocked[0].session or '')}"
    need = session.peers_needed
    if len(free) >= need:  # pragma: no cover - the final top-up fills any such gap
        return "nothing is in the way (the search stopped before placing it)"
    because = ", ".join(_block_text(problem, b) for b in blocked)
    if not free:
        return f"no eligible peer is free ({because})"
    return (
        f"only {len(free)} of the {need} peers it needs "
        f"{'is' if len(free) == 1 else 'are'} free ({because})"
    )


def _block_text(problem: Problem, block: Block) -> str:
    name = _name(problem, block.person)
    if block.kind == "busy":
        return f"{name} is in {_title(problem, block.session or '')}"
    if block.kind == "buffer":
        return (
            f"{name} would have under {problem.peer_buffer_minutes} minutes' break next to "
            f"{_title(problem, block.session or '')}"
        )
    if block.kind == "cap":
        cap = problem.person(block.person).max_sessions_per_day
        return f"{name} already has {cap} session{'s' if cap != 1 else ''} that day"
    return f"{name} would have no lunch break"


# ---------------------------------------------------------------------------------------
# Wording helpers


def _name(problem: Problem, person_id: str) -> str:
    return problem.person(person_id).name


def _names(problem: Problem, ids: Sequence[str]) -> str:
    return _join([_name(problem, pid) for pid in ids])


def _title(problem: Problem, session_id: str) -> str:
    """The session's title in quotes, with its id when another session has the same title."""
    title = problem.session(session_id).title
    if sum(1 for s in problem.sessions if s.title == title) > 1:
        return f"'{title}' ({session_id})"
    return f"'{title}'"


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _peers(n: int) -> str:
    return f"{n} peer{'s' if n != 1 else ''}"


def _on_days(problem: Problem, session: Session) -> str:
    days = problem.session_days(session)
    if session.days is None or len(days) == len(problem.week.days):
        return "on any day"
    return "on " + _join([day_label(d) for d in days])


def _clipped_spans(
    problem: Problem, calendar: Calendar, person_id: str, days: Sequence[str]
) -> dict[str, list[tuple[int, int]]]:
    """Free time within the working day, by day, leaving out days with none."""
    week = problem.week
    out: dict[str, list[tuple[int, int]]] = {}
    for d in days:
        clipped = [
            (max(a, week.day_start), min(b, week.day_end))
            for a, b in calendar.spans(person_id, d)
            if min(b, week.day_end) > max(a, week.day_start)
        ]
        if clipped:
            out[d] = clipped
    return out


def _free_text(problem: Problem, calendar: Calendar, person_id: str, days: Sequence[str]) -> str:
    """``"is available only Tuesday 2 March 13:00-13:30"`` and the like."""
    spans = _clipped_spans(problem, calendar, person_id, days)
    if not spans:
        return "is not available on " + _join([day_label(d) for d in days], "or")
    pieces = [
        f"{day_label(d)} " + _join([time_range(a, b) for a, b in ss]) for d, ss in spans.items()
    ]
    shown = _join(pieces[:MAX_RANGES])
    more = len(pieces) - MAX_RANGES
    if more > 0:
        shown = ", ".join(pieces[:MAX_RANGES]) + f" and {more} more day{'s' if more > 1 else ''}"
    return f"is available only {shown}"


def _ranges(starts: dict[str, list[int]], minutes: int) -> list[tuple[str, int, int]]:
    """Join grid starts into time ranges a session could occupy: (day, from, to)."""
    out: list[tuple[str, int, int]] = []
    for day, ts in starts.items():
        for t in sorted(ts):
            if out and out[-1][0] == day and t <= out[-1][2]:
                out[-1] = (day, out[-1][1], max(out[-1][2], t + minutes))
            else:
                out.append((day, t, t + minutes))
    return out


def _ranges_text(problem: Problem, starts: dict[str, list[int]], minutes: int) -> str:
    ranges = _ranges(starts, minutes)
    shown = [f"on {span_label(d, a, b)}" for d, a, b in ranges[:MAX_RANGES]]
    text = _join(shown)
    if len(ranges) > MAX_RANGES:
        text = ", ".join(shown) + f" and {len(ranges) - MAX_RANGES} other times"
    return text
