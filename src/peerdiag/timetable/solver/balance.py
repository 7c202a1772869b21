"""A quick local search that evens out peers' session minutes before CP-SAT does the rest.

Times stay as they are; only who sits in a session changes. A move hands one session
from a peer to another eligible peer who is free then, and is kept only if it narrows the
gap between the busiest and the least busy peer, or keeps it and makes the load more even
overall (a smaller sum of squares, which also guarantees the search stops). Sessions that
match the previous timetable are left alone, so a re-plan never gains a change here.

The result is only a better starting point for the fairness stage of the solver, which is
what proves optimality; on the benchmark weeks it often finds the optimum outright.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .board import Board
from .model import Assignment, Problem, Session


def balance(board: Board, max_rounds: int = 50) -> None:
    """Improve ``board`` in place; deterministic for a given board."""
    problem = board.problem
    minutes = board.minutes
    if len(minutes) < 2:
        return
    order = sorted(board.placed)
    for _ in range(max_rounds):
        moved = False
        for sid in order:
            a = board.placed[sid]
            if _kept(problem, a):
                continue
            session = problem.session(sid)
            candidates = board.calendar.options(session).peers_at.get((a.day, a.start), ())
            for giver in a.peers:
                if giver in session.required_peers:
                    continue
                takers = sorted(
                    (
                        (_score_after(minutes, giver, taker, session.minutes), i, taker)
                        for i, taker in enumerate(candidates)
                        # Only moves that make the load more even.
                        if taker not in a.peers
                        and minutes[giver] - minutes[taker] > session.minutes
                    ),
                )
                if not takers:
                    continue
                board.remove(sid)
                for _score, _i, taker in takers:
                    if board.peer_block(taker, a.day, a.start, a.end) is None:
                        chosen = {taker if p == giver else p for p in a.peers}
                        peers = tuple(p for p in candidates if p in chosen)
                        a = Assignment(sid, a.day, a.start, a.end, peers)
                        moved = True
                        break
                board.add(a)
        if not moved and not _swap(board):
            return


def _swap(board: Board) -> bool:
    """Make one exchange of sessions between two peers that evens their load; True if done.

    Peer ``p`` gives a longer session to ``q`` and takes a shorter one of ``q``'s in return,
    moving the difference in length from ``p`` to ``q``.
    """
    problem = board.problem
    minutes = board.minutes
    sits: dict[str, list[Assignment]] = {pid: [] for pid in minutes}
    for sid in sorted(board.placed):
        a = board.placed[sid]
        if _kept(problem, a):
            continue
        for pid in a.peers:
            if pid not in problem.session(sid).required_peers:
                sits[pid].append(a)
    peers = sorted(minutes, key=lambda pid: (-minutes[pid], pid))
    for i, p in enumerate(peers):
        for q in reversed(peers[i + 1 :]):
            gap = minutes[p] - minutes[q]
            for a in sits[p]:
                for b in sits[q]:
                    moved = a.end - a.start - (b.end - b.start)
                    if not 0 < moved < gap or q in a.peers or p in b.peers:
                        continue
                    if _exchange(board, a, b, p, q):
                        return True
    return False


def _exchange(board: Board, a: Assignment, b: Assignment, p: str, q: str) -> bool:
    """Put ``q`` in ``a`` instead of ``p`` and ``p`` in ``b`` instead of ``q``, if allowed."""
    options = board.calendar.options
    problem = board.problem
    at_a = options(problem.session(a.session)).peers_at.get((a.day, a.start), ())
    at_b = options(problem.session(b.session)).peers_at.get((b.day, b.start), ())
    if q not in at_a or p not in at_b:
        return False
    board.remove(a.session)
    board.remove(b.session)
    new_a = _with(a, p, q, at_a)
    if board.peer_block(q, a.day, a.start, a.end) is None:
        board.add(new_a)
        if board.peer_block(p, b.day, b.start, b.end) is None:
            board.add(_with(b, q, p, at_b))
            return True
        board.remove(new_a.session)
    board.add(a)
    board.add(b)
    return False


def _with(a: Assignment, old: str, new: str, order: tuple[str, ...]) -> Assignment:
    chosen = {new if pid == old else pid for pid in a.peers}
    return Assignment(a.session, a.day, a.start, a.end, tuple(p for p in order if p in chosen))


def _kept(problem: Problem, a: Assignment) -> bool:
    prev = problem.previous_for(a.session)
    return (
        prev is not None
        and (prev.day, prev.start) == (a.day, a.start)
        and set(prev.peers) == set(a.peers)
    )


def _score_after(minutes: dict[str, int], giver: str, taker: str, length: int) -> tuple[int, int]:
    after = dict(minutes)
    after[giver] -= length
    after[taker] += length
    values = list(after.values())
    return max(values) - min(values), sum(v * v for v in values)


def spread_days(board: Board, max_tries: int = 20000, *, keep_peers: bool = False) -> None:
    """Move sessions from busier days onto quieter ones; in place, deterministic.

    A move takes a session (neither fixed nor kept from the previous timetable) from a day
    to the earliest start on a quieter day where the rules allow it, and is made only if
    the quieter day stays below the busier day's old total. The busiest day is tried first;
    when nothing more leaves it (say it holds only fixed meetings), the next busiest, and so
    on, so the days below the peak even out too. The sum of squares of the day totals falls
    with each move, so the search ends, and no move raises the busiest day. It runs before
    the day balance level of the solver as a better starting point; it places the same
    sessions, so the weight and the changes stay as they were. ``max_tries`` bounds the
    placements tried, which keeps the time small on the largest weeks.

    With ``keep_peers`` a session moves only with the peers it has, so every peer's minutes,
    and with them fairness, stay as they are: the solver's last step, which evens out the
    days below the busiest without touching any level of the quality order.
    """
    days = board.problem.week.days
    if len(days) < 2:
        return
    spread = _Spread(board, max_tries, keep_peers)
    while spread.tries < max_tries:
        order = sorted(days, key=lambda d: (-spread.load[d], spread.index[d]))
        if not any(_move_from(spread, source) for source in order[:-1]):
            return


@dataclass
class _Spread:
    """The state of one :func:`spread_days` search: each day's peer-minutes and tries made."""

    board: Board
    max_tries: int
    keep_peers: bool
    index: dict[str, int] = field(init=False)  # day -> its place in the week
    load: dict[str, int] = field(init=False)  # day -> peer-minutes
    tries: int = 0

    def __post_init__(self) -> None:
        days = self.board.problem.week.days
        self.index = {d: i for i, d in enumerate(days)}
        self.load = {d: 0 for d in days}
        for a in self.board.placed.values():
            if a.day in self.load:
                self.load[a.day] += (a.end - a.start) * len(a.peers)

    @property
    def spent(self) -> bool:
        """Whether the tries allowed are used up."""
        return self.tries >= self.max_tries


def _move_from(spread: _Spread, source: str) -> bool:
    """Move one session off ``source`` onto a quieter day; True if one moved."""
    board, problem, load = spread.board, spread.board.problem, spread.load
    movable = sorted(
        (
            a
            for a in board.placed.values()
            if a.day == source
            and a.peers
            and problem.session(a.session).fixed is None
            and not _kept(problem, a)
        ),
        key=lambda a: (-(a.end - a.start) * len(a.peers), a.session),
    )
    for a in movable:
        units = (a.end - a.start) * len(a.peers)
        targets = sorted(
            (d for d in problem.week.days if d != source and load[d] + units < load[source]),
            key=lambda d: (load[d], spread.index[d]),
        )
        if not targets:
            continue
        board.remove(a.session)
        if _move_to_quieter_day(spread, a, source, targets):
            return True
        board.add(a)
        if spread.spent:
            return False
    return False


def _move_to_quieter_day(spread: _Spread, a: Assignment, source: str, targets: list[str]) -> bool:
    """Place ``a`` (taken off the board) at the earliest start it fits on the first of
    ``targets`` that has one; True if placed."""
    session = spread.board.problem.session(a.session)
    starts = spread.board.calendar.options(session).starts
    for day in targets:
        for d, t in starts:
            if d != day:
                continue
            spread.tries += 1
            new = _place_at(spread, a, session, d, t)
            if new is not None:
                spread.load[source] -= (a.end - a.start) * len(a.peers)
                spread.load[d] += (new.end - new.start) * len(new.peers)
                return True
            if spread.spent:
                break
        if spread.spent:
            break
    return False


def _place_at(
    spread: _Spread, a: Assignment, session: Session, day: str, t: int
) -> Assignment | None:
    """Put ``a``'s session at ``t`` on ``day`` if the rules allow, with its own peers under
    ``keep_peers`` and with any free ones otherwise; what was placed, or None."""
    from .greedy import fits

    if not spread.keep_peers:
        return spread.board.try_place(session, day, t)
    new = Assignment(a.session, day, t, t + session.minutes, a.peers)
    if fits(spread.board, new):
        spread.board.add(new)
        return new
    return None
