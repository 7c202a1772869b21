"""Findings latency benchmark (not a test): the findings page, the drafting-day board and the
evidence coverage heat map of a diagnostic with 2,000 notes, 150 findings and 40 recommendations.

    .venv/bin/python bench/findings.py [--notes 2000] [--findings 150] [--runs 30]

Builds a throwaway SQLite database in a temporary folder (or uses DATABASE_URL if set, which
must point at a scratch database), fills two diagnostics, and times each page through Django's
test client, server side: the median of --runs requests after warm-up, as the lead peer. It
also counts each page's queries on a small diagnostic (200 notes, 15 findings) and on the full
one: the two must be equal. Target (issue 7): each page under 150 ms median at the full size,
with a query count that does not grow. bench/pages.py runs this too.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGET_MS = 150
PAGES = ["web:findings", "web:drafting_board", "web:evidence_coverage"]


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["PEERDIAG_VAR_DIR"] = tempfile.mkdtemp(prefix="peerdiag-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdiag.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _lead():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from peerdiag.accounts.models import TotpDevice, User
    from peerdiag.directory.models import Organisation, Person

    council = Organisation.objects.filter(kind="council").first()
    user = User.objects.create_user("bench-lead@example.org", "x")
    Person.objects.create(
        full_name="Bench Lead", organisation=council, email="bench-lead@example.org", user=user
    )
    # Whoever must use a second factor has one, so no page redirects to its set-up.
    TotpDevice.objects.create(user=user, secret="BENCHBENCHBENCHB", confirmed_at=timezone.now())
    return user


def _fill(reference: str, lead, *, notes: int, findings: int, recs: int, seed: int) -> str:  # type: ignore[no-untyped-def]
    """A diagnostic in delivery with sessions, notes, quotes, findings and recommendations."""
    from peerdiag.diagnostics.enums import Stage, TeamRole
    from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember
    from peerdiag.directory.models import Organisation, Person
    from peerdiag.findings.models import (
        EvidenceNote,
        Finding,
        FindingEvidence,
        Quote,
        Recommendation,
    )
    from peerdiag.timetable.models import Session

    rng = random.Random(seed)
    councils = list(Organisation.objects.filter(kind="council"))
    d = Diagnostic.objects.create(
        reference=reference,
        title=f"Bench findings {reference}",
        type="safeguarding",
        host_council=councils[seed % len(councils)],
        stage=Stage.DELIVERY,
        day1=date(2027, 3, 1),
    )
    kloes = Kloe.objects.bulk_create(
        Kloe(diagnostic=d, text=f"Line of enquiry {k}?", order=k) for k in range(1, 9)
    )
    peers = [
        TeamMember.objects.create(
            diagnostic=d,
            person=Person.objects.create(
                full_name=f"Peer {i} {reference}", organisation=d.host_council
            ),
            role=TeamRole.OPERATIONAL_MANAGER,
        )
        for i in range(5)
    ]
    peers.insert(
        0,
        TeamMember.objects.create(diagnostic=d, person=lead.person, role=TeamRole.LEAD_PEER),
    )
    n_sessions = max(10, notes // 20)
    sessions = Session.objects.bulk_create(
        Session(
            diagnostic=d,
            type="interview" if i % 3 else "focus_group",
            title=f"Session {i}",
            group=f"Group {i % 7}",
            day=1 + i % 5 if i % 4 else None,  # a quarter are still to be placed
        )
        for i in range(n_sessions)
    )
    Session.kloes.through.objects.bulk_create(
        Session.kloes.through(session_id=s.pk, kloe_id=kloes[i % len(kloes)].pk)
        for i, s in enumerate(sessions)
    )
    # Every peer notes a share of the sessions (one note per peer per session); the rest are
    # documents, data, observations and case review themes.
    made: list[EvidenceNote] = []
    for i in range(notes):
        pair = i if i < n_sessions * len(peers) // 2 else None
        session = sessions[pair % n_sessions] if pair is not None else None
        author = peers[(pair // n_sessions) % len(peers)] if pair is not None else peers[i % 6]
        source = (
            ("interview" if session.type == "interview" else "focus_group")
            if session is not None
            else ("document", "data", "observation", "case_review")[i % 4]
        )
        made.append(
            EvidenceNote(
                diagnostic=d,
                author=author,
                session=session,
                source_type=source,
                title=f"Note {i}",
                heard_from=f"Group {i % 7} ({1 + i % 6})",
                body="What we heard. " * 20,
                polarity=("strength", "concern", "neutral")[i % 3],
            )
        )
    made = EvidenceNote.objects.bulk_create(made)
    EvidenceNote.kloes.through.objects.bulk_create(
        EvidenceNote.kloes.through(evidencenote_id=n.pk, kloe_id=kloes[k].pk)
        for i, n in enumerate(made)
        for k in {i % len(kloes), (i * 3) % len(kloes)}
    )
    Quote.objects.bulk_create(
        Quote(note=n, text=f"Words {i}", group=f"Group {i % 7}", group_size=1 + i % 6)
        for i, n in enumerate(made)
        if i % 4 == 0
    )
    found = Finding.objects.bulk_create(
        Finding(
            diagnostic=d,
            kind=("strength", "area")[i % 2],
            statement=f"Finding {i}: " + "a statement the team could stand behind. " * 3,
            kloe=kloes[i % len(kloes)],
            author=peers[0],
            order=i // 2 + 1,
        )
        for i in range(findings)
    )
    FindingEvidence.objects.bulk_create(
        FindingEvidence(
            finding=f,
            note=n,
            stance="contradicts" if j % 7 == 6 else "supports",
        )
        for f in found
        for j, n in enumerate(rng.sample(made, rng.randint(5, 15)))
    )
    rs = Recommendation.objects.bulk_create(
        Recommendation(diagnostic=d, text=f"Recommendation {i}", author=peers[0], order=i + 1)
        for i in range(recs)
    )
    Recommendation.findings.through.objects.bulk_create(
        Recommendation.findings.through(recommendation_id=r.pk, finding_id=f.pk)
        for r in rs
        for f in rng.sample(found, rng.randint(1, 3))
    )
    return reference


def _measure(client, url: str, runs: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries)


def run(*, notes: int, findings: int, recommendations: int, runs: int) -> bool:
    """Fill, time and print; True when every target is met. Django must be set up."""
    from django.test import Client
    from django.urls import reverse

    lead = _lead()
    small = _fill("RPD-2031-0001", lead, notes=200, findings=15, recs=4, seed=1)
    full = _fill(
        "RPD-2031-0002", lead, notes=notes, findings=findings, recs=recommendations, seed=2
    )
    client = Client()
    client.force_login(lead)
    print(
        f"{notes} notes, {findings} findings, {recommendations} recommendations;"
        f" median of {runs} requests, server side"
    )
    print(f"{'page':24} {'median ms':>10} {'queries':>8} {'queries@200':>12}")
    ok = True
    for name in PAGES:
        small_url, full_url = (reverse(name, args=[ref]) for ref in (small, full))
        few = _measure(client, small_url, 3)[1]
        median, queries = _measure(client, full_url, runs)
        met = median < TARGET_MS and queries == few
        ok &= met
        flag = "" if met else "  <- missed"
        print(f"{name:24} {median:10.1f} {queries:8d} {few:12d}{flag}")
    print(
        f"targets met: every page under {TARGET_MS} ms, constant queries" if ok else "TARGET MISSED"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--findings", type=int, default=150)
    parser.add_argument("--recommendations", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    _setup()
    ok = run(
        notes=args.notes,
        findings=args.findings,
        recommendations=args.recommendations,
        runs=args.runs,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
