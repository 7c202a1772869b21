"""Issue 18, layout: actions with GOV.UK's separators, one warning button only where something
is destroyed, buttons that carry the GOV.UK typeface, full-width tables where they need it."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.diagnostics.enums import CouncilRoleKind
from tests.factories import CouncilRoleFactory, PersonFactory
from tests.findings.helpers import delivery
from tests.web.test_findings_pages import _two_strengths

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "peerdiag" / "web" / "templates"
REF = "RPD-2027-001"  # world.own
BUTTON = re.compile(r"<button\b[^>]*>", re.S)
# A <button> is drawn by GOV.UK Frontend (govuk-button, a component's own button) or looks like
# a link (pd-link-button, whose typeface app.css sets): anything else takes the browser's font.
STYLED = re.compile(r'class="[^"]*\b(govuk-button|pd-link-button|govuk-[a-z-]+__toggle)\b')


def _html(user, url: str) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def test_every_button_in_the_templates_is_styled():
    unstyled = [
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for tag in BUTTON.findall(path.read_text(encoding="utf-8"))
        if not STYLED.search(tag)
    ]
    assert unstyled == []


def test_the_check_finds_a_plain_button():
    assert not STYLED.search(BUTTON.findall('<form><button type="submit">Go</button></form>')[0])
    assert STYLED.search('<button class="pd-link-button govuk-link">')


@pytest.mark.django_db
def test_council_role_actions_are_a_list_with_separators(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(
        full_name="Nina Newcomer", email="nina@example.org", organisation=world.own.host_council
    )
    CouncilRoleFactory(diagnostic=world.own, person=person, role=CouncilRoleKind.PARTNER_REP)
    page = _html(world.pcm, reverse("web:council_roles", args=[REF]))
    row = next(r for r in page.split('class="govuk-summary-list__row')[1:] if "Nina" in r)
    actions = row.split('<ul class="govuk-summary-list__actions-list">')[1].split("</ul>")[0]
    items = actions.split('<li class="govuk-summary-list__actions-list-item">')[1:]
    assert len(items) == 2
    assert "Invite<span" in items[0] and "Remove<span" in items[1]


@pytest.mark.django_db
def test_the_drafting_board_has_no_warning_button(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s1, _ = _two_strengths(x)
    client = Client()
    client.force_login(x.lead)
    board = reverse("web:drafting_board", args=[x.d.reference])
    client.post(
        reverse("web:board_approve", args=[x.d.reference, s1.code]), {"version": s1.version}
    )
    page = re.sub(r"\s+", " ", unescape(client.get(board).content.decode()))
    # Withdrawing an approval destroys nothing: a secondary button, like moving an item.
    assert "Withdraw approval<span" in page
    assert "govuk-button--warning" not in page
    assert page.count("govuk-button--secondary") >= 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "name", "args"),
    [
        ("admin", "web:portfolio", []),
        ("pcm", "web:team", [REF]),
        ("pcm", "web:schedule_grid", [REF]),
    ],
)
def test_wide_tables_get_a_wide_page(world, who: str, name: str, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    page = _html(getattr(world, who), reverse(name, args=args))
    assert '<body class="govuk-template__body pd-wide">' in page


@pytest.mark.django_db
def test_an_ordinary_page_keeps_the_standard_width(world):  # type: ignore[no-untyped-def]
    page = _html(world.pcm, reverse("web:diagnostic_overview", args=[REF]))
    assert '<body class="govuk-template__body">' in page
