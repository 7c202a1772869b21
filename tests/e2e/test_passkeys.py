"""A peer challenge manager who must use two-factor sign-in adds a passkey and signs in with it.

Chromium's virtual authenticator (DevTools protocol, WebAuthn domain) stands in for a laptop's
fingerprint reader: it makes a real credential for the live server's origin and signs real
challenges, so the page's script and the server's checks both run for real. Every page visited
is checked with axe-core (see conftest).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from peerdiag.accounts.domain.reauth import CONFIRMED_SESSION_KEY
from peerdiag.accounts.domain.two_factor import register_requirement, unregister_requirement
from peerdiag.accounts.models import Passkey, User
from tests.conftest import World
from tests.e2e.conftest import axe_check
from tests.factories import PASSWORD

# The real rule for "confirm it is you" (other tests count every sign-in as recent).
pytestmark = pytest.mark.real_reauth


@pytest.fixture
def pcm_must_use_two_factor(world: World) -> Iterator[User]:
    def rule(user: User) -> bool:
        return user.pk == world.pcm.pk

    register_requirement(rule)
    try:
        yield world.pcm
    finally:
        unregister_requirement(rule)


def _virtual_authenticator(page: Page) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, made["authenticatorId"]


def _heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def _password(page: Page) -> None:
    page.get_by_label("E-mail address").fill("pcm@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_pcm_adds_a_passkey_and_signs_in_with_it(page: Page, pcm_must_use_two_factor: User) -> None:
    cdp, authenticator = _virtual_authenticator(page)

    # The password alone signs in, but every page leads to setting up a second factor.
    page.goto("/sign-in/")
    _password(page)
    page.wait_for_url(re.compile(r"/account/two-factor/$"))
    expect(_heading(page)).to_have_text("Set up two-factor sign-in")
    axe_check(page)
    page.get_by_role("link", name="Add a passkey instead of an app").click()
    page.wait_for_url(re.compile(r"/account/two-factor/passkeys/add/$"))
    expect(_heading(page)).to_have_text("Add a passkey")
    # The script found WebAuthn: the form shows and the note for browsers without it does not.
    expect(page.get_by_text("your browser needs JavaScript turned on")).to_be_hidden()
    axe_check(page)

    # No name first: the GOV.UK error summary, and no passkey made.
    page.get_by_role("button", name="Add passkey").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Enter a name for the passkey"
        )
    ).to_be_visible()
    axe_check(page)
    assert (
        cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"] == []
    )

    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(_heading(page)).to_have_text("Two-factor sign-in is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe_check(page)
    made = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(made) == 1
    passkey = Passkey.objects.get(user=pcm_must_use_two_factor)
    assert passkey.name == "Work laptop" and passkey.last_used_at is None
    page.get_by_role("button", name="I have stored my codes – continue").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(_heading(page)).to_have_text("My diagnostics")

    # The account page lists it, with a way to remove it.
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(re.compile(r"/account/$"))
    expect(page.locator(".govuk-tag")).to_have_text("On")
    expect(page.locator("#passkeys")).to_contain_text("Work laptop")
    expect(page.get_by_role("link", name="Remove passkey Work laptop")).to_be_visible()
    axe_check(page)

    # Signing out and in again: the password, then the passkey.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/$"))
    _password(page)
    page.wait_for_url(re.compile(r"/sign-in/code/$"))
    expect(_heading(page)).to_have_text("Use your passkey")
    axe_check(page)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(re.compile(r"/$"))
    # A page only someone with a second factor reaches.
    expect(_heading(page)).to_have_text("My diagnostics")
    axe_check(page)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    # An hour later, making an API token asks again: the password and the passkey.
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[CONFIRMED_SESSION_KEY] = time.time() - 60 * 60
    session.save()
    page.goto("/account/api-tokens/new/")
    page.wait_for_url(re.compile(r"/account/confirm-password/\?next="))
    expect(_heading(page)).to_have_text("Confirm it is you")
    axe_check(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue with your passkey").click()
    page.wait_for_url(re.compile(r"/account/api-tokens/new/$"))
    expect(_heading(page)).to_have_text("Make a new API token")


def test_without_the_passkey_the_recovery_code_still_signs_in(
    page: Page, pcm_must_use_two_factor: User
) -> None:
    """The other way in, for a person whose passkey is on a laptop left at home."""
    _virtual_authenticator(page)
    page.goto("/account/two-factor/passkeys/add/")
    _password(page)
    page.wait_for_url(re.compile(r"/account/two-factor/passkeys/add/$"))
    page.get_by_label("Name this passkey").fill("Home laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(_heading(page)).to_have_text("Two-factor sign-in is on")
    code = page.locator("#recovery-codes li").first.inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/$"))

    # A new browser context: no authenticator in it at all.
    other = page.context.browser.new_context(base_url=page.url.split("/sign-in/")[0])  # type: ignore[union-attr]
    try:
        p2 = other.new_page()
        p2.goto("/sign-in/")
        _password(p2)
        p2.wait_for_url(re.compile(r"/sign-in/code/$"))
        p2.get_by_text("I cannot use my passkey").click()
        p2.get_by_label("Recovery code").fill(code)
        p2.get_by_role("button", name="Continue").click()
        p2.wait_for_url(re.compile(r"/$"))
        expect(_heading(p2)).to_have_text("My diagnostics")
        axe_check(p2)
    finally:
        other.close()
