"""Single sign-on in the browser (issue 22): signing in through a real OpenID provider's own
login page, signing out of it too, and a refused sign-in.

The provider is panva's `oidc-provider` (tests/sso/provider.mjs, started by tests/sso/conftest.py's
`running_provider`) on loopback; it accepts our callback on localhost at any port, so the live
server's callback is allowed. peerdiag's provider list is set with pytest-django's `settings`,
which the live server (a thread of this process) reads at each request: the button on the
sign-in page shows it took effect. Every peerdiag page visited is checked with axe-core (WCAG
2.2 AA, see conftest) and has exactly one non-empty <h1>.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import is_password_usable
from playwright.sync_api import Page, expect

from peerdiag.accounts.domain.invitations import invite
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import Invitation, User
from peerdiag.web.views.sso import SSO_SESSION_KEY
from tests.e2e.conftest import axe_check
from tests.factories import PASSWORD
from tests.sso.conftest import CALLBACK_PATH, Provider, running_provider

BUTTON = "Sign in with your council account"
PROVIDER_LOGIN_HEADING = "Sign in to the test identity provider"
PROVIDER_LOGOUT_HEADING = "Sign out of the test identity provider"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The test OpenID provider, once for this module (skips when oidc-provider is missing)."""
    with running_provider(tmp_path_factory.mktemp("oidc-provider-e2e")) as running:
        yield running


@pytest.fixture
def sso(provider: Provider, live_server: Any, settings: Any) -> Provider:
    """peerdiag configured with the test provider (key "test", trusted for council.test)."""
    settings.PEERDIAG_SSO_PROVIDERS = [provider.settings_entry()]
    return provider


def _one_h1(page: Page, text: str) -> None:
    """The page has exactly one <h1>, and it says `text`."""
    headings = page.locator("h1")
    expect(headings).to_have_count(1)
    expect(headings).to_have_text(text)
    assert headings.inner_text().strip(), f"empty <h1> on {page.url}"


def _session(page: Page) -> dict[str, Any]:
    """The browser's peerdiag session, as the live server stored it."""
    name = django_settings.SESSION_COOKIE_NAME
    key = next(c["value"] for c in page.context.cookies() if c["name"] == name)
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
    return dict(store.load())


def _on_provider(provider: Provider, url: str) -> bool:
    return urlsplit(url).netloc == urlsplit(provider.issuer).netloc


def _sign_in_page_with_button(page: Page) -> None:
    page.goto("/sign-in/")
    _one_h1(page, "Sign in to peerdiag")
    expect(page.get_by_role("button", name=BUTTON)).to_have_attribute("href", "/sign-in/sso/test/")


def _through_provider(
    page: Page, provider: Provider, *, email: str, amr: str, keyboard: bool = False
) -> None:
    """From peerdiag's sign-in page: the button (clicked, or with the space bar as a keyboard
    user would: it is a link made to look like a button), then the provider's login form."""
    button = page.get_by_role("button", name=BUTTON)
    if keyboard:
        button.focus()
        page.keyboard.press("Space")
    else:
        button.click()
    page.wait_for_url(lambda url: _on_provider(provider, url) and "/interaction/" in url)
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_LOGIN_HEADING)
    page.get_by_label("Email address", exact=True).fill(email)
    expect(page.get_by_label("Email address verified")).to_be_checked()
    page.get_by_label("Full name").fill("Bea Brown")
    page.get_by_label("Authentication methods (amr), comma separated").fill(amr)
    page.get_by_role("button", name="Sign in").click()


def test_an_invited_person_signs_in_through_the_providers_login_page(
    page: Page, sso: Provider, live_server: Any
) -> None:
    admin = User.objects.create_user(email="admin@example.org", password=PASSWORD, is_staff=True)
    bea = User.objects.create_user(email="bea@council.test", password=None, is_active=False)
    invite(bea, by=admin, site_url=live_server.url)

    # The sign-in page offers the provider (so the live server sees the overridden setting).
    _sign_in_page_with_button(page)
    axe_check(page)

    _through_provider(page, sso, email="bea@council.test", amr="pwd,mfa")
    page.wait_for_url(f"{live_server.url}/")
    _one_h1(page, "My diagnostics")
    axe_check(page)

    # The invitation is accepted: the login is on, without a password, the invitation used.
    bea.refresh_from_db()
    assert bea.is_active
    assert not is_password_usable(bea.password)
    assert Invitation.objects.get(user=bea).used_at is not None
    assert User.objects.filter(email__iexact="bea@council.test").count() == 1
    # Signed in as her, through the provider, and "mfa" in amr counts as two-factor.
    session = _session(page)
    assert session["_auth_user_id"] == str(bea.pk)
    assert session[SSO_SESSION_KEY]["provider"] == "test"
    assert session[VERIFIED_SESSION_KEY] is True


def test_signing_out_offers_to_sign_out_of_the_provider_too(
    page: Page, sso: Provider, live_server: Any
) -> None:
    cal = User.objects.create_user(email="cal@council.test", password=PASSWORD)
    _sign_in_page_with_button(page)
    _through_provider(page, sso, email="cal@council.test", amr="pwd")
    page.wait_for_url(f"{live_server.url}/")
    _one_h1(page, "My diagnostics")
    # A password alone at the provider: signed in, but not as two-factor.
    session = _session(page)
    assert session["_auth_user_id"] == str(cal.pk)
    assert session.get(VERIFIED_SESSION_KEY) is not True

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signed-out/$"))
    _one_h1(page, "You are signed out of peerdiag")
    expect(page).to_have_title(re.compile(r"^You are signed out"))
    axe_check(page)
    also = page.get_by_role("link", name="Also sign out of your council account")
    href = also.get_attribute("href") or ""
    assert href.startswith(sso.end_session_url() + "?"), href
    query = parse_qs(urlsplit(href).query)
    assert query["client_id"] == [sso.client_id]
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/sign-in/"]
    assert query["id_token_hint"][0].count(".") == 2  # a JWT

    # Following the link reaches the provider's own confirmation; yes brings us back.
    also.click()
    page.wait_for_url(lambda url: _on_provider(sso, url))
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_LOGOUT_HEADING)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    _one_h1(page, "Sign in to peerdiag")
    # peerdiag's session has ended.
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/\?next=/$"))

    # Signed out at the provider as well: it asks who you are again.
    page.get_by_role("button", name=BUTTON).click()
    page.wait_for_url(lambda url: _on_provider(sso, url) and "/interaction/" in url)
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_LOGIN_HEADING)


def test_an_address_nobody_invited_is_refused(page: Page, sso: Provider, live_server: Any) -> None:
    before = User.objects.count()
    page.problems.expected.add(CALLBACK_PATH)  # type: ignore[attr-defined]  # a 403 page
    _sign_in_page_with_button(page)
    _through_provider(page, sso, email="nobody@council.test", amr="pwd", keyboard=True)
    page.wait_for_url(re.compile(re.escape(f"{live_server.url}{CALLBACK_PATH}") + r"\?"))
    _one_h1(page, "You could not be signed in")
    expect(page).to_have_title(re.compile(r"^You could not be signed in"))
    expect(page.locator("#sso-refusal-reason")).to_contain_text(
        "There is no peerdiag account for nobody@council.test"
    )
    axe_check(page)
    assert User.objects.count() == before

    # Not signed in; the way back is the sign-in page.
    page.get_by_role("link", name="Go back to sign in").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/\?next=/$"))
