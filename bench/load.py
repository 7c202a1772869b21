"""Load test (not a test): 50 simulated people browsing for 60 s against gunicorn and PostgreSQL.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--think 2]
                                   [--workers 2] [--worker-class sync] [--threads 1]
                                   [--admin-url postgres://postgres@127.0.0.1:5432/postgres]

It creates a throwaway PostgreSQL database on the server that --admin-url points at (loopback
only), migrates it, loads the demo (`peerdiag demo`), starts gunicorn on a free loopback port
and signs each simulated person in as one of the demo accounts (a session made in the database,
as a test client's force_login does, with the second factor marked as passed). Each person then
loops over the dashboard, the delivery diagnostic's overview, its timetable day grid and its
findings page, one request at a time over its own connection (kept alive where the server
allows it; sync workers close it after each response), with a pause to read each page
(--think, 2 s on average, as a load tool's "wait time"), for --seconds after a 5 s warm-up.
Every response must be a 200 with the page's own heading and the signed-in person's e-mail
address (so a page served to the wrong person would fail); anything else counts as an
error. It prints requests, errors and p50/p95/p99 per page, and where the CPU went while it
counted: gunicorn's workers, the PostgreSQL backends serving them, the load generator itself,
and everything else on the machine (other programs share its cores and slow the pages down).
It drops the database, and exits non-zero on any error or any page's p95 at or over 300 ms.
Linux only (the CPU figures come from /proc).
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
# The server shape docs/operations.md recommends for a 2-core machine (chosen by measurement).
WORKERS = 2
WORKER_CLASS = "sync"
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


def _prepare(db_url: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
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
    # Each page's path and the start of its heading (as the templates write it).
    pages = {
        "dashboard": ("/", " diagnostics</h1>"),
        "overview": (f"/diagnostics/{d.reference}/", f">{d.title}</h1>"),
        "timetable grid": (
            f"/diagnostics/{d.reference}/timetable/grid/",
            '<h1 class="govuk-heading-l">Day 1',
        ),
        "findings": (f"/diagnostics/{d.reference}/findings/", ">Findings and recommendations</h1>"),
    }
    from django.db import connections

    connections.close_all()
    return cookies, pages


def _cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time used so far by these processes (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine, all cores (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class BackendCpu(threading.Thread):
    """CPU time of the PostgreSQL backends serving database `name`, watched twice a second.

    Django closes a connection after 60 s (CONN_MAX_AGE) and opens another, so a backend can
    end during the run: what it used up to the last look is kept.
    """

    def __init__(self, admin_url: str, name: str) -> None:
        super().__init__(daemon=True)
        self.admin_url = admin_url.replace("postgres://", "postgresql://")
        self.name = name
        self.start_at: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.counting = False
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as c:
            while not self.done.is_set():
                rows = c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,)
                ).fetchall()
                for (pid,) in rows:
                    used = _cpu_seconds([int(pid)])
                    if not self.counting:
                        self.start_at[int(pid)] = used
                    self.last[int(pid)] = used
                self.done.wait(0.5)

    def seconds(self) -> float:
        return sum(used - self.start_at.get(pid, 0.0) for pid, used in self.last.items())


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn worker processes")
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default=WORKER_CLASS,
        help="gunicorn worker class (sync serves one request at a time per worker)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn threads per worker (gthread only)"
    )
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
                "--worker-class",
                args.worker_class,
                *(["--threads", str(args.threads)] if args.worker_class == "gthread" else []),
                "--timeout",
                "30",
                # Longer than the longest pause, so a kept-alive connection (gthread; sync
                # workers close every connection after its response) is never closed under it.
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
            email = emails[i % len(emails)]
            cookie = cookies[email]
            # The sign-out button names the person the page was made for.
            whose = f'Sign out<span class="govuk-visually-hidden"> {email}</span>'.encode()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            order = [(page, path, heading.encode()) for page, (path, heading) in pages.items()]
            pause = random.Random(i)
            time.sleep(pause.uniform(0, args.think))  # people arrive spread out
            k = i
            while time.monotonic() < stop_at:
                page, path, heading = order[k % len(order)]
                k += 1
                started = time.monotonic()
                try:
                    conn.request("GET", path, headers={"Cookie": cookie})
                    resp = conn.getresponse()
                    body = resp.read()
                    if resp.status != 200:
                        problem = f"HTTP {resp.status}"
                    elif heading not in body:
                        problem = "not the page's heading"
                    elif whose not in body:
                        problem = "not the signed-in person's page"
                    else:
                        problem = ""
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

        shape = f"{args.workers} {args.worker_class} workers" + (
            f" x {args.threads} threads" if args.worker_class == "gthread" else ""
        )
        print(
            f"{args.users} people (think time {args.think:g} s) for {args.seconds:.0f} s "
            f"against gunicorn ({shape}) ...",
            flush=True,
        )
        threads = [threading.Thread(target=person, args=(i,)) for i in range(args.users)]
        for t in threads:
            t.start()
        # CPU accounting over the counted period only.
        backend_cpu = BackendCpu(args.admin_url, name)
        backend_cpu.start()
        time.sleep(max(0.0, count_from - time.monotonic()))
        workers = _children(server.pid)
        backend_cpu.counting = True
        cpu_before = (_cpu_seconds(workers), time.process_time(), _machine_busy_seconds())
        wall_from = time.monotonic()
        time.sleep(max(0.0, stop_at - time.monotonic()))
        cpu_after = (_cpu_seconds(workers), time.process_time(), _machine_busy_seconds())
        wall = time.monotonic() - wall_from
        backend_cpu.done.set()
        backend_cpu.join()
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
        web, generator, machine = (
            after - before for before, after in zip(cpu_before, cpu_after, strict=True)
        )
        db = backend_cpu.seconds()
        cores = os.cpu_count() or 1
        print(
            f"CPU while counting ({cores} cores, {wall:.0f} s): gunicorn {web / wall:.0%} of a "
            f"core ({1000 * web / max(total, 1):.1f} ms a request), PostgreSQL {db / wall:.0%} "
            f"({1000 * db / max(total, 1):.1f} ms a request), load generator "
            f"{generator / wall:.0%}, everything else on the machine "
            f"{max(0.0, machine - web - db - generator) / wall:.0%}; machine busy "
            f"{machine / wall / cores:.0%}"
        )
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
