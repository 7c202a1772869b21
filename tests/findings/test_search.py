"""Search across notes, findings and recommendations: on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from django.utils import timezone

from peerdiag.findings.domain.findings import add_finding, add_recommendation
from peerdiag.findings.domain.notes import add_note, add_quote
from peerdiag.findings.domain.search import plain_snippet, search, words_of
from peerdiag.findings.models import EvidenceNote

from .helpers import delivery


def _marked(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [text.lower() for text, matched in result.snippet if matched]


def test_a_note_is_found_by_a_word_of_its_body_and_the_word_is_marked(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(
        x.d,
        by=x.lead,
        source_type="document",
        title="Early help strategy",
        body="Schools told us the referral form is confusing and slow to complete.",
    )
    add_note(x.d, by=x.lead, source_type="data", title="Caseloads", body="Average caseload 18.")
    found = search(x.d, "Referral")
    assert [(r.kind, r.code) for r in found] == [("note", note.code)]
    assert found[0].title == "Early help strategy"
    assert "referral" in _marked(found[0])
    assert found[0].kind_label == "Evidence note"


def test_every_word_must_match_somewhere_in_the_note(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    both = add_note(
        x.d, by=x.lead, source_type="interview", title="Thresholds", body="Partners like triage."
    )
    add_note(x.d, by=x.lead, source_type="interview", title="Other", body="Partners only.")
    assert [r.code for r in search(x.d, "thresholds partners")] == [both.code]
    assert search(x.d, "thresholds nowhere") == []


def test_a_quote_is_searched_with_its_note(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(x.d, by=x.lead, source_type="focus_group", title="Team managers")
    add_quote(note, by=x.lead, text="Supervision happens monthly", group="Managers", group_size=8)
    found = search(x.d, "supervision")
    assert [(r.kind, r.code) for r in found] == [("note", note.code)]
    assert "supervision" in _marked(found[0])


def test_findings_and_recommendations_are_found_by_their_words(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(
        x.d,
        by=x.lead,
        kind="area",
        statement="Management oversight of plans is inconsistent",
        kloe=x.kloes[1],
    )
    r = add_recommendation(
        x.d, by=x.lead, text="Audit oversight quarterly with partners", findings=[f]
    )
    found = search(x.d, "oversight")
    expected = {("finding", f.code), ("recommendation", r.code)}
    assert {(res.kind, res.code) for res in found} == expected
    finding = next(res for res in found if res.kind == "finding")
    assert finding.title == "Management oversight of plans is inconsistent"
    assert "oversight" in _marked(finding)


def test_destroyed_notes_and_other_diagnostics_never_appear(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    gone = add_note(x.d, by=x.lead, source_type="data", title="Dashboard", body="Timeliness dip")
    EvidenceNote.objects.filter(pk=gone.pk).update(destroyed_at=timezone.now())
    assert search(x.d, "timeliness") == []
    assert search(x.d, "dashboard") == []
    assert search(world.other, "dashboard") == []
    assert search(x.d, "   ") == []


def test_the_plain_snippet_is_cut_around_the_first_hit():  # type: ignore[no-untyped-def]
    text = "word " * 100 + "the Front door is busy " + "tail " * 100
    parts = plain_snippet(text, words_of("front"))
    assert parts[0] == ("…", False) and parts[-1] == ("…", False)
    assert ("Front", True) in parts
    assert words_of('"front door" OR -slow') == ["front", "door", "slow"]
