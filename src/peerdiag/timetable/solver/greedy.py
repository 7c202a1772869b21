"""First-fit: the baseline the solver is measured against, and its starting point.

Sessions are taken in a fixed order (fixed meetings, then by weight, then the ones with the
fewest possible starts) and each goes at its earliest start where the rules allow, with the
least-loaded free peers. No search, no backtracking.
"""

from __future__ import annotations

from collections.abc import Iterable

from .availability import Calendar
from .board import Board
from .model import Assignment, Problem, Session, Solution, Unscheduled


def placement_order(problem: Problem, calendar: Calendar) -> list[Session]:
    index = {s.id: i for i, s in enumerate(problem.sessions)}
    return sorted(
        problem.sessions,
        key=lambda s: (
            s.fixed is None,
            -s.weight,
            len(calendar.options(s).starts),
            index[s.id],
        ),
    )


def fits(board: Board, a: Assignment) -> bool:
    """Whether ``a`` (with its own peers) could be added to ``board`` without breaking a rule."""
    problem = board.problem
    if not problem.has_session(a.session) or a.session in board.placed:
        return False
    session = problem.session(a.session)
    candidates = board.calendar.options(session).peers_at.get((a.day, a.start))
    if candidates is None or a.end != a.start + session.minutes:
        return False
    peers = set(a.peers)
    if (
        len(peers) != len(a.peers)
        or len(peers) != session.peers_needed
        or not set(session.required_peers) <= peers
        or not peers <= set(candidates)
    ):
        return False
    if any(board.attendee_block(p, a.day, a.start, a.end) for p in session.attendees):
        return False
    return not any(board.peer_block(p, a.day, a.start, a.end) for p in a.peers)


def first_fit(
    problem: Problem, calendar: Calendar | None = None, seed: Iterable[Assignment] = ()
) -> Board:
    """Fill a board first-fit, after keeping whichever ``seed`` assignments still fit."""
    board = Board(problem, calendar)
    for a in seed:
        if fits(board, a):
            board.add(a)
    for session in placement_order(problem, board.calendar):
        if session.id in board.placed:
            continue
        for day, start in board.calendar.options(session).starts:
            if board.try_place(session, day, start) is not None:
                break
    return board


def solution_from_board(board: Board) -> Solution:
    """A full solution: the board's assignments, and a reason for every other session."""
    from .explain import explain_all

    problem = board.problem
    day_index = {d: i for i, d in enumerate(problem.week.days)}
    assignments = sorted(
        board.placed.values(), key=lambda a: (day_index[a.day], a.start, a.session)
    )
    reasons = explain_all(board)
    unscheduled = [
        Unscheduled(s.id, reasons[s.id]) for s in problem.sessions if s.id not in board.placed
    ]
    return Solution(tuple(assignments), tuple(unscheduled))


def greedy_solution(problem: Problem) -> Solution:
    """The first-fit baseline as a complete solution."""
    return solution_from_board(first_fit(problem))
