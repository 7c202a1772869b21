"""Fault tests: each runs against services it starts itself.

`private_pg` is a PostgreSQL server of our own: initdb into a temporary folder, trust auth, its
own free port on 127.0.0.1 and its own Unix-socket folder, stopped at the end of the session.
Never the machine's shared server, because these tests stop and restart it.

Run them alone with `pytest tests/faults`. Without PostgreSQL's server binaries they are
skipped with the reason; under CI (CI=true) a missing binary is a failure instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_DIRS = ["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]
REPO = Path(__file__).resolve().parents[2]


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    for folder in PG_BIN_DIRS:
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivatePostgres:
    bin: Path
    data: Path
    sockets: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/peerdiag"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.log), *args]
        subprocess.run(  # noqa: S603 (a fixed command line)
            cmd, check=True, capture_output=True, timeout=timeout, user=_run_as()
        )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self.pg_ctl("start", "-o", opts)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate")

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            PEERDIAG_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            **extra,
        )
        return env

    def sql(
        self, query: str, params: tuple[object, ...] = (), dbname: str = "peerdiag"
    ) -> list[tuple]:  # type: ignore[type-arg]
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            cur = conn.execute(query, params or None)
            return cur.fetchall() if cur.description else []


def _run_as() -> str | None:
    # PostgreSQL refuses to run as root; as root, run it as the postgres system user.
    return "postgres" if os.geteuid() == 0 else None


def peerdiag(pg: PrivatePostgres, *args: str, timeout: float = 120) -> str:
    proc = subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-m", "peerdiag", *args],
        env=pg.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="session")
def private_pg() -> Iterator[PrivatePostgres]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI needs them)")
        pytest.skip(reason)
    # Not under pytest's own temporary folder: as root that is closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="peerdiag-pg-"))
    if _run_as():
        shutil.chown(root, "postgres", "postgres")
    pg = PrivatePostgres(
        bin=pg_bin, data=root / "data", sockets=root, port=free_port(), log=root / "server.log"
    )
    subprocess.run(  # noqa: S603 (a fixed command line)
        [
            str(pg_bin / "initdb"),
            "-D",
            str(pg.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        timeout=120,
        user=_run_as(),
    )
    pg.start()
    try:
        pg.sql("CREATE DATABASE peerdiag", dbname="postgres")
        peerdiag(pg, "migrate", "--no-input", "-v0", timeout=300)
        yield pg
    finally:
        with contextlib.suppress(subprocess.SubprocessError):  # already down: nothing to stop
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)
