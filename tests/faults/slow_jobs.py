"""Slow generate runs and exports for the fault tests, so a worker can be killed half-way.

Imported by the worker the tests start (see `job_worker`): it wraps the solver and the export's
content gathering so each first waits FAULT_SLOW_SECONDS (from the environment), reporting a
progress line every half second the way the real solver does. Nothing else changes: the real
worker command, the real task and the real solve run after the wait.
"""

from __future__ import annotations

import os
import time
from typing import Any

import peerdiag.reports.domain.exports as exports
import peerdiag.timetable.domain.generate as generate

SECONDS = float(os.environ.get("FAULT_SLOW_SECONDS", "0"))
_solve, _feedback_for = generate.solve, exports.feedback_for


def _wait(progress: Any = None) -> None:
    end = time.monotonic() + SECONDS
    n = 0
    while time.monotonic() < end:
        time.sleep(0.5)
        n += 1
        if progress is not None:
            progress(f"Still looking ({n})")


def slow_solve(*args: Any, **kwargs: Any) -> Any:
    _wait(kwargs.get("progress"))
    return _solve(*args, **kwargs)


def slow_feedback_for(*args: Any, **kwargs: Any) -> Any:
    _wait()
    return _feedback_for(*args, **kwargs)


generate.solve = slow_solve  # type: ignore[assignment]
exports.feedback_for = slow_feedback_for
