"""The warning before the idle sign-out (WCAG 2.2, 2.2.1 Timing adjustable), in a browser.

The idle limit is cut to LIMIT_S seconds, so the warning opens after half of it (the script
warns two minutes before the end, or at half the limit when that is shorter). One test stays
signed in, with the button and then with Escape, and checks the server kept the session past
its first end; the other lets the time run out, on a phone-sized screen, and lands on the
sign-in page that says why.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.test_layout_responsive import overflow
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT_S = 12
WARNING = "You will be signed out soon"
KEEP_ALIVE = "/session/keep-alive/"
IN_DIALOG = "document.activeElement?.closest('dialog[data-idle-warning]') !== null"


@pytest.fixture
def short_limit(settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_IDLE_MINUTES = LIMIT_S / 60


def _signed_in_on_account_page(page: Page) -> float:
    """Sign in as the lead peer by way of their account page; when the idle clock started."""
    page.goto("/account/")
    sign_in(page, "peer@example.org", PASSWORD)
    started = time.monotonic()
    page.wait_for_url(re.compile(r"/account/$"))
    return started


def test_staying_signed_in_keeps_the_session_past_its_first_end(
    page: Page, world: World, short_limit: None
) -> None:
    started = _signed_in_on_account_page(page)
    dialog = page.get_by_role("dialog", name=WARNING)
    expect(dialog).to_be_hidden()
    your_account = page.get_by_role("link", name="Your account")
    your_account.focus()

    expect(dialog).to_be_visible(timeout=LIMIT_S * 1000)
    assert page.evaluate(IN_DIALOG), "focus should move into the dialog"
    expect(dialog).to_contain_text("Anything you have not saved will be lost.")
    axe_check(page)
    with page.expect_response(lambda r: r.url.endswith(KEEP_ALIVE)) as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(dialog).to_be_hidden()
    expect(your_account).to_be_focused()

    # Past the end the session had before "Stay signed in", a page that needs sign-in opens.
    page.wait_for_timeout(max(0.0, started + LIMIT_S + 1 - time.monotonic()) * 1000)
    page.reload()
    assert re.search(r"/account/$", page.url), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

    # Escape counts as "Stay signed in" too.
    expect(dialog).to_be_visible(timeout=LIMIT_S * 1000)
    with page.expect_response(lambda r: r.url.endswith(KEEP_ALIVE)) as answer:
        page.keyboard.press("Escape")
    assert answer.value.status == 204
    expect(dialog).to_be_hidden()


def test_when_the_time_runs_out_the_sign_in_page_says_why(
    page: Page, world: World, short_limit: None
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    _signed_in_on_account_page(page)
    dialog = page.get_by_role("dialog", name=WARNING)
    expect(dialog).to_be_visible(timeout=LIMIT_S * 1000)
    expect(dialog).to_contain_text("you will be signed out in less than a minute")
    found = overflow(page)
    assert found["scrollWidth"] <= found["innerWidth"], found["offenders"]
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320

    page.wait_for_url(re.compile(r"/sign-in/\?next=%2Faccount%2F$"), timeout=LIMIT_S * 1000)
    expect(
        page.get_by_text("You were signed out because peerdiag was not used for")
    ).to_be_visible()
    # Signed out on the server too, not only in this tab.
    page.goto("/account/")
    assert "/sign-in/" in page.url
