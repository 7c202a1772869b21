"""Solving a problem end to end: first-fit start, CP-SAT search, top-up, reasons."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .availability import Calendar
from .board import Board
from .check import Quality, measure
from .cpsat import Progress, Stats
from .greedy import first_fit, placement_order, solution_from_board
from .model import Assignment, Problem, Solution

DEFAULT_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class SolveResult:
    solution: Solution
    quality: Quality
    stats: Stats


def solve(
    problem: Problem,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = 1,
    progress: Progress | None = None,
    clock: Callable[[], float] | None = None,
) -> SolveResult:
    """Timetable ``problem``: every hard rule holds, quality is as good as time allows.

    ``time_limit`` bounds the whole call in seconds (OR-Tools' own wind-down aside);
    ``workers`` is the number of CP-SAT search threads. ``progress`` receives one line of
    text per event (improvements, bounds, stage ends). ``clock`` (seconds since some
    start) defaults to the time since this call began; the benchmark passes a clock that
    starts with the process.
    """
    if clock is None:
        began = time.perf_counter()

        def clock() -> float:
            return time.perf_counter() - began

    from .cpsat import optimise  # keeps OR-Tools out of a bare package import

    calendar = Calendar(problem)
    previous = [
        Assignment(p.session, p.day, p.start, p.start + problem.session(p.session).minutes, p.peers)
        for p in problem.previous
    ]
    start = first_fit(problem, calendar, seed=previous)
    assignments, stats = optimise(
        problem,
        calendar,
        list(start.placed.values()),
        time_limit=time_limit,
        workers=workers,
        clock=clock,
        progress=progress,
    )
    # The search only ever keeps improving a valid timetable, so its result is valid; any
    # session it left out that still fits (possible only when time ran out) goes in now.
    board = Board(problem, calendar)
    for a in assignments:
        board.add(a)
    for session in placement_order(problem, calendar):
        if session.id not in board.placed:
            for day, t in calendar.options(session).starts:
                if board.try_place(session, day, t) is not None:
                    break
    solution = solution_from_board(board)
    stats.wall = clock()
    return SolveResult(solution, measure(problem, solution.assignments), stats)
