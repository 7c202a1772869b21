"""A worker killed mid-task: the task is put back, another worker runs it, it completes once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PrivatePostgres, peerdiag

# Runs against its own PostgreSQL server, never the run's database: CI runs it once.
pytestmark = pytest.mark.own_database

ENQUEUE = """
from tests.faults.slow_tasks import slow_mark
print(slow_mark.enqueue({path!r}, {seconds}).id)
"""


def _status(pg: PrivatePostgres, task_id: str) -> tuple[str, list[str]]:
    rows = pg.sql(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
        (task_id,),
    )
    assert rows, "the task is not in the database"
    return rows[0][0], list(rows[0][1])


def _worker(pg: PrivatePostgres, worker_id: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (a fixed command line)
        [
            sys.executable,
            "-m",
            "peerdiag",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--worker-id",
            worker_id,
            "-v0",
        ],
        env=pg.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(check, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_task_whose_worker_was_killed_is_retried_and_completes_exactly_once(private_pg, tmp_path):  # type: ignore[no-untyped-def]
    marks = tmp_path / "marks.txt"
    script = ENQUEUE.format(path=str(marks), seconds=4)
    task_id = peerdiag(private_pg, "shell", "-v0", "-c", script).strip().splitlines()[-1]

    first = _worker(private_pg, "worker-one")
    try:
        assert _wait_for(lambda: _status(private_pg, task_id)[0] == "RUNNING", 30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    # Dead mid-task: nothing done, and the task is stuck as RUNNING with nobody on it.
    assert not marks.exists()
    assert _status(private_pg, task_id) == ("RUNNING", ["worker-one"])

    # A young running task is left alone (it might be on a live worker) ...
    out = peerdiag(private_pg, "tasks", "requeue-stale", "--older-than", "3600")
    assert out.strip() == "No stale tasks"
    assert _status(private_pg, task_id)[0] == "RUNNING"
    # ... one older than the limit is put back.
    time.sleep(1.1)
    out = peerdiag(private_pg, "tasks", "requeue-stale", "--older-than", "1")
    assert out.strip() == f"Put back 1 stale tasks: {task_id}"
    assert _status(private_pg, task_id)[0] == "READY"

    second = _worker(private_pg, "worker-two")
    try:
        assert _wait_for(lambda: _status(private_pg, task_id)[0] == "SUCCESSFUL", 30)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=10)
        except subprocess.TimeoutExpired:
            second.kill()
    assert _status(private_pg, task_id) == ("SUCCESSFUL", ["worker-one", "worker-two"])
    assert Path(marks).read_text() == "done\n"  # its effect happened once
