"""Two people edit one section of the written feedback in two browsers at once.

The PCM and the lead peer open the same section. Each sees that the other is editing it (the
PCM's page learns of the lead peer by polling).
The PCM saves first; the lead peer's save, made from the page as it was, is refused: the page
shows the PCM's text in the form and the lead peer's own beside it. The lead peer copies their
own text across and saves. The section's history lists both texts. axe-core checks every page
each browser visits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from peerdiag.common.presence import fingerprint
from peerdiag.reports.domain.content import written_for
from tests.conftest import World
from tests.e2e.conftest import TIMEOUT_MS, PageProblems, axe_check, sign_in
from tests.factories import PASSWORD
from tests.reports.helpers import drafted

PCM_TEXT = "The council asked us to look at its front door. The PCM's wording."
LEAD_TEXT = "The council asked us to look at its front door. The lead peer's wording."


@pytest.fixture
def second_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """Another browser context (its own cookies: another person), checked like `page`."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    other = context.new_page()
    problems = PageProblems()
    other.on("response", problems.on_response)
    other.on("pageerror", problems.on_page_error)
    try:
        yield other
    finally:
        context.close()
    assert not problems.bad_responses, "Failed requests:\n" + "\n".join(problems.bad_responses)
    assert not problems.script_errors, "Script errors:\n" + "\n".join(problems.script_errors)


def _sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)


def test_two_people_save_the_same_section(page: Page, second_page: Page, world: World) -> None:
    x = drafted(world)
    ref = x.d.reference
    written_for(x.d)
    section = reverse("web:written_paragraph", args=[ref, "context"])
    history = reverse("web:written_paragraph_history", args=[ref, "context"])
    pcm, lead = page, second_page

    _sign_in(pcm, "pcm@example.org")
    _sign_in(lead, "peer@example.org")
    pcm.goto(section)
    expect(pcm.get_by_role("heading", level=1)).to_have_text("Edit ‘Context’")
    axe_check(pcm)
    lead.goto(section)
    # The lead peer can see that the PCM has the section open for editing.
    expect(lead.locator("main [aria-live=polite]")).to_have_text(
        f"{world.pcm.get_full_name()} is editing this."
    )
    axe_check(lead)
    # The PCM's page, open first, learns of the lead peer at its next poll (every 15 s), and
    # keeps the new line's fingerprint so an unchanged line is not sent again.
    line = f"{world.peer.get_full_name()} is editing this."
    expect(pcm.locator("main [aria-live=polite]")).to_have_text(line, timeout=20_000)
    expect(pcm.locator("input[name=seen]")).to_have_value(fingerprint(line))

    # The PCM saves first.
    pcm.locator("textarea[name=text]").fill(PCM_TEXT)
    pcm.get_by_role("button", name="Save the section").click()
    expect(pcm.locator(".govuk-notification-banner--success")).to_contain_text("‘Context’ saved")
    axe_check(pcm)

    # The lead peer saves from the page as it was: refused, with both texts on the page.
    lead.locator("textarea[name=text]").fill(LEAD_TEXT)
    lead.get_by_role("button", name="Save the section").click()
    expect(lead.locator("[data-conflict]")).to_contain_text(
        f"{world.pcm.get_full_name()} saved a change at"
    )
    expect(lead.locator("textarea[name=text]")).to_have_value(PCM_TEXT)
    mine = lead.get_by_role("textbox", name="Yours (not saved)")
    expect(mine).to_have_value(LEAD_TEXT)
    axe_check(lead)
    assert written_for(x.d).paragraphs.get(key="context").text == PCM_TEXT

    # They copy their own words across and save again, this time from the PCM's version.
    lead.locator("textarea[name=text]").fill(mine.input_value())
    lead.get_by_role("button", name="Save the section").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("‘Context’ saved")
    axe_check(lead)
    p = written_for(x.d).paragraphs.get(key="context")
    assert (p.text, p.version, p.changed_by) == (LEAD_TEXT, 3, world.peer)

    # The history lists both saved texts, newest first, and offers to put the PCM's back.
    lead.goto(history)
    expect(lead.get_by_role("heading", level=1)).to_have_text("History of ‘Context’")
    versions = lead.get_by_role("heading", level=2, name=re.compile(r"^Version \d"))
    expect(versions).to_have_count(3)
    expect(versions.first).to_contain_text("Version 3")
    expect(lead.get_by_text(LEAD_TEXT)).to_be_visible()
    expect(lead.get_by_text(PCM_TEXT)).to_be_visible()
    axe_check(lead)
    lead.get_by_role("button", name="Put this version back (version 2)").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text(
        "Version 2 of ‘Context’ is back, saved as version 4"
    )
    axe_check(lead)
    assert written_for(x.d).paragraphs.get(key="context").text == PCM_TEXT
