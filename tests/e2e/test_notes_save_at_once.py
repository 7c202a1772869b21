"""No false alarm in the browser: the peer types and presses Save note while the autosave is
still on its way. The button's post waits for the autosave's reply, so it carries the newest
revision; the page says the note is saved, never that it changed somewhere else."""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, expect

from peerdiag.findings.domain.notes import add_note
from peerdiag.findings.models import EvidenceNote
from peerdiag.web.views import notes as note_views
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD

TYPED = "Re-referrals rose to 24% in the last year"


def test_save_pressed_during_an_autosave_is_saved_without_a_conflict(
    page: Page, world: World, monkeypatch: Any
) -> None:
    note = add_note(world.own, by=world.peer, source_type="data", title="Re-referrals")
    real = note_views.save_note

    def slow_save(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)  # a slow connection: the autosave's reply is late
        return real(*args, **kwargs)

    monkeypatch.setattr(note_views, "save_note", slow_save)
    page.goto("/sign-in/")
    sign_in(page, "peer@example.org", PASSWORD)
    page.goto(reverse("web:note_edit", args=[world.own.reference, note.code]))
    page.get_by_label("Notes", exact=True).fill(TYPED)

    def button_post(request: Any) -> bool:
        return request.method == "POST" and "hx-request" not in request.headers

    # Leaving the box starts the autosave; the click's post must wait for its reply.
    with page.expect_request(button_post) as sent:
        page.get_by_role("button", name="Save note").click()
    assert "revision=1" in (sent.value.post_data or "")
    expect(page.get_by_text("Note saved")).to_be_visible()
    expect(page.get_by_text("changed somewhere else")).to_have_count(0)
    expect(page.get_by_label("Notes", exact=True)).to_have_value(TYPED)
    axe_check(page)
    stored = EvidenceNote.objects.get(pk=note.pk)
    assert stored.body == TYPED and stored.revision == 2
