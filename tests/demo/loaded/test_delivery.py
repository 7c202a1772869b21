"""What the demo's peer teams record in delivery and on the drafting day (demo/delivery.py).

Read from the shared demo (loaded once for today): boards that pass their gate, notes written by
the team's peers after their sessions and before the cutoff, findings unique to each
diagnostic, digests the council sees with only their shared items, the Kent diagnostic in
delivery stopped at today, and no child's name in what the peers wrote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from peerdiag.common.childdata import has_forename, looks_like_date
from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.gate import findings_blockers
from peerdiag.findings.models import DigestItem, EvidenceNote, Finding, KitDigest, Quote
from peerdiag.messaging.domain.threads import allowed_words

pytestmark = pytest.mark.django_db

FROM_DRAFTING = (
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
    Stage.CLOSED,
)
PEERS = (TeamRole.LEAD_PEER, TeamRole.OPERATIONAL_MANAGER, TeamRole.CASE_AUDITOR)


def _cutoff(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def _kent_in_delivery() -> Diagnostic:
    return Diagnostic.objects.get(
        host_council__name="Kent", title="Management oversight of practice"
    )


def test_every_board_from_drafting_on_passes_its_gate(demo: object) -> None:
    """The drafting gate's findings conditions hold for every diagnostic that has passed it or
    waits at it (asked as if each stood at drafting now)."""
    checked = 0
    for d in Diagnostic.objects.filter(stage__in=FROM_DRAFTING):
        stage = d.stage
        d.stage = Stage.DRAFTING  # in memory only: the gate asks only at drafting
        blockers = findings_blockers(d, Stage.FEEDBACK_GIVEN)
        assert [b.message for b in blockers] == [], f"{d.title} ({stage})"
        assert Finding.objects.filter(diagnostic=d, approved_at__isnull=False).exists()
        checked += 1
    assert checked >= 3, "the demo should have diagnostics at drafting and beyond"


def test_notes_are_by_peers_on_the_team_after_their_session_and_before_the_cutoff(
    demo: object, demo_day: date
) -> None:
    cutoff = _cutoff(demo_day)
    notes = EvidenceNote.objects.select_related("author__person", "session", "diagnostic").order_by(
        "pk"
    )
    assert notes.filter(session__isnull=False).count() >= 20
    for note in notes:
        d = note.diagnostic
        author = note.author
        assert author is not None and author.diagnostic_id == d.pk, note.code
        assert author.role in PEERS, f"{note.code} by {author.role}"
        assert author.person.user_id is not None
        local = timezone.localtime(note.created_at)
        assert note.created_at < cutoff, note.code
        s = note.session
        if s is None:
            continue
        assert s.day is not None and s.start is not None and d.day1 is not None
        assert s.peers.filter(pk=author.pk).exists(), f"{note.code}: its author was not there"
        ended = datetime.combine(delivery_days(d.day1)[s.day - 1], s.start) + timedelta(
            minutes=s.minutes
        )
        assert local.replace(tzinfo=None) >= ended, f"{note.code} written before its session ended"
        assert local.time() <= time(17, 20), note.code


def test_no_two_diagnostics_share_a_finding(demo: object) -> None:
    where: dict[str, set[int]] = defaultdict(set)
    for statement, d in Finding.objects.values_list("statement", "diagnostic_id"):
        where[statement.strip().lower()].add(d)
    assert where, "the demo should have findings"
    shared = [s for s, ds in where.items() if len(ds) > 1]
    assert shared == []


def test_the_sponsor_sees_only_the_shared_items_of_shared_digests(demo: object) -> None:
    """On the digest page the sponsor opens, the shared items are there and the items the lead
    peer kept back are not (the demo keeps some back, so this can fail)."""
    kept = DigestItem.objects.filter(digest__shared_at__isnull=False, shared=False)
    assert kept.exists(), "the demo should keep some digest items back from the sponsor"
    digests = KitDigest.objects.filter(shared_at__isnull=False).select_related("diagnostic")
    assert digests.exists()
    seen_kept = 0
    for digest in digests:
        d = digest.diagnostic
        sponsor = d.council_roles.get(role=CouncilRoleKind.SPONSOR).person.user
        assert sponsor is not None
        client = Client()
        client.force_login(sponsor)
        page = client.get(reverse("web:kit_digest", args=[d.reference, digest.code]))
        assert page.status_code == 200
        html = page.content.decode()
        for item in digest.items.all():
            if item.shared:
                assert escape(item.text) in html, item.text
            else:
                seen_kept += 1
                assert escape(item.text) not in html, item.text
    assert seen_kept > 0


def test_day_five_digests_preview_the_final_messages(demo: object) -> None:
    for d in Diagnostic.objects.filter(stage__in=FROM_DRAFTING):
        previews = KitDigest.objects.filter(
            diagnostic=d, shared_at__isnull=False, previews_final_messages=True
        )
        assert previews.count() == 1, d.title
        assert previews.get().items.filter(shared=True).exists()


def test_kent_in_delivery_has_notes_for_days_before_today_only(
    demo: object, demo_day: date
) -> None:
    d = _kent_in_delivery()
    assert d.stage == Stage.DELIVERY and d.day1 is not None
    days = delivery_days(d.day1)
    notes = list(EvidenceNote.objects.filter(diagnostic=d).select_related("session"))
    assert notes, "days before today have notes"
    for note in notes:
        assert timezone.localtime(note.created_at).date() < demo_day
        if note.session is not None:
            assert note.session.day is not None
            assert days[note.session.day - 1] < demo_day
    today = [n for n, day in enumerate(days, start=1) if day >= demo_day]
    assert today, "Kent's delivery is still going on"
    assert not EvidenceNote.objects.filter(diagnostic=d, session__day__in=today).exists()
    assert not KitDigest.objects.filter(diagnostic=d, session__day__in=today).exists()


CAPITALISED = re.compile(r"\b[^\W\d_][^\W\d_]*")


def child_data_in(text: str, allowed: frozenset[str]) -> list[str]:
    """What in `text` could name a child: a word written with a capital that is a common first
    name (and not a name of someone on the diagnostic or of the council), or a date. Words in
    lower case are prose ("many", "see" are in the list of first names too)."""
    found = [
        w for w in CAPITALISED.findall(text) if w[0].isupper() and has_forename(w, allowed=allowed)
    ]
    if looks_like_date(text):
        found.append("(a date)")
    return found


def test_the_child_data_check_catches_a_name_and_a_date() -> None:
    assert child_data_in("We spoke about Amy and her plan.", frozenset()) == ["Amy"]
    assert child_data_in("Born 03/04/2015, seen twice.", frozenset()) == ["(a date)"]
    assert child_data_in("Staff in many teams see the plan.", frozenset()) == []


def test_no_child_is_named_in_notes_quotes_or_findings(demo: object) -> None:
    allowed: dict[int, frozenset[str]] = {}
    checked = 0

    def check(d: Diagnostic, text: str, what: str) -> None:
        nonlocal checked
        if d.pk not in allowed:
            allowed[d.pk] = allowed_words(d)
        assert child_data_in(text, allowed[d.pk]) == [], f"{what}: {text}"
        checked += 1

    for note in EvidenceNote.objects.select_related("diagnostic__host_council"):
        for text in (note.title, note.body, note.heard_from):
            check(note.diagnostic, text, f"note {note.code}")
    for q in Quote.objects.select_related("note__diagnostic__host_council"):
        check(q.note.diagnostic, f"{q.text} {q.group}", "quote")
    for f in Finding.objects.select_related("diagnostic__host_council"):
        check(f.diagnostic, f.statement, f"finding {f.code}")
    assert checked > 100
