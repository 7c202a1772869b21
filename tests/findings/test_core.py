"""Evidence notes, quotes, findings, corroboration and the findings gate."""

from __future__ import annotations

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.findings import (
    add_finding,
    add_recommendation,
    corroboration_of,
    findings_with_evidence,
    link_evidence,
)
from peerdiag.findings.domain.gate import findings_blockers
from peerdiag.findings.domain.notes import (
    add_note,
    add_quote,
    note_for_session,
    override_quote,
    save_note,
    usable_quotes,
)
from peerdiag.findings.models import EvidenceNote

from .helpers import delivery


def test_a_session_note_starts_with_who_was_there_and_its_kloes(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[0]
    note = note_for_session(s, by=x.lead)
    assert note.title == s.title and note.source_type == "focus_group"
    attendee = s.attendees.get()
    assert note.heard_from == f"{attendee.group} (1)"
    assert attendee.name not in note.heard_from
    assert list(note.kloes.all()) == list(s.kloes.all())
    assert note_for_session(s, by=x.lead).pk == note.pk  # opening again finds the same note


def test_two_peers_note_one_session_without_losing_each_others_words(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[1]
    mine, theirs = note_for_session(s, by=x.lead), note_for_session(s, by=x.om)
    assert mine.pk != theirs.pk
    save_note(mine, by=x.lead, revision=0, body="The front door is calm and quick.")
    save_note(theirs, by=x.om, revision=0, body="Thresholds are not understood by schools.")
    bodies = set(EvidenceNote.objects.filter(session=s).values_list("body", flat=True))
    assert bodies == {
        "The front door is calm and quick.",
        "Thresholds are not understood by schools.",
    }
    with pytest.raises(DomainError, match="Only the peer who wrote"):
        save_note(mine, by=x.om, revision=1, body="overwritten")


def test_a_save_from_an_old_revision_is_refused_and_keeps_the_newer_words(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    first = save_note(note, by=x.lead, revision=0, body="typed in tab one")
    assert first.revision == 1
    with pytest.raises(DomainError, match="changed somewhere else") as err:
        save_note(note, by=x.lead, revision=0, body="stale tab two")
    assert err.value.field == "body"
    note.refresh_from_db()
    assert (note.body, note.revision) == ("typed in tab one", 1)
    assert save_note(note, by=x.lead, revision=1, body="typed on").revision == 2


def test_a_quote_from_a_small_group_is_kept_out_until_the_pcm_overrides_it(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    big = add_quote(
        note, by=x.lead, text="We feel listened to.", group="Social workers", group_size=12
    )
    small = add_quote(note, by=x.lead, text="I am on my own here.", group="IRO", group_size=1)
    assert small.small_group and not small.usable and big.usable
    assert usable_quotes([big, small]) == [big]
    with pytest.raises(DomainError) as err:
        override_quote(small, by=world.pcm, reason="  ", version=UNCHECKED)
    assert err.value.field == "reason"
    with pytest.raises(DomainError):
        override_quote(big, by=world.pcm, reason="not needed", version=UNCHECKED)
    override_quote(small, by=world.pcm, reason="The IRO asked for it to be used", version=UNCHECKED)
    assert usable_quotes([big, small]) == [big, small]
    with pytest.raises(DomainError) as err:
        add_quote(note, by=x.lead, text="words", group="", group_size=3)
    assert err.value.field == "group"


def _note(x, source, *, session=None, by=None):  # type: ignore[no-untyped-def]
    if session is not None:
        n = note_for_session(session, by=by or x.lead)
        EvidenceNote.objects.filter(pk=n.pk).update(source_type=source)
        n.refresh_from_db()
        return n
    return add_note(x.d, by=by or x.lead, source_type=source, title=f"{source} note")


def test_corroboration_counts_source_types_and_voices(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    one = _note(x, "interview", session=x.sessions[0])
    f = add_finding(
        x.d,
        by=x.lead,
        kind="strength",
        statement="Calm front door",
        kloe=x.kloes[0],
        evidence=[one],
    )
    c = corroboration_of(findings_with_evidence(x.d)[0].links.all())
    assert (c.source_types, c.sessions, c.voices, c.strength) == (("interview",), 1, 1, "thin")
    assert c.warnings == [
        "It rests on one kind of source only (interview)",
        "It rests on one voice only",
    ]
    # The same session noted by a second peer is still one voice.
    link_evidence(f, _note(x, "interview", session=x.sessions[0], by=x.om), by=x.lead)
    c = corroboration_of(findings_with_evidence(x.d)[0].links.all())
    assert (c.voices, c.supporting) == (1, 2)
    # Data and a second session make it stand up; a contradicting note is counted apart.
    link_evidence(f, _note(x, "data"), by=x.lead)
    link_evidence(f, _note(x, "focus_group", session=x.sessions[1]), by=x.lead)
    link_evidence(f, _note(x, "document"), by=x.lead, stance="contradicts")
    c = corroboration_of(findings_with_evidence(x.d)[0].links.all())
    assert c.source_types == ("data", "focus_group", "interview")
    assert (c.sessions, c.voices, c.supporting, c.contradicting) == (2, 3, 4, 1)
    assert c.strength == "corroborated"
    assert c.warnings == ["1 piece of evidence point the other way"]


def test_findings_load_with_a_constant_number_of_queries(world, django_assert_num_queries):  # type: ignore[no-untyped-def]
    x = delivery(world)
    for i in range(5):
        add_finding(
            x.d, by=x.lead, kind="area", statement=f"F{i}", kloe=None, evidence=[_note(x, "data")]
        )
    with django_assert_num_queries(2):  # findings; their links joined to the notes
        rows = findings_with_evidence(x.d)
        assert [corroboration_of(f.links.all()).supporting for f in rows] == [1] * 5


def test_recommendations_follow_from_findings(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    with pytest.raises(DomainError) as err:
        add_recommendation(x.d, by=x.lead, text="Do better", findings=[])
    assert err.value.field == "findings"
    f = add_finding(x.d, by=x.lead, kind="area", statement="Slow plans", kloe=x.kloes[1])
    r = add_recommendation(x.d, by=x.lead, text="Speed up plans", findings=[f])
    assert list(r.findings.all()) == [f]
    with pytest.raises(DomainError, match="Only members of the peer team"):
        add_finding(x.d, by=world.organiser, kind="area", statement="x", kloe=None)


def test_the_findings_gate_needs_the_lga_format_evidence_approval_and_a_preview(world):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from peerdiag.findings.models import Finding, KitDigest, Recommendation

    x = delivery(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(stage=Stage.DRAFTING)
    d = Diagnostic.objects.get(pk=x.d.pk)
    codes = [b.code for b in findings_blockers(d, Stage.FEEDBACK_GIVEN)]
    assert codes == [
        "findings.no_strength",
        "findings.no_area",
        "findings.no_recommendation",
        "findings.no_preview",
    ]
    s = add_finding(
        d, by=x.lead, kind="strength", statement="S", kloe=None, evidence=[_note(x, "data")]
    )
    a = add_finding(d, by=x.lead, kind="area", statement="A", kloe=None)
    add_recommendation(d, by=x.lead, text="R", findings=[a])
    codes = [b.code for b in findings_blockers(d, Stage.FEEDBACK_GIVEN)]
    assert codes == ["findings.unsupported", "findings.unapproved", "findings.no_preview"]
    link_evidence(a, _note(x, "document"), by=x.lead)
    Finding.objects.filter(pk__in=[s.pk, a.pk]).update(approved_at=timezone.now())
    Recommendation.objects.filter(diagnostic=d).update(approved_at=timezone.now())
    KitDigest.objects.create(diagnostic=d, shared_at=timezone.now(), previews_final_messages=True)
    assert findings_blockers(d, Stage.FEEDBACK_GIVEN) == []


def test_peer_notes_are_destroyed_on_the_destroy_by_date_and_closing_waits_for_it(world):  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from django.core.management import call_command

    from peerdiag.casereview.domain.retention import run_retention
    from peerdiag.findings.models import Quote

    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    save_note(note, by=x.lead, revision=0, body="What the team manager told us")
    add_quote(note, by=x.lead, text="We are stretched", group="Team managers", group_size=5)
    f = add_finding(
        x.d, by=x.lead, kind="area", statement="Stretched teams", kloe=None, evidence=[note]
    )
    codes = [b.code for b in findings_blockers(x.d, Stage.CLOSED)]
    assert codes == ["findings.notes_kept"]
    issued = date(2027, 4, 1)
    Diagnostic.objects.filter(pk=x.d.pk).update(
        stage=Stage.EVALUATION, written_feedback_issued_on=issued
    )
    assert run_retention(today=issued + timedelta(days=29)).others == []
    # Other steps (the delivery week's attendees, say) run on the same date: tests/retention.
    done = run_retention(today=issued + timedelta(days=30)).others
    assert ("peer notes", x.d.reference) in done
    note.refresh_from_db()
    assert note.destroyed_at is not None and note.body == "" and note.title == "Destroyed note"
    assert not Quote.objects.filter(note=note).exists()
    assert f.links.get().note_id == note.pk  # the finding keeps its (now empty) evidence link
    assert findings_blockers(Diagnostic.objects.get(pk=x.d.pk), Stage.CLOSED) == []
    assert x.d.audit.filter(action="notes_destroyed").count() == 1
    assert run_retention(today=issued + timedelta(days=31)).others == []
    # The command reports what it destroyed.
    import io

    out = io.StringIO()
    call_command("retention", "run", stdout=out)
    assert "Nothing is due" in out.getvalue()


def test_findings_load_with_over_a_thousand_linked_notes(world):  # type: ignore[no-untyped-def]
    # SQLite refuses a query listing more than about a thousand ids: the loader must not make one.
    from peerdiag.findings.models import FindingEvidence

    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="area", statement="Many sources", kloe=None)
    notes = EvidenceNote.objects.bulk_create(
        EvidenceNote(diagnostic=x.d, source_type="data", title=f"N{i}", code=f"bulk{i:06d}")
        for i in range(1100)
    )
    FindingEvidence.objects.bulk_create(FindingEvidence(finding=f, note=n) for n in notes)
    (loaded,) = findings_with_evidence(x.d)
    assert corroboration_of(loaded.links.all()).supporting == 1100
