"""The peer team meeting pack: evidence since the last meeting held, thin findings, gaps and
disagreements, with quotes only when they may be used."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.findings import add_finding
from peerdiag.findings.domain.notes import add_note, add_quote
from peerdiag.findings.domain.pack import last_peer_team_meeting, peer_team_pack
from peerdiag.findings.models import EvidenceNote
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Session

from .helpers import delivery

PAST_DAY1 = date(2026, 11, 2)  # a Monday before "now" in these tests


def _titles(pack) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.note.title for group in pack.evidence for n in group.notes]


def test_evidence_since_the_last_peer_team_meeting_held(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(day1=PAST_DAY1)
    d = Diagnostic.objects.get(pk=x.d.pk)
    front = x.kloes[0]
    old = add_note(d, by=x.lead, source_type="interview", title="Before", kloes=[front])
    EvidenceNote.objects.filter(pk=old.pk).update(
        updated_at=timezone.make_aware(datetime(2026, 11, 2, 12, 0))
    )
    add_note(d, by=x.lead, source_type="data", title="After", kloes=[front])
    add_note(d, by=x.lead, source_type="observation", title="Loose")

    # No meeting held yet: everything.
    pack = peer_team_pack(d)
    assert pack.since is None
    assert sorted(_titles(pack)) == ["After", "Before", "Loose"]

    meeting = Session.objects.filter(diagnostic=d, type=SessionType.PEER_TEAM, day=1).get()
    assert meeting.start == time(16, 45)
    Session.objects.filter(pk=meeting.pk).update(status="held")
    since = last_peer_team_meeting(d)
    assert since == timezone.make_aware(datetime(2026, 11, 2, 16, 45))
    pack = peer_team_pack(d)
    assert pack.since == since
    assert [(g.label, [n.note.title for n in g.notes]) for g in pack.evidence] == [
        ("How well the front door works", ["After"]),
        ("No line of enquiry", ["Loose"]),
    ]
    assert pack.new_notes == 2


def test_thin_findings_gaps_and_disagreements(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    front, practice = x.kloes
    praise = add_note(
        x.d,
        by=x.lead,
        source_type="interview",
        title="Partners praise triage",
        kloes=[front],
        polarity="strength",
    )
    worry = add_note(
        x.d,
        by=x.lead,
        source_type="data",
        title="Re-referrals rising",
        kloes=[front],
        polarity="concern",
    )
    add_note(x.d, by=x.lead, source_type="document", title="Audit", kloes=[practice])
    thin = add_finding(
        x.d, by=x.lead, kind="strength", statement="Triage is valued", kloe=front, evidence=[praise]
    )
    bare = add_finding(x.d, by=x.lead, kind="area", statement="Plans drift", kloe=practice)
    second = add_note(x.d, by=x.om, source_type="focus_group", title="Schools", kloes=[front])
    add_finding(
        x.d,
        by=x.lead,
        kind="area",
        statement="Demand is rising",
        kloe=front,
        evidence=[worry, second],
    )

    pack = peer_team_pack(x.d)
    assert [(t.finding, t.corroboration.strength) for t in pack.thin_findings] == [
        (bare, "none"),  # areas for consideration come first, as on the board
        (thin, "thin"),
    ]
    # The front door has three kinds of source; practice only documents.
    assert [(g.kloe, g.reason) for g in pack.gaps] == [
        (practice, "Evidence from one kind of source only")
    ]
    [disagreement] = pack.disagreements
    assert disagreement.kloe == front
    assert [s.title for s in disagreement.strengths] == ["Partners praise triage"]
    assert [(s.title, s.source_label) for s in disagreement.concerns] == [
        ("Re-referrals rising", "Data")
    ]


def test_a_kloe_without_notes_is_a_gap_and_small_group_quotes_stay_out(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(x.d, by=x.lead, source_type="interview", title="IRO", kloes=[x.kloes[0]])
    add_quote(note, by=x.lead, text="Only I chase the plans", group="IRO", group_size=1)
    add_quote(note, by=x.lead, text="We meet weekly", group="Social workers", group_size=9)
    pack = peer_team_pack(x.d)
    assert [(g.kloe, g.reason, g.notes) for g in pack.gaps] == [
        (x.kloes[0], "Evidence from one kind of source only", 1),
        (x.kloes[1], "No evidence noted yet", 0),
    ]
    [item] = pack.evidence[0].notes
    assert [q.text for q in item.quotes] == ["We meet weekly"]
