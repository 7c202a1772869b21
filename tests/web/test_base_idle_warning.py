"""web/base.html and the idle warning: a signed-in page carries the warning dialog (closed),
which tells the script the idle limit and the time left; a page for someone signed out has no
warning. <body> is left as it was (other tests read it whole)."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from peerdiag.accounts.session_timeout import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

OPEN_TAG = re.compile(r"<dialog\b[^>]*>")
DIALOG = re.compile(r"<dialog\b.*?</dialog>", re.S)


def _page(client: Client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.content.decode()


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _dialog_tag(html: str) -> str:
    found = OPEN_TAG.findall(html)
    assert len(found) == 1, found
    return str(found[0])


def test_a_signed_in_page_says_the_limit_and_the_time_left(world):
    tag = _dialog_tag(_page(_signed_in(world.peer), "/account/"))
    assert 'data-idle-seconds="1800"' in tag
    left = re.search(r'data-idle-seconds-left="(\d+)"', tag)
    assert left is not None and 1790 <= int(left.group(1)) <= 1800


def test_the_time_left_is_what_the_session_has_left(world):
    c = _signed_in(world.peer)
    session = c.session
    session[LAST_SEEN_KEY] = time.time() - 40  # under a minute: the page leaves the clock
    session.save()
    left = re.search(r'data-idle-seconds-left="(\d+)"', _dialog_tag(_page(c, "/")))
    assert left is not None and 1755 <= int(left.group(1)) <= 1761


def test_the_limit_follows_the_setting(world, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_IDLE_MINUTES = 5
    assert 'data-idle-seconds="300"' in _dialog_tag(_page(_signed_in(world.peer), "/"))


def test_a_signed_in_page_carries_the_closed_warning(world):
    found = DIALOG.findall(_page(_signed_in(world.pcm), "/"))
    assert len(found) == 1
    dialog = found[0]
    assert " open" not in dialog.split(">", 1)[0]
    assert 'aria-labelledby="idle-warning-heading"' in dialog
    heading = (
        '<h2 class="govuk-heading-m" id="idle-warning-heading">You will be signed out soon</h2>'
    )
    assert heading in dialog
    assert "you will be signed out in <span data-idle-countdown>" in dialog
    assert "Anything you have not saved will be lost." in dialog
    assert 'aria-live="polite"' in dialog
    assert 'data-keep-alive-url="/session/keep-alive/"' in dialog
    assert 'data-sign-in-url="/sign-in/"' in dialog
    assert re.search(
        r'<button type="button" class="govuk-button"[^>]*>Stay signed in</button>', dialog
    )
    # Signing out is a POST, as in the header.
    assert '<form method="post" action="/sign-out/"' in dialog
    assert 'name="csrfmiddlewaretoken"' in dialog
    assert re.search(r'<button type="submit" class="pd-link-button">Sign out</button>', dialog)


@pytest.mark.parametrize("url", ["/sign-in/", "/accessibility/", "/password-reset/"])
def test_pages_for_someone_signed_out_have_no_warning(url):
    html = _page(Client(), url)
    assert "data-idle" not in html
    assert "<dialog" not in html
    assert "You will be signed out soon" not in html
