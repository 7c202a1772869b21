"""Jobs survive their worker: a worker killed with -9 mid-generate or mid-export is noticed by
the other workers (or by the status page when there is none) with no command run by hand, and
the job ends finished or clearly failed within 90 seconds. While a generate runs, a hand move is
refused with a message naming the run, as the pages say.

Each test starts real `peerdiag db_worker` processes against the private PostgreSQL server,
with tests/faults/slow_jobs.py making the solve (or the export) wait first, so there is time to
kill the worker half-way through.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import PrivatePostgres, peerdiag

# Runs against its own PostgreSQL server, never the run's database: CI runs it once.
pytestmark = pytest.mark.own_database

LIMIT = 90  # seconds from the kill to a finished or clearly failed job

WORKER = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'peerdiag.settings'); "
    "django.setup(); import tests.faults.slow_jobs; "
    "from peerdiag.__main__ import main; main()"
)

SETUP = """
import json
from tests.factories import CouncilFactory, DiagnosticFactory, LgaFactory, PersonFactory
from tests.factories import TeamMemberFactory, UserFactory
from tests.timetable.helpers import planned_week
from peerdiag.diagnostics.enums import TeamRole

n = {n}
# Each test's shell is a new process: start the factories' numbering apart from the others'.
for made in (CouncilFactory, PersonFactory, UserFactory):
    made.reset_sequence(n * 100)
lga = LgaFactory()
council = CouncilFactory(name=f"Faultshire {{n}}")
user = UserFactory(email=f"pcm{{n}}@example.org", full_name=f"Priya Chandra {{n}}")
PersonFactory(user=user, organisation=lga, full_name=user.full_name, email=user.email)
d = DiagnosticFactory(host_council=council, reference=f"RPD-2027-{{n}}")
TeamMemberFactory(diagnostic=d, person=user.person, role=TeamRole.PEER_CHALLENGE_MANAGER)
w = planned_week(d, interviews=4)
print(json.dumps({{"ref": d.reference, "email": user.email, "session": w.interviews[0].code}}))
"""

START = """
from peerdiag.accounts.models import User
from peerdiag.diagnostics.models import Diagnostic
d = Diagnostic.objects.get(reference={ref!r})
by = User.objects.get(email={email!r})
{start}
print(job.pk)
"""
GENERATE = (
    "from peerdiag.timetable.domain.generate import start_generation\n"
    "job = start_generation(d, by=by, seconds=10)"
)
EXPORT = (
    "from peerdiag.reports.domain.exports import start_export\n"
    "job = start_export(d, by=by, kind='report_docx')"
)

PAGE = """
import html
import peerdiag.accounts.domain.two_factor as two_factor
from django.test import Client
from peerdiag.accounts.models import User
two_factor._requirements = []  # the test signs in with force_login, as the other page tests do
c = Client()
c.force_login(User.objects.get(email={email!r}))
data = {data!r}
if data is None:
    response = c.get({url!r})
else:
    from peerdiag.timetable.models import Session
    data["version"] = str(Session.objects.get(code={session!r}).version)
    response = c.post({url!r}, data)
print(html.unescape(response.content.decode()))
"""


def _setup(pg: PrivatePostgres, n: int) -> dict[str, str]:
    out = peerdiag(pg, "shell", "-v0", "-c", SETUP.format(n=n))
    found: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return found


def _start(pg: PrivatePostgres, week: dict[str, str], start: str) -> int:
    out = peerdiag(pg, "shell", "-v0", "-c", START.format(start=start, **week))
    return int(out.strip().splitlines()[-1])


def _page(
    pg: PrivatePostgres, week: dict[str, str], url: str, data: dict[str, str] | None = None
) -> str:
    script = PAGE.format(email=week["email"], url=url, data=data, session=week["session"])
    return " ".join(peerdiag(pg, "shell", "-v0", "-c", script).split())


def _job(pg: PrivatePostgres, job_id: int) -> dict[str, object]:
    rows = pg.sql(
        "SELECT state, attempts, worker_id, message, log, task_id FROM common_job WHERE id = %s",
        (job_id,),
    )
    assert rows, "the job is not in the database"
    keys = ("state", "attempts", "worker_id", "message", "log", "task_id")
    return dict(zip(keys, rows[0], strict=True))


def _task(pg: PrivatePostgres, task_id: object) -> tuple[str, list[str]]:
    rows = pg.sql(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
        (str(task_id),),
    )
    assert rows, "the task is not in the database"
    return rows[0][0], list(rows[0][1])


def _wait_for(check: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.5)
    return False


@contextmanager
def _worker(
    pg: PrivatePostgres, worker_id: str, slow: float, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [
                sys.executable,
                "-c",
                WORKER,
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                worker_id,
                "-v0",
            ],
            env=pg.env(FAULT_SLOW_SECONDS=str(slow)),
            stdout=out,
            stderr=out,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _kill_when_running(pg: PrivatePostgres, proc: subprocess.Popen[bytes], job_id: int) -> float:
    """Kill the worker with -9 once it is half-way through the job; returns the time."""
    assert _wait_for(lambda: _job(pg, job_id)["state"] == "running", 60), _job(pg, job_id)
    time.sleep(2)  # well inside the slow part
    assert _job(pg, job_id)["state"] == "running"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    return time.monotonic()


def _generate_url(week: dict[str, str]) -> str:
    return f"/diagnostics/{week['ref']}/timetable/generate/"


def test_a_generate_whose_worker_was_killed_is_finished_by_another_worker(private_pg, tmp_path):  # type: ignore[no-untyped-def]
    week = _setup(private_pg, 901)
    job_id = _start(private_pg, week, GENERATE)
    with _worker(private_pg, "gen-one", 120, tmp_path / "one.log") as first:
        killed = _kill_when_running(private_pg, first, job_id)
    stuck = _job(private_pg, job_id)
    assert stuck["state"] == "running" and stuck["worker_id"] == "gen-one"
    assert _task(private_pg, stuck["task_id"]) == ("RUNNING", ["gen-one"])

    with _worker(private_pg, "gen-two", 1, tmp_path / "two.log"):
        assert _wait_for(
            lambda: _job(private_pg, job_id)["state"] in ("done", "failed"),
            LIMIT - (time.monotonic() - killed),
        ), (_job(private_pg, job_id), (tmp_path / "two.log").read_text())
    job = _job(private_pg, job_id)
    assert (job["state"], job["attempts"], job["worker_id"]) == ("done", 2, "gen-two"), job
    assert "another worker will start this again (try 2 of 3)" in str(job["log"])
    assert _task(private_pg, job["task_id"]) == ("SUCCESSFUL", ["gen-one", "gen-two"])
    page = _page(private_pg, week, _generate_url(week))
    assert "Finished: " in page and "sessions placed" in page
    assert "In progress" not in page and "Cancel the run" not in page


def test_a_generate_whose_only_worker_was_killed_fails_on_its_page(private_pg, tmp_path):  # type: ignore[no-untyped-def]
    week = _setup(private_pg, 902)
    job_id = _start(private_pg, week, GENERATE)
    with _worker(private_pg, "lonely", 120, tmp_path / "lonely.log") as only:
        killed = _kill_when_running(private_pg, only, job_id)
    url = _generate_url(week)
    page = _page(private_pg, week, url)
    assert "In progress" in page, "a worker only just gone may still be beating"
    # No worker is left to sweep: the status page itself ends the run.
    assert _wait_for(
        lambda: "The last run failed" in _page(private_pg, week, url),
        LIMIT - (time.monotonic() - killed),
    )
    page = _page(private_pg, week, url)
    assert "The background worker stopped before this was finished." in page
    assert "Check that a worker is running, then press Generate again." in page
    assert "In progress" not in page and "Generate again" in page
    job = _job(private_pg, job_id)
    assert job["state"] == "failed"
    assert _task(private_pg, job["task_id"])[0] == "FAILED", "no task is left RUNNING for ever"


def test_an_export_whose_worker_was_killed_is_built_by_another_worker(private_pg, tmp_path):  # type: ignore[no-untyped-def]
    week = _setup(private_pg, 903)
    job_id = _start(private_pg, week, EXPORT)
    with _worker(private_pg, "export-one", 120, tmp_path / "one.log") as first:
        killed = _kill_when_running(private_pg, first, job_id)
    url = f"/diagnostics/{week['ref']}/exports/"
    page = _page(private_pg, week, url)
    assert "10% done: Gathering the findings and recommendations" in page, page[-3000:]

    with _worker(private_pg, "export-two", 1, tmp_path / "two.log"):
        assert _wait_for(
            lambda: _job(private_pg, job_id)["state"] in ("done", "failed"),
            LIMIT - (time.monotonic() - killed),
        ), (_job(private_pg, job_id), (tmp_path / "two.log").read_text())
    job = _job(private_pg, job_id)
    assert (job["state"], job["attempts"], job["worker_id"]) == ("done", 2, "export-two"), job
    assert _task(private_pg, job["task_id"]) == ("SUCCESSFUL", ["export-one", "export-two"])
    page = _page(private_pg, week, url)
    assert f"Download {week['ref']}-written-feedback.docx" in page
    assert "could not be built" not in page and "% done" not in page


def test_a_hand_move_during_a_running_generate_is_refused_as_the_pages_say(private_pg, tmp_path):  # type: ignore[no-untyped-def]
    week = _setup(private_pg, 904)
    move = f"/diagnostics/{week['ref']}/timetable/sessions/{week['session']}/move/"
    before = private_pg.sql(
        "SELECT day, start, version FROM timetable_session WHERE code = %s", (week["session"],)
    )
    job_id = _start(private_pg, week, GENERATE)
    with _worker(private_pg, "mover", 40, tmp_path / "mover.log"):
        assert _wait_for(lambda: _job(private_pg, job_id)["state"] == "running", 60)
        generate = _page(private_pg, week, _generate_url(week))
        assert "Priya Chandra 904 started generating the timetable at" in generate
        assert "nobody can move, add or remove this week's sessions by hand" in generate
        shown = _page(private_pg, week, move)
        assert "Until the run ends, this week's sessions cannot be moved, added or removed" in shown
        refused = _page(private_pg, week, move, {"day": "1", "start": "10:00"})
        assert "There is a problem" in refused
        assert "Priya Chandra 904 started generating the timetable at" in refused
        assert "Wait for it to finish, or cancel it on the Generate page" in refused
        after = private_pg.sql(
            "SELECT day, start, version FROM timetable_session WHERE code = %s",
            (week["session"],),
        )
        assert after == before, "the refused move changed nothing"
        assert _wait_for(lambda: _job(private_pg, job_id)["state"] == "done", 90)
    # Once the run has finished, the move page no longer warns, and a move is checked as usual.
    shown = _page(private_pg, week, move)
    assert "Until the run ends" not in shown and "Move the session" in shown
