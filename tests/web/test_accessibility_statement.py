"""The accessibility statement (issue 23): public, in the model statement's order, and linked
from the footer of every page, signed in or not."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/accessibility/"
# The model statement's sections (PSBAR 2018), in the order it gives them.
SECTIONS = [
    "Accessibility statement for peerdiag",
    "How accessible this service is",
    "What to do if you cannot use parts of this service",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we are doing to improve accessibility",
    "Preparation of this accessibility statement",
]
FOOTER_LINK = re.compile(
    r'<footer class="govuk-footer">.*?<a class="govuk-footer__link" href="/accessibility/">'
    r"Accessibility statement</a>.*?</footer>",
    re.S,
)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(html))


def _headings(html: str) -> list[str]:
    return [
        _text(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)
    ]


def test_the_statement_is_public_and_follows_the_model_statement() -> None:
    assert reverse("web:accessibility") == URL
    response = Client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    headings = [h for h in _headings(html) if h in SECTIONS]
    assert headings == SECTIONS
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    text = _text(html)
    assert "<title>Accessibility statement – peerdiag</title>" in text
    prose = re.sub(r"<[^>]+>", "", text)
    assert (
        "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA"
        " standard" in prose
    )
    assert "Equality and Human Rights Commission (EHRC)" in prose
    assert "Equality Commission for Northern Ireland (ECNI)" in prose
    assert "This statement was prepared on 7 December 2026." in prose
    assert "last tested on 7 December 2026" in prose
    for how in ("axe-core", "320 CSS pixels", "keyboard-only tests"):
        assert how in prose, how


def test_the_contact_is_the_configured_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCESSIBILITY_CONTACT = "mailto:access@example.org"
    text = _text(Client().get(URL).content.decode())
    assert 'href="mailto:access@example.org">access@example.org</a>' in text
    assert "reply within 5 working days" in text


def test_a_signed_in_person_sees_the_same_page(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.sponsor)
    signed_in = client.get(URL).content.decode()
    # The same statement, inside the signed-in layout (its menu and sign-out button, and the
    # closed idle warning, whose heading belongs to the layout, not the statement).
    assert "Sign out" in signed_in
    layout_only = re.sub(r"<dialog\b.*?</dialog>", "", signed_in, flags=re.S)
    assert _headings(layout_only) == _headings(Client().get(URL).content.decode())


def test_only_reading_is_allowed() -> None:
    assert Client().post(URL).status_code == 405


@pytest.mark.parametrize("who", ["anon", "pcm", "sponsor"])
def test_every_page_links_to_the_statement_from_its_footer(world, who: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    if who != "anon":
        client.force_login(getattr(world, who))
    pages = [reverse("web:login"), reverse("web:password_reset"), URL]
    if who != "anon":
        pages = [
            reverse("web:dashboard"),
            reverse("web:account"),
            f"/diagnostics/{world.own.reference}/",
        ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert FOOTER_LINK.search(response.content.decode()), path


def test_someone_who_must_still_set_up_two_factor_can_read_it(monkeypatch):
    """The statement is exempt from the two-factor set-up redirect; other pages are not."""
    from peerdiag.accounts.domain import two_factor
    from tests.factories import UserFactory

    monkeypatch.setattr(two_factor, "_requirements", [two_factor.is_administrator])
    client = Client()
    client.force_login(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
    assert client.get(reverse("web:dashboard"))["Location"] == reverse("web:two_factor_setup")
    page = client.get(URL)
    assert page.status_code == 200
    assert "Accessibility statement for peerdiag" in page.content.decode()
