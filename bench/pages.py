"""Page latency benchmark (not a test): dashboard and overview with 1,000 diagnostics, and the
timetable's day grid of a 60-session delivery week.

    .venv/bin/python bench/pages.py [--diagnostics 1000] [--runs 50]

Builds a throwaway SQLite database in a temporary folder (or uses DATABASE_URL if set, which
must point at a scratch database), fills it, and times each page through Django's test client,
server side: the median of --runs requests after warm-up. It also counts the queries of each
page at 10 diagnostics and at the full size: the two must be equal. Target (issue 2): both pages
under 100 ms median with 1,000 diagnostics. Target (issue 5): each day of the day grid of a
60-session week under 150 ms median, with the same query count as a 10-session week.
Target (issue 7): the evidence heat map, the findings page and the drafting board under 150 ms
with 2,000 notes and 150 findings, with the same query count as 200 notes (bench/findings.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["PEERDIAG_VAR_DIR"] = tempfile.mkdtemp(prefix="peerdiag-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdiag.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(n: int, start: int) -> None:
    from peerdiag.diagnostics.enums import MAIN_LINE, CouncilRoleKind, TeamRole
    from peerdiag.diagnostics.models import CouncilRole, Diagnostic, Kloe, TeamMember
    from peerdiag.directory.models import Organisation, Person

    councils = list(Organisation.objects.filter(kind="council"))
    pcm = Person.objects.get(email="bench-pcm@example.org")
    diagnostics = [
        Diagnostic(
            reference=f"RPD-2030-{i:04d}",
            title=f"Bench diagnostic {i}",
            type="safeguarding",
            host_council=councils[i % len(councils)],
            stage=MAIN_LINE[i % 10],
            day1=date(2027, 3, 1) + timedelta(weeks=i % 40),
        )
        for i in range(start, start + n)
    ]
    Diagnostic.objects.bulk_create(diagnostics)
    made = list(Diagnostic.objects.filter(reference__in=[d.reference for d in diagnostics]))
    Kloe.objects.bulk_create(
        Kloe(diagnostic=d, text=f"Question {k}?", order=k) for d in made for k in range(1, 6)
    )
    TeamMember.objects.bulk_create(
        TeamMember(diagnostic=d, person=pcm, role=TeamRole.PEER_CHALLENGE_MANAGER) for d in made
    )
    sponsors = Person.objects.bulk_create(
        Person(full_name=f"Sponsor {d.reference}", organisation=d.host_council) for d in made
    )
    CouncilRole.objects.bulk_create(
        CouncilRole(diagnostic=d, person=p, role=CouncilRoleKind.SPONSOR)
        for d, p in zip(made, sponsors, strict=True)
    )


def _week(reference: str, sessions: int) -> str:
    """Give diagnostic `reference` a placed week of `sessions` sessions; returns its reference."""
    from datetime import time as clock

    from peerdiag.diagnostics.enums import TeamRole
    from peerdiag.diagnostics.models import Diagnostic, TeamMember
    from peerdiag.directory.models import Person
    from peerdiag.timetable.models import Attendee, Session

    d = Diagnostic.objects.get(reference=reference)
    d.day1 = date(2027, 3, 1)
    d.save(update_fields=["day1"])
    peers = [
        TeamMember.objects.create(
            diagnostic=d,
            person=Person.objects.create(
                full_name=f"Peer {i} {reference}", organisation=d.host_council
            ),
            role=TeamRole.LEAD_PEER if i == 0 else TeamRole.OPERATIONAL_MANAGER,
        )
        for i in range(4)
    ]
    kloes = list(d.kloes.all())
    per_day = -(-sessions // 5)
    for i in range(sessions):
        day, slot = i // per_day + 1, i % per_day
        minutes = 9 * 60 + slot * 35
        a = Attendee.objects.create(diagnostic=d, name=f"Attendee {i}", group=f"Group {i % 6}")
        s = Session.objects.create(
            diagnostic=d,
            type="interview" if i % 3 else "focus_group",
            title=f"Session {i}",
            minutes=30,
            group=a.group,
            day=day,
            start=clock(minutes // 60, minutes % 60),
            platform_link="https://teams.microsoft.com/l/meetup-join/x" if i % 2 else "",
        )
        s.attendees.set([a])
        s.kloes.set(kloes[: 1 + i % 3])
        s.peers.set([peers[i % 4], peers[(i + 1) % 4]])
    return reference


def _measure(client, url: str, runs: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--diagnostics", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    _setup()
    from django.test import Client

    from peerdiag.accounts.models import User
    from peerdiag.directory.models import Organisation, Person

    lga = Organisation.objects.get(kind="lga")
    admin = User.objects.create_user("bench-admin@example.org", "x", is_staff=True)
    pcm_user = User.objects.create_user("bench-pcm@example.org", "x")
    Person.objects.create(
        full_name="Bench PCM", organisation=lga, email="bench-pcm@example.org", user=pcm_user
    )
    # A PCM must sign in with a second factor; give the bench PCM a confirmed authenticator.
    from django.utils import timezone

    from peerdiag.accounts.models import TotpDevice

    TotpDevice.objects.create(user=pcm_user, secret="BENCHBENCHBENCHB", confirmed_at=timezone.now())

    pages = {
        "dashboard (LGA admin, all)": (admin, "/"),
        "dashboard (PCM, own)": (pcm_user, "/"),
        "overview": (pcm_user, "/diagnostics/RPD-2030-0000/"),
    }
    _fill(10, 0)
    from django.urls import reverse

    small_week, full_week = _week("RPD-2030-0001", 10), _week("RPD-2030-0002", 60)
    grid = reverse("web:schedule_grid", args=[full_week])
    small_grid = reverse("web:schedule_grid", args=[small_week])
    small = {}
    for label, (user, url) in pages.items():
        c = Client()
        c.force_login(user)
        small[label] = _measure(c, url, 5)[1]
    for day in range(1, 6):
        c = Client()
        c.force_login(admin)
        small[f"day grid, day {day} (60 sessions)"] = _measure(c, f"{small_grid}?day={day}", 5)[1]
        pages[f"day grid, day {day} (60 sessions)"] = (admin, f"{grid}?day={day}")
    _fill(args.diagnostics - 10, 10)
    print(f"{args.diagnostics} diagnostics, median of {args.runs} requests, server side")
    print(f"{'page':30} {'median ms':>10} {'queries':>8} {'queries@10':>11}")
    ok = True
    for label, (user, url) in pages.items():
        c = Client()
        c.force_login(user)
        median, queries = _measure(c, url, args.runs)
        limit = 150 if label.startswith("day grid") else 100
        ok &= median < limit and queries == small[label]
        print(f"{label:30} {median:10.1f} {queries:8d} {small[label]:11d}")
    print(
        "targets met: pages under 100 ms, day grid under 150 ms, constant queries"
        if ok
        else "TARGET MISSED"
    )
    print()
    import findings as evidence_bench  # bench/findings.py, beside this file

    ok &= evidence_bench.run(notes=2000, findings=150, recommendations=40, runs=args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
