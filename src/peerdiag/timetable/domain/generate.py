"""Generate: solve the week in a background task and keep its progress where pages can read it.

`start_generation` checks the problem, marks the run queued and enqueues the task; the task
calls `run_generation`, which writes progress lines (best so far) as the solver reports them
and, at the end, makes the result the draft with a reason for every session left out.
"""

from __future__ import annotations

import secrets
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.solver import solution_to_dict, solve

from ..enums import JobState
from ..models import Timetable
from .placements import apply_solution
from .problem import problem_for
from .week import timetable_for

MIN_SECONDS, MAX_SECONDS = 5, 120
ACTIVE = (JobState.QUEUED, JobState.RUNNING)
# A run that has said nothing for this long past its limit is taken to have died.
STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class JobView:
    state: str
    best: str
    log: list[str]
    seconds_left: int | None
    error: str
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def job_view(t: Timetable, now: datetime | None = None) -> JobView:
    now = now or timezone.now()
    left = None
    if t.job_state in ACTIVE and t.job_started_at:
        left = max(0, int((t.job_started_at - now).total_seconds()) + t.job_time_limit)
    return JobView(
        state=t.job_state,
        best=t.job_best,
        log=[line for line in t.job_log.splitlines() if line][-8:],
        seconds_left=left,
        error=t.job_error,
        started_at=t.job_started_at,
        finished_at=t.job_finished_at,
    )


def start_generation(diagnostic: Diagnostic, *, by: User | None, seconds: int = 20) -> Timetable:
    """Queue a generate run for the diagnostic's week.

    Refused while another run is going, when the diagnostic has ended, or when the week cannot
    be turned into a valid problem (the message says what to fix). Side effects: the run's
    state; the background task; audit entry.
    """
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended; its timetable can no longer change")
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise DomainError(
            f"Give the scheduler between {MIN_SECONDS} and {MAX_SECONDS} seconds", field="seconds"
        )
    problem_for(diagnostic)  # refuse now, with the reason, rather than fail in the background
    with transaction.atomic():
        t = Timetable.objects.select_for_update().get(pk=timetable_for(diagnostic).pk)
        now = timezone.now()
        stale = t.job_started_at is not None and now - t.job_started_at > STALE_AFTER + timedelta(
            seconds=t.job_time_limit
        )
        if t.job_state in ACTIVE and not stale:
            raise DomainError("The timetable is already being generated; wait for it to finish")
        t.job_state = JobState.QUEUED
        t.job_token = secrets.token_hex(8)
        t.job_time_limit = seconds
        t.job_started_at = now
        t.job_finished_at = None
        t.job_best = ""
        t.job_log = ""
        t.job_error = ""
        t.job_by = by if by is not None and by.is_authenticated else None
        t.save()
        audit.record(diagnostic, by=by, action="timetable", summary="Started generating the week")
        token = t.job_token

    from ..tasks import generate_timetable

    transaction.on_commit(lambda: generate_timetable.enqueue(diagnostic.pk, token))
    diagnostic._pd_timetable = t  # type: ignore[attr-defined]
    return t


def run_generation(diagnostic_id: int, token: str) -> str:
    """The task's body: solve and make the result the draft. Returns the final state."""
    t = Timetable.objects.select_related("diagnostic").get(diagnostic_id=diagnostic_id)
    if t.job_token != token or t.job_state not in ACTIVE:
        return "superseded"
    diagnostic = t.diagnostic
    Timetable.objects.filter(pk=t.pk, job_token=token).update(
        job_state=JobState.RUNNING, job_started_at=timezone.now()
    )
    lines: list[str] = []
    last_write = [0.0]

    def progress(line: str) -> None:
        lines.append(line)
        now = clock.monotonic()
        if now - last_write[0] >= 0.5:
            last_write[0] = now
            Timetable.objects.filter(pk=t.pk, job_token=token).update(
                job_best=line[:200], job_log="\n".join(lines[-50:])
            )

    try:
        problem = problem_for(diagnostic)
        result = solve(problem, time_limit=float(t.job_time_limit), workers=2, progress=progress)
        solution = solution_to_dict(result.solution)
        placed, left = len(solution["assignments"]), len(solution["unscheduled"])
        summary = f"{placed} sessions placed, {left} left out"
        with transaction.atomic():
            current = Timetable.objects.select_for_update().get(pk=t.pk)
            if current.job_token != token:
                return "superseded"
            apply_solution(
                diagnostic, solution, by=t.job_by, summary=f"Generated the week: {summary}"
            )
            current.job_state = JobState.DONE
            current.job_best = summary
            current.job_log = "\n".join(lines[-50:])
            current.job_finished_at = timezone.now()
            current.save()
        return JobState.DONE
    except Exception as exc:  # the page must say the run failed rather than spin for ever
        message = str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        Timetable.objects.filter(pk=t.pk, job_token=token).update(
            job_state=JobState.FAILED,
            job_error=message[:2000],
            job_finished_at=timezone.now(),
            job_log="\n".join(lines[-50:]),
        )
        if not isinstance(exc, DomainError):
            raise
        return JobState.FAILED
