"""The evidence notes pages: the week's sessions and the team's notes, a note that saves as the
peer types, quotes and the small-group rule, notes outside sessions, and who may do what."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.documents.models import DocumentRequest
from peerdiag.findings.domain.findings import add_finding
from peerdiag.findings.domain.notes import add_note, add_quote, note_for_session, save_note
from peerdiag.findings.models import EvidenceNote, Quote
from peerdiag.timetable.models import Attendee
from tests.findings.helpers import Delivery, delivery
from tests.timetable.helpers import generate

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _url(name: str, x: Delivery, *args: object) -> str:
    return reverse(f"web:{name}", args=[x.d.reference, *args])


def _save(client, x: Delivery, note: EvidenceNote, *, headers=None, **data):  # type: ignore[no-untyped-def]
    form = {"revision": note.revision, "polarity": "neutral", "heard_from": "", "body": ""}
    form |= data
    return client.post(_url("note_save", x, note.code), form, headers=headers or {})


# The note page and saving as you type ---------------------------------------------------------


def test_opening_a_session_makes_the_peers_note_with_the_autosave_form(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[0]
    client.force_login(x.lead)
    page = client.get(_url("session_note", x, s.code)).content.decode()
    note = EvidenceNote.objects.get(session=s)
    assert note.author.person.user == x.lead  # type: ignore[union-attr]
    assert f'hx-post="{_url("note_save", x, note.code)}"' in page
    assert 'hx-trigger="input changed delay:800ms, change"' in page
    assert 'aria-live="polite"' in page and 'name="revision"' in page
    # Pre-filled: who was there by group (never a name) and the session's KLOE ticked.
    assert 'value="Social workers (1)"' in page
    assert s.attendees.get().name not in unescape(page)
    assert re.search(rf'value="{x.kloes[0].code}"\s+checked', page)
    # Opening again finds the same note.
    client.get(_url("session_note", x, s.code))
    assert EvidenceNote.objects.filter(session=s).count() == 1


def test_an_autosave_returns_a_status_fragment_with_the_new_revision(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    client.force_login(x.lead)
    response = _save(
        client,
        x,
        note,
        headers=HX,
        body="Front door is calm",
        polarity="strength",
        kloes=[x.kloes[1].code],
        heard_from="Team managers (2)",
    )
    body = response.content.decode()
    assert "Saved at" in body and "<html" not in body
    assert re.search(r'id="note-revision" value="1" hx-swap-oob="true"', body)
    note.refresh_from_db()
    assert (note.body, note.polarity, note.revision) == ("Front door is calm", "strength", 1)
    assert note.heard_from == "Team managers (2)"
    assert list(note.kloes.all()) == [x.kloes[1]]


def test_a_stale_autosave_gets_the_conflict_message_and_changes_nothing(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    save_note(note, by=x.lead, revision=0, body="Typed in the other tab")
    client.force_login(x.lead)
    response = client.post(
        _url("note_save", x, note.code),
        {"revision": 0, "polarity": "concern", "body": "Stale words"},
        headers=HX,
    )
    body = response.content.decode()
    assert "Not saved" in body and "changed somewhere else" in body
    assert "hx-swap-oob" not in body  # the page keeps its revision and the typed text
    note.refresh_from_db()
    assert (note.body, note.polarity, note.revision) == ("Typed in the other tab", "neutral", 1)


def test_without_javascript_save_redirects_with_a_message_or_keeps_the_text(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    client.force_login(x.lead)
    response = _save(client, x, note, body="Saved by the button")
    assert response.status_code == 302
    assert response["Location"] == _url("note_edit", x, note.code)
    page = client.get(response["Location"]).content.decode()
    assert "Note saved" in page and "Saved by the button</textarea>" in page
    note.refresh_from_db()
    assert (note.body, note.revision) == ("Saved by the button", 1)
    # A stale save shows the error summary and keeps what was typed.
    page = _save(client, x, note, revision=0, body="Words I must not lose").content.decode()
    assert "govuk-error-summary" in page and "changed somewhere else" in page
    assert "Words I must not lose</textarea>" in page
    note.refresh_from_db()
    assert note.body == "Saved by the button"


def test_two_peers_keep_separate_notes_and_read_each_others(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[1]
    client.force_login(x.lead)
    client.get(_url("session_note", x, s.code))
    mine = EvidenceNote.objects.get(session=s, author__person__user=x.lead)
    _save(client, x, mine, headers=HX, body="Lead peer heard about thresholds")
    client.force_login(x.om)
    page = client.get(_url("session_note", x, s.code)).content.decode()
    theirs = EvidenceNote.objects.get(session=s, author__person__user=x.om)
    assert theirs.pk != mine.pk
    assert "Other peers' notes of this session (1)" in page
    assert "Lead peer heard about thresholds" in page
    assert "Lead peer heard about thresholds</textarea>" not in page  # read-only, not editable
    _save(client, x, theirs, headers=HX, body="Manager heard about waiting lists")
    # The lead peer's words are untouched; the OM cannot save into the lead peer's note.
    assert _save(client, x, mine, headers=HX, revision=1, body="x").status_code == 403
    mine.refresh_from_db()
    assert mine.body == "Lead peer heard about thresholds"
    client.force_login(x.lead)
    page = client.get(_url("session_note", x, s.code)).content.decode()
    assert "Manager heard about waiting lists" in page
    assert "Lead peer heard about thresholds</textarea>" in page
    # Someone else's note opened from the list reads only.
    page = client.get(_url("note_edit", x, theirs.code)).content.decode()
    assert "Written by Omar Manager" in page and "<textarea" not in page.split('id="quotes"')[0]


# Quotes and the small-group rule ------------------------------------------------------------


def test_a_quote_takes_its_group_size_from_the_session_and_a_small_group_is_tagged(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[0]  # one social worker came
    note = note_for_session(s, by=x.lead)
    client.force_login(x.lead)
    response = client.post(
        _url("quote_add", x, note.code), {"text": "Nobody asks me", "group": "Social workers"}
    )
    assert response.status_code == 302
    quote = Quote.objects.get(note=note)
    assert (quote.group, quote.group_size, quote.usable) == ("Social workers", 1, False)
    page = client.get(response["Location"]).content.decode()
    assert "Small group: kept out of outputs" in page and "Nobody asks me" in page
    name = s.attendees.get().name
    assert name not in unescape(page)
    assert "Allow this quote" not in page  # the lead peer cannot override
    # A free-text group needs its size.
    page = client.post(
        _url("quote_add", x, note.code), {"text": "We are stretched", "group_other": "Schools"}
    ).content.decode()
    assert "Enter how many people are in that group" in page
    client.post(
        _url("quote_add", x, note.code),
        {"text": "We are stretched", "group_other": "Schools", "group_size": "8"},
    )
    big = Quote.objects.get(note=note, group="Schools")
    assert big.usable and big.group_size == 8


def test_the_pcm_overrides_a_small_group_quote_with_a_reason(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    quote = add_quote(note, by=x.lead, text="I am on my own", group="IRO", group_size=1)
    url = _url("quote_override", x, note.code, quote.pk)
    client.force_login(x.lead)
    assert client.post(url, {"reason": "Agreed"}).status_code == 403
    client.force_login(world.pcm)
    page = client.get(_url("note_edit", x, note.code)).content.decode()
    assert url in page  # the PCM is offered the override
    page = client.post(url, {"reason": "", "version": 1}).content.decode()
    assert "Give the reason it is safe to use this quote" in page
    quote.refresh_from_db()
    assert not quote.usable
    response = client.post(url, {"reason": "The IRO agreed to be quoted", "version": 1})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.usable and quote.overridden_by == world.pcm
    page = client.get(response["Location"]).content.decode()
    assert "Small group: allowed in outputs" in page and "The IRO agreed to be quoted" in page


# Who may ------------------------------------------------------------------------------------


def test_the_council_gets_403_on_every_note_page_and_nothing_is_made(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    quote = add_quote(note, by=x.lead, text="Only me", group="IRO", group_size=1)
    client.force_login(world.sponsor)
    gets = [
        _url("notes", x),
        _url("note_add", x),
        _url("session_note", x, x.sessions[1].code),
        _url("note_edit", x, note.code),
        _url("quote_override", x, note.code, quote.pk),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        _url("note_save", x, note.code),
        _url("quote_add", x, note.code),
        _url("notes_pull_case_review", x),
    ]
    for url in posts:
        assert client.post(url, {"revision": 0, "body": "x", "text": "y"}).status_code == 403
    assert EvidenceNote.objects.count() == 1 and Quote.objects.count() == 1
    note.refresh_from_db()
    assert note.body == ""


def test_an_lga_admin_reads_the_notes_but_cannot_write(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = note_for_session(x.sessions[0], by=x.lead)
    save_note(note, by=x.lead, revision=0, body="Read by the LGA")
    client.force_login(world.admin)
    assert "Read by the LGA" in client.get(_url("notes", x)).content.decode()
    assert client.get(_url("session_note", x, x.sessions[1].code)).status_code == 403
    assert client.get(_url("note_add", x)).status_code == 403
    assert EvidenceNote.objects.count() == 1


# The list -----------------------------------------------------------------------------------


def test_the_week_is_grouped_by_day_with_note_counts(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    client.force_login(x.lead)
    page = client.get(_url("notes", x)).content.decode()
    assert "Not yet placed" in page and "Conversation 1" in page
    assert "No notes yet" in page
    generate(x.d, world.pcm)
    note_for_session(x.sessions[0], by=x.lead)
    note_for_session(x.sessions[0], by=x.om)
    page = client.get(_url("notes", x)).content.decode()
    assert re.search(r"Day 1, Monday 1 March", page)
    row = re.search(r"Conversation 1<br>.*?</tr>", page, re.S)
    assert row is not None
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row.group(0)
    assert _url("session_note", x, x.sessions[0].code) in row.group(0)


def _notes(x: Delivery, n: int) -> None:
    for i in range(n):
        note = add_note(
            x.d,
            by=x.lead if i % 2 else x.om,
            source_type="document" if i % 2 else "data",
            title=f"Evidence {i}",
            kloes=[x.kloes[i % 2]],
            polarity="strength" if i % 3 else "concern",
        )
        add_quote(note, by=x.lead, text=f"Said {i}", group="Partners", group_size=4)


def test_the_list_answers_in_the_same_number_of_queries_at_two_sizes(  # type: ignore[no-untyped-def]
    client, world, django_assert_num_queries
):
    x = delivery(world)
    client.force_login(x.lead)
    _notes(x, 3)
    client.get(_url("notes", x))  # warm up
    with CaptureQueriesContext(connection) as small:
        assert "Evidence 2" in client.get(_url("notes", x)).content.decode()
    _notes(x, 20)
    (note,) = [n for n in EvidenceNote.objects.all() if n.title == "Evidence 5"]
    add_finding(x.d, by=x.lead, kind="strength", statement="Strong", kloe=None, evidence=[note])
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(_url("notes", x)).content.decode()
    assert "23 notes" in page and "used in 1 finding" in page


def test_the_filters_narrow_the_notes(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    _notes(x, 6)
    client.force_login(x.lead)

    def titles(**params: str) -> set[str]:
        page = client.get(_url("notes", x), params).content.decode()
        return set(re.findall(r">(Evidence \d)</a>", page))

    assert titles() == {f"Evidence {i}" for i in range(6)}
    assert titles(source="data") == {"Evidence 0", "Evidence 2", "Evidence 4"}
    assert titles(polarity="concern") == {"Evidence 0", "Evidence 3"}
    assert titles(kloe=x.kloes[1].code) == {"Evidence 1", "Evidence 3", "Evidence 5"}
    assert titles(kloe=x.kloes[1].code, polarity="concern") == {"Evidence 3"}
    page = client.get(_url("notes", x), {"source": "observation"}).content.decode()
    assert "No notes match these filters" in page


# Notes outside sessions ---------------------------------------------------------------------


def test_a_note_from_a_document_and_its_page(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    doc = DocumentRequest.objects.create(diagnostic=x.d, title="Early help strategy")
    client.force_login(x.lead)
    page = client.post(_url("note_add", x), {"title": "", "polarity": "neutral"}).content.decode()
    assert "Choose where the evidence comes from" in page and "Give the note a title" in page
    response = client.post(
        _url("note_add", x),
        {
            "source_type": "document",
            "title": "Strategy is out of date",
            "document": doc.code,
            "kloes": [x.kloes[0].code],
            "polarity": "concern",
            "body": "Last reviewed in 2021",
        },
    )
    (note,) = [n for n in EvidenceNote.objects.all() if n.title == "Strategy is out of date"]
    assert response["Location"] == _url("note_edit", x, note.code)
    assert (note.document, note.session, note.polarity) == (doc, None, "concern")
    assert list(note.kloes.all()) == [x.kloes[0]]
    page = client.get(response["Location"]).content.decode()
    assert "Last reviewed in 2021</textarea>" in page and "Not used in a finding yet" in page
    add_finding(x.d, by=x.lead, kind="area", statement="Strategy", kloe=None, evidence=[note])
    assert "Used in 1 finding" in client.get(response["Location"]).content.decode()


def test_the_session_attendee_groups_are_offered_for_a_quote(client, world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s = x.sessions[0]
    s.attendees.add(
        Attendee.objects.create(diagnostic=x.d, name="Zed", group="Social workers"),
        Attendee.objects.create(diagnostic=x.d, name="Yan", group="Schools"),
    )
    client.force_login(x.lead)
    page = client.get(_url("session_note", x, s.code)).content.decode()
    assert "Social workers (2 in the session)" in page and "Schools (1 in the session)" in page
    assert "Zed" not in page and "Yan" not in page
