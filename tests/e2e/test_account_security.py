"""API tokens behind re-authentication, in a browser: make one, use it, revoke it.

The peer challenge manager has an authenticator app, signed in a while ago (the session's
confirmation is aged past the limit), so making a token first asks for the password and a
code. Every page on the way is checked with axe-core (see conftest).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import Page, expect

from peerdiag.accounts.domain.reauth import CONFIRMED_SESSION_KEY
from peerdiag.accounts.models import ApiToken
from tests.accounts.helpers import set_up_app
from tests.conftest import World
from tests.e2e.conftest import axe_check
from tests.factories import PASSWORD

# The real rule: other tests count every sign-in as recent (tests/conftest.py).
pytestmark = pytest.mark.real_reauth

TOKEN_NAME = "Weekly export"
REFUSED = "Send a valid API token in the header 'Authorization: Bearer <token>'"


def _heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def _sign_in_with_code(page: Page, app: pyotp.TOTP) -> None:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill("pcm@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/sign-in/code/$"))
    page.get_by_label("Code", exact=True).fill(app.now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/$"))


def _sign_in_long_ago(page: Page) -> None:
    """Move the session's last proof of identity an hour back, as if signed in long ago."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    assert session[CONFIRMED_SESSION_KEY] > time.time() - 60
    session[CONFIRMED_SESSION_KEY] = time.time() - 60 * 60
    session.save()


def _me(page: Page, raw: str) -> Any:
    return page.request.get("/api/me", headers={"Authorization": f"Bearer {raw}"})


def test_making_using_and_revoking_a_token_after_confirming_it_is_you(
    page: Page, world: World
) -> None:
    app, _ = set_up_app(world.pcm)
    _sign_in_with_code(page, app)
    _sign_in_long_ago(page)

    # The list is open to read; making a token asks who you are first.
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="See, make and revoke your API tokens").click()
    page.wait_for_url(re.compile(r"/account/api-tokens/$"))
    expect(_heading(page)).to_have_text("API tokens")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Make a new token").click()
    page.wait_for_url(re.compile(r"/account/confirm-password/\?next=%2Faccount%2Fapi-tokens%2Fnew"))
    expect(_heading(page)).to_have_text("Confirm it is you")
    expect(
        page.get_by_text("needs your password and a code from your authenticator app")
    ).to_be_visible()
    axe_check(page)

    # A wrong password: the GOV.UK error summary, focused, naming the field; nothing confirmed.
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Code", exact=True).fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: Confirm it is you"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="The password is not right")).to_have_attribute(
        "href", "#id_password"
    )
    axe_check(page)

    # The right password and a fresh code (the code signing in used is refused once used).
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code", exact=True).fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/account/api-tokens/new/$"))
    expect(_heading(page)).to_have_text("Make a new API token")

    # The token, shown this once.
    page.get_by_label("Name").fill(TOKEN_NAME)
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Your new API token")
    raw = page.locator("[data-token]").inner_text().strip()
    assert re.fullmatch(r"pd_[A-Za-z0-9_-]{40,}", raw), raw
    axe_check(page)
    page.get_by_role("link", name="Back to API tokens").first.click()
    page.wait_for_url(re.compile(r"/account/api-tokens/$"))
    listed = page.locator("table.govuk-table")
    expect(listed).to_contain_text(TOKEN_NAME)
    expect(listed).to_contain_text(f"pd_{raw[3:11]}…")
    assert raw not in page.content()
    page.reload()
    assert raw not in page.content()
    axe_check(page)

    # It works against the API.
    ok = _me(page, raw)
    assert ok.status == 200
    assert ok.headers["content-type"].startswith("application/json")
    assert ok.json()["email"] == "pcm@example.org"

    # Revoking asks first; then the API refuses the token.
    page.get_by_role("link", name=f"Revoke {TOKEN_NAME}").click()
    page.wait_for_url(re.compile(r"/account/api-tokens/[^/]+/revoke/$"))
    expect(_heading(page)).to_have_text(f"Revoke the token “{TOKEN_NAME}”?")
    axe_check(page)
    assert ApiToken.objects.get(user=world.pcm).revoked_at is None
    page.get_by_role("button", name="Revoke the token").click()
    page.wait_for_url(re.compile(r"/account/api-tokens/$"))
    expect(
        page.get_by_text(f"The token “{TOKEN_NAME}” is revoked and no longer works")
    ).to_be_visible()
    expect(listed.locator(".govuk-tag")).to_have_text(re.compile(r"^Revoked "))
    axe_check(page)
    token = ApiToken.objects.get(user=world.pcm)
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
    refused = _me(page, raw)
    assert (refused.status, refused.json()["detail"]) == (401, REFUSED)
