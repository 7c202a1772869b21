"""What keeps a session signed in, in a browser (with the idle warning, issue 23): the person
typing or clicking does, though it makes no request of its own; a page's polls do not.

The idle limit is cut to LIMIT_S seconds (as in test_idle_warning.py), so the script posts its
quiet keep-alive at most every LIMIT_S / 4 seconds while someone types, and warns at half the
limit.
"""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT_S = 12
WARNING = "You will be signed out soon"
KEEP_ALIVE = "/session/keep-alive/"


@pytest.fixture
def short_limit(settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_IDLE_MINUTES = LIMIT_S / 60


def test_typing_keeps_the_session_though_it_makes_no_request(
    page: Page, world: World, short_limit: None
) -> None:
    page.goto("/account/")
    sign_in(page, "peer@example.org", PASSWORD)
    page.wait_for_url(re.compile(r"/account/$"))
    kept: list[int] = []
    page.on("response", lambda r: kept.append(r.status) if r.url.endswith(KEEP_ALIVE) else None)
    dialog = page.get_by_role("dialog", name=WARNING)
    # Someone at the keyboard for well past the limit (Tab, so nothing is sent or typed in).
    until = time.monotonic() + LIMIT_S * 1.5
    while time.monotonic() < until:
        page.keyboard.press("Tab")
        page.wait_for_timeout(700)
        expect(dialog).to_be_hidden(timeout=1)
    # Quietly kept alive a few times, never more than once in LIMIT_S / 4 seconds.
    assert 3 <= len(kept) <= 8 and set(kept) == {204}, kept
    page.reload()
    assert re.search(r"/account/$", page.url), page.url


def test_a_page_that_polls_still_warns_and_signs_out(
    page: Page, world: World, short_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The drafting board asks every second who else has it open, and every request but a poll
    # would restart the clock (not only those a minute after the last).
    monkeypatch.setattr("peerdiag.web.views.presence.POLL_SECONDS", 1)
    monkeypatch.setattr("peerdiag.accounts.session_timeout.TOUCH_EVERY_SECONDS", 0)
    board = reverse("web:drafting_board", args=[world.own.reference])
    page.goto(board)
    sign_in(page, "peer@example.org", PASSWORD)
    page.wait_for_url(re.compile(re.escape(board) + "$"))
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/presence/" in r.url else None)
    expect(page.get_by_role("dialog", name=WARNING)).to_be_visible(timeout=LIMIT_S * 1000)
    assert len(polls) >= 3, polls  # it polled all the while, and the warning came anyway
    page.wait_for_url(re.compile(r"/sign-in/\?next="), timeout=LIMIT_S * 1000)
