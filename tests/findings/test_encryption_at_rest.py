"""What peers heard is encrypted at rest, like case audit content (issue 15, point 10).

Every field is written through the real domain functions and then read straight from its
column: the words must not be there. Reads give them back; search, the meeting pack, retention
and key rotation still work without the database seeing the words.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import save_report_text
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReview
from peerdiag.common import crypto
from peerdiag.common.fields import rotate_keys
from peerdiag.diagnostics.domain.retention import REMOVED
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.findings.domain.casereview_themes import STRENGTHS, pull_case_review_themes
from peerdiag.findings.domain.digest import (
    add_digest_item,
    draft_kit_digest,
    edit_digest_item,
    mark_digest_shared,
    remove_digest_item,
    set_item_shared,
)
from peerdiag.findings.domain.findings import add_finding, link_evidence, unlink_evidence
from peerdiag.findings.domain.notes import add_note, add_quote, note_for_session, save_note
from peerdiag.findings.domain.pack import peer_team_pack
from peerdiag.findings.domain.retention import (
    DESTROYED_TITLE,
    destroy_digests,
    destroy_due_digests,
    destroy_notes,
)
from peerdiag.findings.domain.search import search
from peerdiag.findings.models import DigestItem, EvidenceNote, KitDigest, Quote
from tests.casereview.helpers import add_auditor, released_case

from .helpers import delivery

BODY = "The duty manager said the front door is overwhelmed on Mondays"
HEARD = "Duty social workers (4)"
TITLE = "Front door interview with the duty team"
QUOTE = "Nobody reads my reports"
ITEM = "Partners describe thresholds as unclear"
RESPONSE = "The sponsor agreed and asked for the threshold document"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cur.fetchone()[0])  # type: ignore[index]


def _all_raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [str(r[0]) for r in cur.fetchall()]


def _hidden(raw: str, words: str) -> bool:
    """The column holds a Fernet token, not the words: neither the whole text nor any of its
    longer words appear in it, in any case. (Short words are not checked: a random token can
    hold four letters by chance.)"""
    low = raw.lower()
    return (
        raw.startswith("gAAAA")
        and words.lower() not in low
        and not any(w.lower() in low for w in words.split() if len(w) >= 6)
    )


def _audit_text(d) -> str:  # type: ignore[no-untyped-def]
    return " ".join(AuditEntry.objects.filter(diagnostic=d).values_list("summary", flat=True))


# Each field, saved through the domain -------------------------------------------------------


def test_a_notes_title_heard_from_and_body_are_tokens_in_the_database(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(
        x.d, by=x.lead, source_type="interview", title=TITLE, heard_from=HEARD, body=BODY
    )
    for column, words in (("title", TITLE), ("heard_from", HEARD), ("body", BODY)):
        assert _hidden(_raw("findings_evidencenote", column, note.pk), words), column
    again = EvidenceNote.objects.get(pk=note.pk)
    assert (again.title, again.heard_from, again.body) == (TITLE, HEARD, BODY)

    save_note(note, by=x.lead, revision=0, body="Second thoughts about Mondays", heard_from="Leads")
    assert _hidden(_raw("findings_evidencenote", "body", note.pk), "Second thoughts Mondays")
    assert _hidden(_raw("findings_evidencenote", "heard_from", note.pk), "Leads")
    assert EvidenceNote.objects.get(pk=note.pk).body == "Second thoughts about Mondays"
    # The audit trail names the note by its code, never by its words.
    assert "Front door interview" not in _audit_text(x.d)
    assert note.code in _audit_text(x.d)


def test_a_session_note_is_prefilled_and_encrypted(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[0]
    note = note_for_session(s, by=x.lead)
    assert note.title == s.title and note.heard_from
    assert _hidden(_raw("findings_evidencenote", "title", note.pk), s.title)
    assert _hidden(_raw("findings_evidencenote", "heard_from", note.pk), note.heard_from)
    assert note_for_session(s, by=x.lead).pk == note.pk


def test_a_quote_is_a_token_in_the_database(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(x.d, by=x.lead, source_type="interview", title="IROs")
    quote = add_quote(note, by=x.lead, text=QUOTE, group="IROs", group_size=4)
    assert _hidden(_raw("findings_quote", "text", quote.pk), QUOTE)
    assert Quote.objects.get(pk=quote.pk).text == QUOTE
    assert "reads my reports" not in _audit_text(x.d)


def test_digest_items_and_the_sponsors_response_are_tokens_and_stay_out_of_the_audit(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_finding(x.d, by=x.lead, kind="area", statement="Thresholds unclear", kloe=x.kloes[0])
    digest = draft_kit_digest(x.d, by=x.lead)
    drafted = DigestItem.objects.get(digest=digest)
    assert _hidden(_raw("findings_digestitem", "text", drafted.pk), "Thresholds unclear")

    item = add_digest_item(digest, by=x.lead, text=ITEM)
    assert _hidden(_raw("findings_digestitem", "text", item.pk), ITEM)
    item = edit_digest_item(item, by=x.lead, text=ITEM + " and slow", version=item.version)
    assert _hidden(_raw("findings_digestitem", "text", item.pk), ITEM + " and slow")
    item = set_item_shared(item, by=x.lead, shared=True, version=item.version)
    remove_digest_item(drafted, by=x.lead, version=drafted.version)
    digest.refresh_from_db()
    mark_digest_shared(
        digest,
        by=x.lead,
        previews_final_messages=False,
        sponsor_response=RESPONSE,
        version=digest.version,
    )
    assert _hidden(_raw("findings_kitdigest", "sponsor_response", digest.pk), RESPONSE)
    assert KitDigest.objects.get(pk=digest.pk).sponsor_response == RESPONSE
    assert DigestItem.objects.get(pk=item.pk).text == ITEM + " and slow"
    trail = _audit_text(x.d)
    # (The finding's own statement is the team's wording and may appear: it is not encrypted.)
    assert "describe thresholds" not in trail.lower() and "sponsor agreed" not in trail
    assert "digest item 2" in trail  # items are named by their place


def test_case_review_themes_pulled_into_notes_are_encrypted_like_the_audits(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    grades = {d: GradeIn("good", "Seen alone", "") for d in AuditDomain.values}
    save_audit(
        released_case(world.own),
        by=auditor,
        header={},
        grades=grades,
        overall_grade="good",
        difference="Safer",
        finish=True,
        version=0,
    )
    review = CaseReview.objects.get(diagnostic=world.own)
    save_report_text(
        review,
        by=world.peer,
        strengths="Children are seen alone by their workers",
        improvements="Plans drift",
        version=review.version,
    )
    notes = pull_case_review_themes(world.own, by=world.peer)
    assert notes
    (strengths,) = [n for n in notes if n.title == STRENGTHS]
    assert _hidden(_raw("findings_evidencenote", "body", strengths.pk), "Children seen alone")
    assert not any("seen alone" in raw.lower() for raw in _all_raw("findings_evidencenote", "body"))
    # Pulling again finds the same notes by their (decrypted) titles.
    again = pull_case_review_themes(world.own, by=world.peer)
    assert sorted(n.pk for n in again) == sorted(n.pk for n in notes)


def test_asking_the_database_to_compare_the_words_is_refused(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_note(x.d, by=x.lead, source_type="data", title=TITLE, body=BODY)
    for query in (
        lambda: EvidenceNote.objects.filter(body__icontains="front"),
        lambda: EvidenceNote.objects.filter(title=TITLE),
        lambda: Quote.objects.filter(text__contains="reports"),
        lambda: DigestItem.objects.exclude(text=REMOVED),
        lambda: KitDigest.objects.filter(sponsor_response__startswith="The"),
    ):
        with pytest.raises(TypeError, match="is encrypted: the database cannot compare it"):
            list(query())


# What reads the words -----------------------------------------------------------------------


def test_search_finds_notes_by_every_encrypted_field(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(
        x.d, by=x.lead, source_type="interview", title=TITLE, heard_from=HEARD, body=BODY
    )
    add_quote(note, by=x.lead, text=QUOTE, group="IROs", group_size=4)
    add_note(x.d, by=x.lead, source_type="data", title="Caseloads", body="Average 18")
    for query in ("duty team", "social workers", "overwhelmed mondays", "reads my reports"):
        assert [(r.kind, r.code) for r in search(x.d, query)] == [("note", note.code)], query
    assert search(x.d, "overwhelmed nowhere") == []


def test_search_reads_the_notes_in_the_same_number_of_queries_for_few_and_many(world):  # type: ignore[no-untyped-def]
    x = delivery(world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            search(x.d, "mondays")
        return len(ctx.captured_queries)

    add_note(x.d, by=x.lead, source_type="data", title="One", body=BODY)
    few = queries()
    for i in range(12):
        n = add_note(x.d, by=x.lead, source_type="data", title=f"N{i}", body=f"{BODY} {i}")
        add_quote(n, by=x.lead, text=f"Quote {i}", group="Managers", group_size=5)
    assert queries() == few
    assert len(search(x.d, "mondays")) == 13


def test_the_search_page_still_shows_what_a_note_says(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_note(x.d, by=x.lead, source_type="interview", title=TITLE, body=BODY)
    client.force_login(x.lead)
    page = client.get(reverse("web:evidence_search", args=[x.d.reference]), {"q": "mondays"})
    html = page.content.decode()
    assert TITLE in html and "<mark" in html and "Mondays" in html


def test_the_meeting_packs_disagreements_are_sorted_by_title_after_reading(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    front = x.kloes[0]
    for title, polarity in (
        ("b praise", "strength"),
        ("A praise", "strength"),
        ("C worry", "concern"),
    ):
        add_note(x.d, by=x.lead, source_type="data", title=title, kloes=[front], polarity=polarity)
    [disagreement] = peer_team_pack(x.d).disagreements
    assert [s.title for s in disagreement.strengths] == ["A praise", "b praise"]
    assert [s.title for s in disagreement.concerns] == ["C worry"]


def test_linking_evidence_names_the_note_by_its_code_in_the_audit(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(x.d, by=x.lead, source_type="data", title=TITLE)
    finding = add_finding(x.d, by=x.lead, kind="area", statement="Demand", kloe=x.kloes[0])
    link_evidence(finding, note, by=x.lead, stance="supports")
    unlink_evidence(finding, note, by=x.lead)
    assert "duty team" not in _audit_text(x.d) and _audit_text(x.d).count(note.code) >= 3


# Retention ----------------------------------------------------------------------------------


def test_destroying_notes_still_blanks_them(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = add_note(
        x.d, by=x.lead, source_type="interview", title=TITLE, heard_from=HEARD, body=BODY
    )
    add_quote(note, by=x.lead, text=QUOTE, group="IROs", group_size=4)
    assert destroy_notes(x.d, by=None, reason="test") == 1
    assert _raw("findings_evidencenote", "body", note.pk) == ""
    assert _raw("findings_evidencenote", "heard_from", note.pk) == ""
    title = _raw("findings_evidencenote", "title", note.pk)
    assert _hidden(title, "duty team") and crypto.decrypt(title) == DESTROYED_TITLE
    assert not Quote.objects.filter(note=note).exists()
    assert destroy_notes(x.d, by=None, reason="test") == 0


def test_destroying_digests_replaces_their_words_once(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_finding(x.d, by=x.lead, kind="area", statement="Thresholds unclear", kloe=x.kloes[0])
    digest = draft_kit_digest(x.d, by=x.lead)
    item = add_digest_item(digest, by=x.lead, text=ITEM)
    set_item_shared(item, by=x.lead, shared=True, version=item.version)
    digest.refresh_from_db()
    mark_digest_shared(
        digest,
        by=x.lead,
        previews_final_messages=False,
        sponsor_response=RESPONSE,
        version=digest.version,
    )
    assert destroy_digests(x.d) == {"digest items": 2, "sponsor responses": 1}
    assert {i.text for i in DigestItem.objects.all()} == {REMOVED}
    assert KitDigest.objects.get(pk=digest.pk).sponsor_response == REMOVED
    raw = _raw("findings_kitdigest", "sponsor_response", digest.pk)
    assert _hidden(raw, REMOVED) and "sponsor agreed" not in raw
    assert destroy_digests(x.d) == {"digest items": 0, "sponsor responses": 0}


def test_the_daily_step_finds_digests_still_holding_words(world, monkeypatch):  # type: ignore[no-untyped-def]
    from peerdiag.findings.domain import retention

    x = delivery(world)
    digest = draft_kit_digest(x.d, by=x.lead)
    add_digest_item(digest, by=x.lead, text=ITEM)
    seen: list[set[int]] = []

    def fake_sweep(ids, **kw):  # type: ignore[no-untyped-def]
        seen.append(set(ids))
        return []

    monkeypatch.setattr(retention, "sweep", fake_sweep)
    destroy_due_digests(x.d.created_at.date(), None)
    destroy_digests(x.d)
    destroy_due_digests(x.d.created_at.date(), None)
    assert seen == [{x.d.pk}, set()]


# Rotation -----------------------------------------------------------------------------------


def test_rotation_re_encrypts_every_findings_field_and_the_old_key_alone_then_fails(
    world, monkeypatch
):  # type: ignore[no-untyped-def]
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV, old)
    x = delivery(world)
    note = add_note(
        x.d, by=x.lead, source_type="interview", title=TITLE, heard_from=HEARD, body=BODY
    )
    quote = add_quote(note, by=x.lead, text=QUOTE, group="IROs", group_size=4)
    digest = draft_kit_digest(x.d, by=x.lead)
    item = add_digest_item(digest, by=x.lead, text=ITEM)
    set_item_shared(item, by=x.lead, shared=True, version=item.version)
    digest.refresh_from_db()
    mark_digest_shared(
        digest,
        by=x.lead,
        previews_final_messages=True,
        sponsor_response=RESPONSE,
        version=digest.version,
    )
    cells = [
        ("findings_evidencenote", "title", note.pk),
        ("findings_evidencenote", "heard_from", note.pk),
        ("findings_evidencenote", "body", note.pk),
        ("findings_quote", "text", quote.pk),
        ("findings_digestitem", "text", item.pk),
        ("findings_kitdigest", "sponsor_response", digest.pk),
    ]
    before = [_raw(*c) for c in cells]

    monkeypatch.setenv(crypto.ENV, f"{new},{old}")
    changed = rotate_keys()
    assert changed["findings.EvidenceNote"] == 1 and changed["findings.Quote"] == 1
    assert changed["findings.KitDigest"] == 1 and changed["findings.DigestItem"] >= 1
    after = [_raw(*c) for c in cells]
    newest = Fernet(new.encode())
    for cell, was, now in zip(cells, before, after, strict=True):
        assert now != was, cell
        assert newest.decrypt(now.encode()) == Fernet(old.encode()).decrypt(was.encode()), cell

    monkeypatch.setenv(crypto.ENV, new)
    again = EvidenceNote.objects.get(pk=note.pk)
    assert (again.title, again.body) == (TITLE, BODY)
    assert Quote.objects.get(pk=quote.pk).text == QUOTE
    monkeypatch.setenv(crypto.ENV, old)
    with pytest.raises(Exception, match="is its key missing"):
        Quote.objects.get(pk=quote.pk)
