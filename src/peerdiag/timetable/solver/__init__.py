"""The delivery-week scheduler, as plain Python with no Django in it.

Read a problem with :func:`load_problem` or :func:`parse_problem` (both validate it and
raise :class:`ProblemError` listing every mistake), timetable it with :func:`solve`, check
any timetable with :func:`check_solution`, and write one out with :func:`solution_to_dict`.
OR-Tools is imported only when :func:`solve` runs.
"""

from __future__ import annotations

from .check import Quality, Report, Violation, check_solution, measure
from .engine import SolveResult, solve
from .greedy import greedy_solution
from .io import (
    ProblemError,
    dumps,
    load_problem,
    load_solution,
    parse_problem,
    parse_solution,
    problem_to_dict,
    solution_to_dict,
)
from .model import (
    PROBLEM_FORMAT,
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
)

__all__ = [
    "PROBLEM_FORMAT",
    "SOLUTION_FORMAT",
    "Assignment",
    "Lunch",
    "Person",
    "Placement",
    "PreviousAssignment",
    "Problem",
    "ProblemError",
    "Quality",
    "Report",
    "Session",
    "Solution",
    "SolveResult",
    "Unscheduled",
    "Violation",
    "Week",
    "Window",
    "check_solution",
    "dumps",
    "greedy_solution",
    "load_problem",
    "load_solution",
    "measure",
    "parse_problem",
    "parse_solution",
    "problem_to_dict",
    "solution_to_dict",
    "solve",
]
