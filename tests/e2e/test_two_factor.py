"""A peer challenge manager who must use two-factor sign-in sets it up and signs in with it.

Every page visited is checked with axe-core (see conftest). The code is worked out from the key
the set-up page shows as its text alternative to the QR code, as a person without a camera would.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from django.core.handlers.base import BaseHandler
from playwright.sync_api import Page, expect

from peerdiag.accounts.domain.two_factor import register_requirement, unregister_requirement
from peerdiag.accounts.models import User
from tests.conftest import World
from tests.e2e.conftest import axe_check
from tests.factories import PASSWORD

MIDDLEWARE = "peerdiag.accounts.middleware.TwoFactorMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def _reload_middleware(live_server: Any) -> None:
    # The live server built its handler when it started; rebuild the middleware chain so it
    # follows settings.MIDDLEWARE as this test has it.
    app = live_server.thread.httpd.get_app()
    while app is not None:
        if isinstance(app, BaseHandler):
            app.load_middleware()
        app = getattr(app, "application", None)


@pytest.fixture
def pcm_must_use_two_factor(world: World, live_server: Any, settings: Any) -> Iterator[User]:
    def rule(user: User) -> bool:
        return user.pk == world.pcm.pk

    register_requirement(rule)
    original = list(settings.MIDDLEWARE)
    # Until settings.MIDDLEWARE lists the middleware, put it in for this test alone.
    added = MIDDLEWARE not in original
    if added:
        at = original.index(AUTH_MIDDLEWARE) + 1
        settings.MIDDLEWARE = [*original[:at], MIDDLEWARE, *original[at:]]
        _reload_middleware(live_server)
    try:
        yield world.pcm
    finally:
        unregister_requirement(rule)
        if added:
            settings.MIDDLEWARE = original
            _reload_middleware(live_server)


def _code_no_step_near_now_makes(app: pyotp.TOTP) -> str:
    near = {app.at(time.time(), counter_offset=k) for k in range(-2, 3)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near
    )


def _heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def test_pcm_sets_up_two_factor_sign_in_and_signs_in_with_a_code(
    page: Page, pcm_must_use_two_factor: User
) -> None:
    # The password alone signs in, but every page leads to setting up the app.
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/\?next=/$"))
    axe_check(page)
    page.get_by_label("E-mail address").fill("pcm@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/account/two-factor/$"))
    expect(_heading(page)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Diagnostics").click()
    page.wait_for_url(re.compile(r"/account/two-factor/$"))

    # A wrong code first: the GOV.UK error summary, then the code the key gives.
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret), secret
    app = pyotp.TOTP(secret.replace(" ", ""))
    code_box = page.get_by_label("Enter the 6-digit code your app shows")
    code_box.fill("12345")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_role("link", name="The code must be 6 digits, like 123456")
    ).to_be_visible()
    axe_check(page)
    code_box.fill(app.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    # The recovery codes, shown this once.
    expect(_heading(page)).to_have_text("Two-factor sign-in is on")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[2-9a-z]{5}-[2-9a-z]{5}$"))
    axe_check(page)
    page.get_by_role("button", name="I have stored my codes – continue").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(_heading(page)).to_have_text("My diagnostics")
    axe_check(page)

    # The account page says it is on; new recovery codes are asked for first.
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(re.compile(r"/account/$"))
    expect(_heading(page)).to_have_text("Your account")
    expect(page.locator(".govuk-tag")).to_have_text("On")
    axe_check(page)
    page.get_by_role("link", name="Get new recovery codes").click()
    page.wait_for_url(re.compile(r"/account/two-factor/recovery-codes/$"))
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Get new codes").click()
    expect(_heading(page)).to_have_text("Your new recovery codes")
    expect(codes).to_have_count(10)
    axe_check(page)

    # Signing out and in again: the password, then a code.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/$"))
    page.get_by_label("E-mail address").fill("pcm@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/sign-in/code/$"))
    expect(_heading(page)).to_have_text("Enter your code")
    axe_check(page)
    page.get_by_label("Code", exact=True).fill(_code_no_step_near_now_makes(app))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: Enter your code"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe_check(page)
    # The code of the next time step: the one used at set-up may still be current, and a code
    # is accepted once only, but the step after is within the tolerance.
    page.get_by_label("Code", exact=True).fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(_heading(page)).to_have_text("My diagnostics")
    axe_check(page)
