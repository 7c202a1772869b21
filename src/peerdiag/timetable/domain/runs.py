"""Is a generate run going for this week? Kept apart from generate.py so that the functions
that change sessions by hand (placements.py, sessions.py) can ask without importing the run."""

from __future__ import annotations

from django.utils import timezone

from peerdiag.common import jobs
from peerdiag.common.errors import DomainError
from peerdiag.common.models import Job, JobKind
from peerdiag.diagnostics.models import Diagnostic

KIND = JobKind.TIMETABLE


def latest_run(diagnostic: Diagnostic) -> Job | None:
    """The diagnostic's latest generate run, settled (a run whose worker is gone is ended)."""
    run = (
        Job.objects.filter(diagnostic=diagnostic, kind=KIND)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
        .first()
    )
    return jobs.settle(run) if run is not None else None


def running_generate(diagnostic: Diagnostic) -> Job | None:
    """The generate run queued or going now for the diagnostic, if any."""
    run = latest_run(diagnostic)
    return run if run is not None and run.active else None


def run_description(run: Job) -> str:
    """'Priya Chandra started generating the timetable at 14:05 on 3 March'."""
    who = str(run.created_by) if run.created_by else "Someone"
    when = timezone.localtime(run.created_at)
    return f"{who} started generating the timetable at {when:%H:%M} on {when.day} {when:%B}"


def hold_week_against_runs(diagnostic: Diagnostic) -> None:
    """Inside a hand change's transaction: lock the week's row (the lock `start_generation`
    takes before it queues a run) and check again that no run is going. A run asked for while
    the change is being written waits for it, and then solves the week with the change in it,
    so a run can never undo a change that was told it succeeded."""
    from ..models import Timetable

    Timetable.objects.select_for_update().filter(diagnostic=diagnostic).first()
    refuse_while_generating(diagnostic)


def refuse_while_generating(diagnostic: Diagnostic) -> None:
    """Raise DomainError naming the run while one is queued or going for the diagnostic's week.

    Called at the top of every hand change to the week's sessions (move, add, remove): the
    run's result replaces the whole draft, so a change made meanwhile would be undone silently.
    """
    run = running_generate(diagnostic)
    if run is not None:
        raise DomainError(
            f"{run_description(run)}, so the week's sessions cannot be changed by hand until it "
            "ends. Wait for it to finish, or cancel it on the Generate page, then try again."
        )
