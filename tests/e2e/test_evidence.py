"""The lead peer takes notes in a session in the browser (saved as they type), tags a line of
enquiry and a polarity, flags a quote from a small group, then builds a finding from the note.
Every page on the way is checked with axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from peerdiag.findings.models import EvidenceNote, Finding, Quote
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD
from tests.findings.helpers import delivery


def test_a_peer_takes_notes_in_a_session_and_builds_a_finding(page: Page, world: World) -> None:
    x = delivery(world)
    ref = x.d.reference
    session = x.sessions[0]  # a focus group with one social worker, on the first KLOE
    page.goto("/sign-in/")
    sign_in(page, "peer@example.org", PASSWORD)

    page.goto(f"/diagnostics/{ref}/notes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My notes and the team's")
    expect(page.get_by_text("No notes yet")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=f"Take notes in {session.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)
    expect(page.get_by_label("Heard from")).to_have_value("Social workers (1)")
    axe_check(page)

    # Typing saves by itself: the status says so and the revision moves on.
    body = page.get_by_label("Notes", exact=True)
    body.click()
    body.press_sequentially("Social workers say the front door is quick.", delay=5)
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    expect(page.locator("#note-revision")).to_have_value("1")
    note = EvidenceNote.objects.get(session=session, author__person__user=x.lead)
    assert note.body == "Social workers say the front door is quick."

    # Quick tags: a second KLOE and the polarity, each saved on change.
    def saving(field: str):  # type: ignore[no-untyped-def]
        return page.expect_response(
            lambda r: r.url.endswith("/save/") and field in (r.request.post_data or "")
        )

    with saving(f"kloes={x.kloes[1].code}"):
        page.get_by_label(re.compile(r"^2\. The quality of practice")).check()
    with saving("polarity=strength"):
        page.get_by_label("Strength", exact=True).check()
    expect(status).to_contain_text("Saved at")
    note.refresh_from_db()
    assert note.polarity == "strength"
    assert {k.pk for k in note.kloes.all()} == {x.kloes[0].pk, x.kloes[1].pk}
    axe_check(page)

    # A quote from the only social worker there: a small group, kept out of outputs.
    page.get_by_text("Flag a quote").click()
    page.get_by_label("What was said").fill("I always know who to call.")
    page.get_by_label("Said by (role group)").select_option(
        label="Social workers (1 in the session)"
    )
    page.get_by_role("button", name="Flag the quote").click()
    expect(page.get_by_text("Small group: kept out of outputs")).to_be_visible()
    expect(page.get_by_text("“I always know who to call.”")).to_be_visible()
    # The typed note survived the round trip.
    expect(page.get_by_label("Notes", exact=True)).to_have_value(
        "Social workers say the front door is quick."
    )
    axe_check(page)
    quote = Quote.objects.get(note=note)
    assert (quote.group, quote.group_size, quote.usable) == ("Social workers", 1, False)

    # Build a finding from the note: it starts linked to the note, as a strength.
    page.get_by_role("link", name="Build a finding from this note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a finding")
    expect(page.get_by_label(note.title)).to_be_checked()
    axe_check(page)
    page.get_by_label("Finding", exact=True).fill("Practitioners find the front door easy to reach")
    page.get_by_role("button", name="Add the finding").click()
    expect(
        page.get_by_text("Practitioners find the front door easy to reach").first
    ).to_be_visible()
    axe_check(page)
    finding = Finding.objects.get(diagnostic=x.d)
    assert finding.kind == "strength"
    assert list(finding.links.values_list("note_id", flat=True)) == [note.pk]

    # Back on the note: it shows the finding that uses it.
    page.goto(f"/diagnostics/{ref}/notes/{note.code}/")
    expect(page.get_by_text("Used in 1 finding")).to_be_visible()
    axe_check(page)
    page.goto(f"/diagnostics/{ref}/notes/")
    expect(page.locator("#note-list")).to_contain_text("used in 1 finding")
    axe_check(page)
