"""Load test (not a test): 50 simulated people browsing for 60 s against gunicorn and PostgreSQL.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 2]
                                   [--admin-url postgres://postgres@127.0.0.1:5432/postgres]

It creates a throwaway PostgreSQL database on the server that --admin-url points at (loopback
only), migrates it, loads the demo (`peerdiag demo`), starts gunicorn on a free loopback port
and signs each simulated person in as one of the demo accounts (a session made in the database,
as a test client's force_login does, with the second factor marked as passed). Each person then
loops over the dashboard, the delivery diagnostic's overview, its timetable day grid and its
findings page, one request at a time with a pause to read each page (--think, 2 s on average,
as a load tool's "wait time"), for --seconds after a 5 s warm-up. Every response must be 200
with the page's own heading; anything else counts as an error. It prints requests, errors and
p50/p95/p99 per page, drops the database, and exits non-zero on any error or any page's p95 at
or over 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
P95_LIMIT_MS = 300.0
# Team accounts: they may see all four pages (a council sees no findings page).
ACCOUNTS = [
    "pcm@peerdiag.test",
    "peer@peerdiag.test",
    "manager@peerdiag.test",
    "admin@peerdiag.test",
    "auditor@peerdiag.test",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(sql)


def _prepare(db_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """Migrate, load the demo, make one session per account; returns (cookies, pages)."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdiag.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
    from peerdiag.accounts.models import User
    from peerdiag.diagnostics.models import Diagnostic

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    cookies = {}
    for email in ACCOUNTS:
        user = User.objects.get(email=email)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[VERIFIED_SESSION_KEY] = True
        session.create()
        cookies[email] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    d = Diagnostic.objects.get(title="Management oversight of practice")
    pages = {
        "dashboard": "/",
        "overview": f"/diagnostics/{d.reference}/",
        "timetable grid": f"/diagnostics/{d.reference}/timetable/grid/",
        "findings": f"/diagnostics/{d.reference}/findings/",
    }
    from django.db import connections

    connections.close_all()
    return cookies, pages


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds a person spends on a page before the next (uniform, ±50%%); 0 for "
        "back-to-back requests",
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("PEERDIAG_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    admin = urlparse(args.admin_url)
    if admin.hostname not in {"127.0.0.1", "localhost", "::1"}:
        print("The load test runs against a PostgreSQL on this machine only")
        return 2
    name = f"peerdiag_load_{uuid.uuid4().hex[:8]}"
    db_url = args.admin_url.rsplit("/", 1)[0] + "/" + name
    _psql(args.admin_url, f'CREATE DATABASE "{name}"')
    server = None
    try:
        print(f"Preparing {name}: migrate and demo data ...", flush=True)
        cookies, pages = _prepare(db_url)
        port = _free_port()
        env = dict(os.environ, DATABASE_URL=db_url, PEERDIAG_LOG_LEVEL="ERROR")
        server = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "peerdiag.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "30",
                # Longer than the longest pause, so a reused connection is never closed under it.
                "--keep-alive",
                str(int(args.think * 1.5) + 5),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("gunicorn did not start")
                    return 2
                time.sleep(0.2)

        timings: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, list[str]] = defaultdict(list)
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds + 5  # 5 s warm-up, not counted
        count_from = time.monotonic() + 5
        emails = list(cookies)

        def person(i: int) -> None:
            cookie = cookies[emails[i % len(emails)]]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            order = list(pages.items())
            pause = random.Random(i)
            time.sleep(pause.uniform(0, args.think))  # people arrive spread out
            k = i
            while time.monotonic() < stop_at:
                page, path = order[k % len(order)]
                k += 1
                started = time.monotonic()
                try:
                    conn.request("GET", path, headers={"Cookie": cookie})
                    resp = conn.getresponse()
                    body = resp.read()
                    ok = resp.status == 200 and b"<h1" in body
                    problem = "" if ok else f"HTTP {resp.status}"
                except (OSError, http.client.HTTPException) as exc:
                    problem = type(exc).__name__
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                elapsed = (time.monotonic() - started) * 1000
                if started >= count_from:
                    with lock:
                        if problem:
                            errors[page].append(problem)
                        else:
                            timings[page].append(elapsed)
                if args.think:
                    time.sleep(pause.uniform(args.think * 0.5, args.think * 1.5))
            conn.close()

        print(
            f"{args.users} people (think time {args.think:g} s) for {args.seconds:.0f} s "
            f"against gunicorn ({args.workers} workers x {args.threads} threads) ...",
            flush=True,
        )
        threads = [threading.Thread(target=person, args=(i,)) for i in range(args.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        failed = False
        total = sum(len(v) for v in timings.values()) + sum(len(v) for v in errors.values())
        print(f"\n{'page':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for page in pages:
            ok, bad = timings[page], errors[page]
            p50, p95, p99 = (
                (statistics.median(ok), _percentile(ok, 95), _percentile(ok, 99))
                if ok
                else (0.0, 0.0, 0.0)
            )
            print(
                f"{page:<16}{len(ok) + len(bad):>9}{len(bad):>8}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
            )
            if bad or not ok or p95 >= P95_LIMIT_MS:
                failed = True
            for problem in sorted(set(bad))[:3]:
                print(f"    error: {problem}")
        print(f"{total} requests in {args.seconds:.0f} s ({total / args.seconds:.0f} a second)")
        print("FAILED: errors, or a p95 at or over 300 ms" if failed else "Passed")
        return 1 if failed else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        _psql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
