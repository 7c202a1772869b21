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

from .board import Board
from .model import Assignment, Problem


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
        if not moved:
            return


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
