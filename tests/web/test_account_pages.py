"""The account pages: status, setting up the authenticator app, new recovery codes."""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from django.test import Client

from peerdiag.accounts.domain import two_factor
from peerdiag.accounts.models import RecoveryCode, TotpDevice
from tests.accounts.helpers import set_up_app

pytestmark = pytest.mark.django_db

SET_UP = "/account/two-factor/"
CODES = "/account/two-factor/recovery-codes/"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _codes_on(page: str) -> list[str]:
    listed = re.search(r'<ul [^>]*id="recovery-codes">(.*?)</ul>', page, re.S)
    assert listed is not None
    return re.findall(r"<li><code>([^<]+)</code></li>", listed.group(1))


def test_account_page_says_who_you_are_and_that_two_factor_is_off(world):
    page = _client(world.sponsor).get("/account/").content.decode()
    assert '<dd class="govuk-summary-list__value">sponsor@example.org</dd>' in page
    assert '<dd class="govuk-summary-list__value">Council A<br>Head of service</dd>' in page
    assert '<strong class="govuk-tag govuk-tag--grey">Off</strong>' in page
    assert f'href="{SET_UP}">Set up two-factor sign-in</a>' in page
    assert (
        '<a class="govuk-service-navigation__link" href="/account/" aria-current="page">'
        "Your account</a>" in page
    )


def test_account_page_with_an_app_counts_the_recovery_codes_left(world):
    _, codes = set_up_app(world.peer)
    two_factor.verify_second_factor(world.peer, code=codes[0])
    page = _client(world.peer).get("/account/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">On</strong>' in page
    assert "9 recovery codes left." in page
    assert f'href="{CODES}">Get new recovery codes</a>' in page


def test_set_up_page_shows_the_qr_code_and_its_text_alternative(world):
    c = _client(world.pcm)
    page = c.get(SET_UP).content.decode()
    device = TotpDevice.objects.get(user=world.pcm)
    grouped = " ".join(device.secret[i : i + 4] for i in range(0, 32, 4))
    uri = f"otpauth://totp/peerdiag:pcm%40example.org?secret={device.secret}&issuer=peerdiag"
    assert (
        '<svg width="200" height="200" role="img" focusable="false" '
        'aria-label="QR code for your authenticator app"' in page
    )
    assert f'<code id="totp-secret">{grouped}</code>' in page
    assert f'<a class="govuk-link" href="{html.escape(uri)}">' in page
    # Loading the page again shows the same key: the app may have scanned it already.
    assert f'<code id="totp-secret">{grouped}</code>' in c.get(SET_UP).content.decode()
    assert TotpDevice.objects.filter(user=world.pcm).count() == 1


def test_a_wrong_first_code_shows_the_error_summary(world):
    c = _client(world.pcm)
    c.get(SET_UP)
    r = c.post(SET_UP, {"code": "12ab"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "<title>Error: Set up two-factor sign-in – peerdiag</title>" in page
    assert '<li><a href="#id_code">The code must be 6 digits, like 123456</a></li>' in page
    assert not two_factor.has_confirmed_device(world.pcm)


def test_the_right_first_code_turns_it_on_and_shows_the_recovery_codes_once(world):
    c = _client(world.pcm)
    c.get(SET_UP)
    app = pyotp.TOTP(TotpDevice.objects.get(user=world.pcm).secret)
    r = c.post(SET_UP, {"code": app.now()})
    page = r.content.decode()
    assert r.status_code == 200
    assert '<h1 class="govuk-panel__title">Two-factor sign-in is on</h1>' in page
    assert "This is the only time these codes are shown." in page
    shown = _codes_on(page)
    assert len(shown) == 10
    assert set(RecoveryCode.objects.filter(user=world.pcm).values_list("code_hash", flat=True)) == {
        RecoveryCode.hash_code(code) for code in shown
    }
    assert c.session["two_factor_verified"] is True
    assert r["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    # Afterwards the set-up page points to the account page instead of showing codes again.
    again = c.get(SET_UP)
    assert again["Location"] == "/account/"


def test_new_recovery_codes_are_asked_for_then_replace_the_old_ones(world):
    _, old = set_up_app(world.pcm)
    c = _client(world.pcm)
    ask = c.get(CODES).content.decode()
    assert "You have 10 unused recovery codes." in ask
    assert "New codes replace all your current ones, which stop working at once." in ask
    assert RecoveryCode.objects.filter(user=world.pcm).count() == 10
    r = c.post(CODES)
    page = r.content.decode()
    assert '<h1 class="govuk-heading-l">Your new recovery codes</h1>' in page
    new = _codes_on(page)
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.verify_second_factor(world.pcm, code=old[0]) is False
    assert two_factor.verify_second_factor(world.pcm, code=new[0]) is True


def test_new_recovery_codes_without_an_app_go_to_set_up(world):
    c = _client(world.pcm)
    assert c.get(CODES)["Location"] == SET_UP
    assert c.post(CODES)["Location"] == SET_UP
    assert RecoveryCode.objects.count() == 0
