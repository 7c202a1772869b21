"""PostgreSQL restarted under a running app server: the next requests succeed, no app restart.

A gunicorn of our own serves the app against the private PostgreSQL; its connections persist
between requests (CONN_MAX_AGE), so after the restart each one holds a dead connection. The app
must notice that before it uses one (CONN_HEALTH_CHECKS) rather than fail a request with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import free_port

# Runs against its own PostgreSQL server, never the run's database: CI runs it once.
pytestmark = pytest.mark.own_database


def _get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (loopback only)
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_the_app_recovers_from_a_database_restart_without_being_restarted(private_pg):  # type: ignore[no-untyped-def]
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "peerdiag.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
        ],
        env=private_pg.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/healthz/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(url)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        before = [_get(url) for _ in range(3)]
        assert before == [(200, {"status": "ok", "database": "ok"})] * 3
        pid = server.pid

        private_pg.restart()

        after = [_get(url) for _ in range(5)]
        assert after == [(200, {"status": "ok", "database": "ok"})] * 5
        assert server.poll() is None and server.pid == pid  # the same server, never restarted
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
