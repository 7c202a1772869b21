"""No false alarms: a note's autosave and its Save button share one revision sequence.

The person types, the autosave keeps the words (revision 1), and they press Save at once: the
button's post still carries revision 0, because the page had not heard back yet. That is their
own newer state, not a conflict. A save from another tab or device with other words still is.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from peerdiag.findings.domain.notes import add_note, save_note
from peerdiag.findings.enums import SourceType
from peerdiag.findings.models import EvidenceNote

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
CONFLICT = "changed somewhere else"


def _note(world) -> EvidenceNote:  # type: ignore[no-untyped-def]
    return add_note(world.own, by=world.peer, source_type=SourceType.DOCUMENT, title="Strategy")


def _page(client, note: EvidenceNote) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """What a freshly opened note page carries: its revision, its editor value, and the page."""
    page = client.get(reverse("web:note_edit", args=[note.diagnostic.reference, note.code]))
    html = page.content.decode()
    revision = re.search(r'name="revision" id="note-revision" value="(\d+)"', html)
    editor = re.search(r'name="editor" value="([^"]+)"', html)
    assert revision and editor, "the note's form carries its revision and the page's editor value"
    return revision.group(1), editor.group(1), html


def _post(client, note, *, revision, editor="", body, htmx=False):  # type: ignore[no-untyped-def]
    url = reverse("web:note_save", args=[note.diagnostic.reference, note.code])
    data = {"revision": revision, "editor": editor, "polarity": "neutral", "body": body}
    return client.post(url, data, headers=HX if htmx else {})


def test_the_note_form_carries_the_revision_an_editor_value_and_the_autosave_marker(client, world):  # type: ignore[no-untyped-def]
    note = _note(world)
    client.force_login(world.peer)
    revision, editor, html = _page(client, note)
    assert revision == "0" and len(editor) >= 16
    assert "data-autosave" in html
    # Each opening of the page is its own editor: two tabs never share one.
    assert _page(client, note)[1] != editor


def test_an_autosave_then_save_pressed_at_once_with_newer_words_is_not_a_conflict(client, world):  # type: ignore[no-untyped-def]
    note = _note(world)
    client.force_login(world.peer)
    revision, editor, _ = _page(client, note)
    typed = "The front door is calm"
    autosave = _post(client, note, revision=revision, editor=editor, body=typed, htmx=True)
    fragment = autosave.content.decode()
    assert "Saved at" in fragment
    # The reply sets the form's revision field out of band, so the next post carries it.
    assert re.search(r'id="note-revision" value="1" hx-swap-oob="true"', fragment)
    # The button's post left before that reply arrived: old revision, a few more words.
    more = typed + " and referrals are screened within a day"
    response = _post(client, note, revision=revision, editor=editor, body=more)
    assert response.status_code == 302
    page = unescape(client.get(response["Location"]).content.decode())
    assert "Note saved" in page and CONFLICT not in page
    note.refresh_from_db()
    assert (note.body, note.revision) == (more, 2)


def test_save_pressed_at_once_with_the_same_words_is_accepted_and_writes_nothing(client, world):  # type: ignore[no-untyped-def]
    note = _note(world)
    client.force_login(world.peer)
    revision, editor, _ = _page(client, note)
    _post(client, note, revision=revision, editor=editor, body="Same words", htmx=True)
    note.refresh_from_db()
    saved_at = note.updated_at
    # Even without the editor value (a page from before this change), the same words are
    # what is stored already: a repeat, not a conflict.
    response = _post(client, note, revision=revision, body="Same words")
    page = unescape(client.get(response["Location"]).content.decode())
    assert "Note saved" in page and CONFLICT not in page
    note.refresh_from_db()
    assert (note.body, note.revision, note.updated_at) == ("Same words", 1, saved_at)


def test_an_autosave_that_arrives_after_the_button_gets_the_latest_revision_back(client, world):  # type: ignore[no-untyped-def]
    note = _note(world)
    client.force_login(world.peer)
    revision, editor, _ = _page(client, note)
    _post(client, note, revision=revision, editor=editor, body="Final words")
    late = _post(client, note, revision=revision, editor=editor, body="Final words", htmx=True)
    assert re.search(r'id="note-revision" value="1" hx-swap-oob="true"', late.content.decode())
    note.refresh_from_db()
    assert (note.body, note.revision) == ("Final words", 1)


def test_another_tab_with_other_words_is_still_a_conflict(client, world):  # type: ignore[no-untyped-def]
    note = _note(world)
    client.force_login(world.peer)
    revision, first_tab, _ = _page(client, note)
    _, second_tab, _ = _page(client, note)
    _post(client, note, revision=revision, editor=first_tab, body="Words from the laptop")
    response = _post(client, note, revision=revision, editor=second_tab, body="Words on the phone")
    page = unescape(response.content.decode())
    assert "govuk-error-summary" in page and CONFLICT in page
    assert "Words on the phone</textarea>" in page  # their typing is kept on the page
    note.refresh_from_db()
    assert (note.body, note.revision) == ("Words from the laptop", 1)
    # The same as an autosave: the status says so and the revision is not moved on.
    fragment = _post(
        client, note, revision=revision, editor=second_tab, body="Phone again", htmx=True
    ).content.decode()
    assert "Not saved" in fragment and CONFLICT in fragment and "hx-swap-oob" not in fragment


def test_a_page_cannot_catch_up_over_another_tabs_save(client, world):  # type: ignore[no-untyped-def]
    note = _note(world)
    client.force_login(world.peer)
    _, laptop, _ = _page(client, note)
    # The laptop autosaves (revision 1); then the phone, opened after that, saves (revision 2).
    _post(client, note, revision=0, editor=laptop, body="Laptop words", htmx=True)
    _, phone, _ = _page(client, note)
    _post(client, note, revision=1, editor=phone, body="Phone words", htmx=True)
    # The laptop's button, still on revision 0, would overwrite the phone's words: refused.
    response = _post(client, note, revision=0, editor=laptop, body="Laptop words, more")
    assert CONFLICT in unescape(response.content.decode())
    note.refresh_from_db()
    assert (note.body, note.revision) == ("Phone words", 2)


def test_the_domain_accepts_a_repeat_and_refuses_other_words_from_an_unknown_page(world):  # type: ignore[no-untyped-def]
    from peerdiag.common.errors import DomainError

    note = _note(world)
    saved = save_note(note, by=world.peer, revision=0, body="Kept", editor="a" * 16)
    assert saved.revision == 1
    assert save_note(note, by=world.peer, revision=0, body="Kept").revision == 1
    with pytest.raises(DomainError, match=CONFLICT):
        save_note(note, by=world.peer, revision=0, body="Other", editor="b" * 16)
    note.refresh_from_db()
    assert (note.body, note.revision) == ("Kept", 1)
