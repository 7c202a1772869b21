"""Generate: solve the week in a background task and keep its progress where pages can read it.

A run is a `Job` (peerdiag.common.jobs: one mechanism for every long piece of work, which also
notices a worker that died and retries or fails its job). `start_generation` checks the
problem, records a queued job and enqueues the task; the task calls `run_generation`, which
writes progress lines (best so far) as the solver reports them and, at the end, makes the
result the draft with a reason for every session left out, in one transaction and only if the
run is still this attempt's (not cancelled, not given up on by the status page).

While a run is queued or running, the week's sessions cannot be moved, added or removed by
hand (`refuse_while_generating`, called by those domain functions): the run's result would put
them back where the solver had them. The message names who started the run and when.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import jobs
from peerdiag.common.errors import DomainError
from peerdiag.common.models import Job, JobState
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.solver import solution_to_dict, solve

from ..models import Timetable
from .placements import apply_solution
from .problem import problem_for
from .runs import KIND, latest_run, refuse_while_generating, run_description, running_generate
from .week import timetable_for

MIN_SECONDS, MAX_SECONDS = 5, 120
ACTIVE = jobs.ACTIVE
IDLE = "idle"  # the state shown when the week has never been generated
__all__ = ["latest_run", "refuse_while_generating", "run_description", "running_generate"]


@dataclass(frozen=True)
class JobView:
    state: str
    best: str
    log: list[str]
    seconds_left: int | None
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    by: str = ""
    message: str = ""
    code: str = ""  # the run's public code, so a button acts on the run it was drawn for

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def job_view(run: Job | None, now: datetime | None = None) -> JobView:
    if run is None:
        return JobView(IDLE, "", [], None, "", None, None)
    now = now or timezone.now()
    left = None
    if run.state == JobState.RUNNING and run.started_at:
        left = max(0, int((run.started_at - now).total_seconds()) + run.time_limit)
    return JobView(
        state=run.state,
        best=run.best,
        log=jobs.log_lines(run),
        seconds_left=left,
        error=run.message if run.state == JobState.FAILED else "",
        started_at=run.started_at or run.queued_at,
        finished_at=run.finished_at,
        by=str(run.created_by) if run.created_by else "",
        message=run.message,
        code=run.code,
    )


def start_generation(diagnostic: Diagnostic, *, by: User | None, seconds: int = 20) -> Job:
    """Queue a generate run for the diagnostic's week.

    Refused while another run is going, when the diagnostic has ended, or when the week cannot
    be turned into a valid problem (the message says what to fix). Side effects: the run's
    job; the background task; audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise DomainError(
            f"Give the scheduler between {MIN_SECONDS} and {MAX_SECONDS} seconds", field="seconds"
        )
    problem_for(diagnostic)  # refuse now, with the reason, rather than fail in the background
    with transaction.atomic():
        # The week's row is the lock that keeps two runs from starting at once.
        Timetable.objects.select_for_update().get(pk=timetable_for(diagnostic).pk)
        if running_generate(diagnostic) is not None:
            raise DomainError("The timetable is already being generated; wait for it to finish")
        run = jobs.create_job(KIND, diagnostic=diagnostic, by=by, time_limit=seconds)
        audit.record(diagnostic, by=by, action="timetable", summary="Started generating the week")
        from ..tasks import generate_timetable

        jobs.enqueue(run, generate_timetable, run.pk)
    return run


def cancel_generation(diagnostic: Diagnostic, *, by: User | None, run_code: str | None) -> bool:
    """Stop waiting for the running generate: the run is marked failed at once, and whatever it
    finds later is thrown away. `run_code` is the run the person saw (None: whichever is going);
    False if no run is going or the one going is another (a page left open from an earlier run
    never cancels a newer one). Side effects: the job; audit entry."""
    run = running_generate(diagnostic)
    if run is None or (run_code is not None and run.code != run_code):
        return False
    name = str(by) if by is not None and by.is_authenticated else "Someone"
    when = timezone.localtime()
    if not jobs.end(run, f"{name} cancelled this run at {when:%H:%M}. The draft was not changed."):
        return False
    audit.record(diagnostic, by=by, action="timetable", summary="Cancelled generating the week")
    return True


def run_generation(job_id: int, task_id: str = "") -> str:
    """The task's body: solve and make the result the draft. Returns the final state."""
    run = jobs.begin(job_id, task_id=task_id)
    if run is None or run.diagnostic_id is None:
        return "superseded"
    diagnostic = Diagnostic.objects.get(pk=run.diagnostic_id)
    # A retried run keeps the earlier lines, which say why it started again.
    lines: list[str] = jobs.log_lines(run, last=jobs.LOG_LINES) if run.attempts > 1 else []
    last_write = [0.0]

    def progress(line: str) -> None:
        lines.append(line)
        now = clock.monotonic()
        if now - last_write[0] >= 0.5:
            last_write[0] = now
            jobs.report(run, best=line[:200], log="\n".join(lines[-jobs.LOG_LINES :]))

    try:
        problem = problem_for(diagnostic)
        result = solve(problem, time_limit=float(run.time_limit), workers=2, progress=progress)
        solution = solution_to_dict(result.solution)
        placed, left = len(solution["assignments"]), len(solution["unscheduled"])
        summary = f"{placed} sessions placed, {left} left out"
        with transaction.atomic():
            # Locked, so a cancel or the sweep cannot take the run away half-way through.
            Job.objects.select_for_update().get(pk=run.pk)
            if not jobs.still_ours(run):
                return "superseded"
            apply_solution(
                diagnostic, solution, by=run.created_by, summary=f"Generated the week: {summary}"
            )
            jobs.finish(run, best=summary, message=summary, log="\n".join(lines[-jobs.LOG_LINES :]))
        return JobState.DONE
    except Exception as exc:  # the page must say the run failed rather than spin for ever
        message = str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        jobs.fail(run, message, log="\n".join(lines[-jobs.LOG_LINES :]))
        if not isinstance(exc, DomainError):
            raise
        return JobState.FAILED
