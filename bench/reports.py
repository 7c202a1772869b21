"""Feedback file benchmark (not a test): the presentation, the Word report and its PDF for a
diagnostic with 150 approved findings and 40 recommendations.

    .venv/bin/python bench/reports.py [--findings 150] [--recommendations 40] [--runs 5]

Builds a throwaway SQLite database in a temporary folder (or uses DATABASE_URL if set, which
must point at a scratch database), fills one diagnostic (findings alternate strengths and areas
for consideration, each with a line of enquiry and supporting notes holding usable quotes and a
small-group one), and times, end to end, what `peerdiag report` does: gathering the content
(feedback_for) and building each file, the median of --runs after one warm-up. Target (issue 8):
each under 3 s. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

TARGET_S = 3.0


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["PEERDIAG_VAR_DIR"] = tempfile.mkdtemp(prefix="peerdiag-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdiag.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(reference: str, *, findings: int, recs: int):  # type: ignore[no-untyped-def]
    """A diagnostic at drafting with an approved board of `findings` and `recs`."""
    from django.utils import timezone

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

    now = timezone.now()
    council = Organisation.objects.filter(kind="council").first()
    assert council is not None, "the migrations seed at least one council"
    d = Diagnostic.objects.create(
        reference=reference,
        title="Bench safeguarding diagnostic",
        type="safeguarding",
        host_council=council,
        stage=Stage.DRAFTING,
        day1=date(2027, 3, 1),
        focus_statement="How well the front door keeps children safe – and what gets in the way.",
    )
    kloes = Kloe.objects.bulk_create(
        Kloe(diagnostic=d, text=f"How well does the council do thing {k}?", order=k)
        for k in range(1, 9)
    )
    team = [
        TeamMember.objects.create(
            diagnostic=d,
            person=Person.objects.create(full_name=f"Peer {i}", organisation=council),
            role=TeamRole.LEAD_PEER if i == 0 else TeamRole.OPERATIONAL_MANAGER,
        )
        for i in range(6)
    ]
    notes = EvidenceNote.objects.bulk_create(
        EvidenceNote(
            diagnostic=d,
            author=team[i % len(team)],
            source_type="document",
            title=f"Note {i}",
            body="What we read. " * 10,
        )
        for i in range(findings * 2)
    )
    Quote.objects.bulk_create(
        Quote(
            note=n,
            text=f"Words from note {i}, quote {j}: we’re clear what is expected of us.",
            group=f"Group {j}",
            group_size=1 if j == 3 else 6,  # the fourth is a small group: never shown
        )
        for i, n in enumerate(notes)
        for j in range(4)
    )
    made = Finding.objects.bulk_create(
        Finding(
            diagnostic=d,
            kind=("strength", "area")[i % 2],
            statement=f"Finding {i}: " + "a statement the team could stand behind. " * 3,
            kloe=kloes[i % len(kloes)],
            author=team[0],
            order=i // 2 + 1,
            approved_at=now,
        )
        for i in range(findings)
    )
    FindingEvidence.objects.bulk_create(
        FindingEvidence(finding=f, note=notes[2 * i + k], stance="supports")
        for i, f in enumerate(made)
        for k in range(2)
    )
    rs = Recommendation.objects.bulk_create(
        Recommendation(
            diagnostic=d,
            text=f"Recommendation {i}: agree and publish a clear route for this.",
            author=team[0],
            order=i + 1,
            approved_at=now,
        )
        for i in range(recs)
    )
    Recommendation.findings.through.objects.bulk_create(
        Recommendation.findings.through(recommendation_id=r.pk, finding_id=made[i % len(made)].pk)
        for i, r in enumerate(rs)
    )
    return d


def _median(build: Callable[[], bytes], runs: int) -> tuple[float, int]:
    size = len(build())  # warm-up (the first gathering also makes the written feedback record)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        build()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), size


def run(*, findings: int, recommendations: int, runs: int) -> bool:
    """Fill, time and print; True when every target is met. Django must be set up."""
    from peerdiag.reports.domain.content import feedback_for
    from peerdiag.reports.render.docx import build_report
    from peerdiag.reports.render.pdf import build_report_pdf
    from peerdiag.reports.render.pptx import build_presentation

    d = _fill("RPD-2032-0001", findings=findings, recs=recommendations)
    fb = feedback_for(d)
    quotes = sum(len(i.quotes) for i in fb.strengths + fb.areas)
    print(
        f"{len(fb.strengths)} strengths, {len(fb.areas)} areas, {len(fb.recommendations)} "
        f"recommendations, {quotes} usable quotes; median of {runs} runs after a warm-up"
    )
    cases: dict[str, Callable[[], bytes]] = {
        "presentation (.pptx)": lambda: build_presentation(feedback_for(d)),
        "report (.docx)": lambda: build_report(feedback_for(d)),
        "report (.pdf)": lambda: build_report_pdf(feedback_for(d)),
        "gathering alone": lambda: repr(feedback_for(d)).encode(),
    }
    print(f"{'build':24} {'median s':>9} {'size KB':>8}")
    ok = True
    for label, build in cases.items():
        median, size = _median(build, runs)
        met = median < TARGET_S
        ok &= met
        flag = "" if met else "  <- missed"
        print(f"{label:24} {median:9.3f} {size / 1024:8.0f}{flag}")
    print(f"targets met: each under {TARGET_S:g} s" if ok else "TARGET MISSED")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--findings", type=int, default=150)
    parser.add_argument("--recommendations", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _setup()
    ok = run(findings=args.findings, recommendations=args.recommendations, runs=args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
