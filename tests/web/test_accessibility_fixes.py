"""Issue 23, the named fixes: a heading on the KLOE change page, autocomplete on names and
codes, links only to pages their reader may open, a start-button link that Space presses,
a title per finding, and no Django default error on the details page.

The demo-wide check that no link on the overview or timetable pages answers 403, for each
demo account, is tests/demo/loaded/test_links_each_role_may_use.py (it shares the loaded demo).
"""

from __future__ import annotations

from html import unescape
from urllib.parse import urldefrag

import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.findings.domain.findings import add_finding
from peerdiag.web.forms.auth import ChoosePasswordForm
from tests.accounts.helpers import set_up_app
from tests.casereview.helpers import add_auditor, make_review
from tests.documents.helpers import supplied
from tests.factories import PASSWORD, KloeFactory
from tests.findings.helpers import delivery

pytestmark = pytest.mark.django_db
REF = "RPD-2027-001"  # world.own


def _client(user, *, two_factor: bool = False) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    if two_factor:
        session = client.session
        session[VERIFIED_SESSION_KEY] = True
        session.save()
    return client


def _page(client: Client, url: str, data: dict | None = None) -> lxml.html.HtmlElement:  # type: ignore[type-arg]
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content.decode())


def _input(page: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement:
    (box,) = page.xpath(f'//input[@name="{name}"]')
    return box


# 1. The KLOE change page has a heading -----------------------------------------------------


def test_the_kloe_change_page_has_a_heading_naming_the_kloe(world):  # type: ignore[no-untyped-def]
    kloe = KloeFactory(diagnostic=world.own, order=2, text="How well do leaders know?")
    page = _page(_client(world.pcm), reverse("web:kloe_edit", args=[REF, kloe.code]))
    (h1,) = page.xpath("//h1")
    assert h1.text_content().strip() == "Change key line of enquiry 2"
    assert page.findtext(".//title").startswith(f"Change key line of enquiry 2 {REF}")


# 2. Autocomplete on the typed name and the two-factor codes (WCAG 1.3.5) ------------------


def test_the_typed_name_on_the_confidentiality_page_is_a_name(world):  # type: ignore[no-untyped-def]
    set_confidentiality(
        world.own, by=world.sponsor, required=True, text="Keep it private.", version=UNCHECKED
    )
    page = _page(_client(world.peer), reverse("web:confidentiality", args=[REF]))
    assert _input(page, "typed_name").get("autocomplete") == "name"


def test_the_set_up_code_is_a_numeric_one_time_code(world):  # type: ignore[no-untyped-def]
    page = _page(_client(world.pcm), reverse("web:two_factor_setup"))
    code = _input(page, "code")
    assert code.get("autocomplete") == "one-time-code"
    assert code.get("inputmode") == "numeric"


def test_the_sign_in_and_reauth_codes_are_one_time_codes(world):  # type: ignore[no-untyped-def]
    set_up_app(world.pcm)
    client = Client()
    client.post(reverse("web:login"), {"username": world.pcm.email, "password": PASSWORD})
    sign_in = _input(_page(client, reverse("web:sign_in_code")), "code")
    reauth = _input(_page(_client(world.pcm), reverse("web:reauth")), "code")
    for code in (sign_in, reauth):
        assert code.get("autocomplete") == "one-time-code"
        # They take a recovery code too, which has letters: no digits-only keypad.
        assert code.get("inputmode") is None


def test_new_passwords_are_new_and_the_sign_in_password_is_current(world):  # type: ignore[no-untyped-def]
    page = _page(Client(), reverse("web:login"))
    assert _input(page, "password").get("autocomplete") == "current-password"
    assert _input(page, "username").get("autocomplete") == "email"
    form = ChoosePasswordForm(world.pcm)
    html = Template("{% load govuk %}{% govuk_field form.password1 %}").render(
        Context({"form": form})
    )
    assert _input(lxml.html.fromstring(html), "password1").get("autocomplete") == "new-password"


# 3. Links only to pages their reader may open ----------------------------------------------


def _case_review_world(world):  # type: ignore[no-untyped-def]
    """world.own with a case record review; its lead peer and a case auditor cleared, its
    operational manager peer (not a child-data role) cleared too."""
    x = delivery(world)
    make_review(x.d)
    auditor = add_auditor(x.d, "cara@example.org")
    set_confidentiality(x.d, by=world.sponsor, required=False, version=UNCHECKED)
    briefing = issue_briefing(
        x.d, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    for user in (world.peer, auditor, x.om):
        acknowledge_briefing(briefing, by=None, person=user.person)
    return x, auditor


def _case_review_links(client: Client) -> list[str]:
    page = _page(client, reverse("web:diagnostic_overview", args=[REF]))
    return [a.get("href") for a in page.xpath("//a") if a.text_content() == "Case record review"]


def test_the_case_review_is_linked_only_for_those_it_lets_in(world):  # type: ignore[no-untyped-def]
    x, auditor = _case_review_world(world)
    url = reverse("web:casereview", args=[REF])
    for user in (world.peer, auditor):
        assert _case_review_links(_client(user, two_factor=True)) == [url]
        assert _client(user, two_factor=True).get(url).status_code == 200
    # The operational manager peer is not a child-data role; a session without two-factor
    # sign-in is refused the page too; the council never had the link.
    for client in (_client(x.om), _client(world.peer), _client(world.sponsor)):
        assert _case_review_links(client) == []
        assert client.get(url).status_code == 403


ROLES = ["peer", "om", "auditor", "sponsor", "organiser"]
START = ["web:diagnostic_overview", "web:timetable", "web:schedule_grid", "web:timetable_versions"]


@pytest.mark.parametrize("role", ROLES)
def test_no_link_on_the_overview_or_timetable_pages_answers_403(world, role):  # type: ignore[no-untyped-def]
    x, auditor = _case_review_world(world)
    user = {"om": x.om, "auditor": auditor}.get(role) or getattr(world, role)
    client = _client(user, two_factor=role in ("peer", "auditor"))
    answers: dict[str, int] = {}
    for name in START:
        page = _page(client, reverse(name, args=[REF]))
        for href in page.xpath("//a/@href"):
            link = urldefrag(unescape(href))[0]
            if link.startswith("/") and not link.startswith(("/static/", "/sign-out/")):
                answers.setdefault(link, client.get(link).status_code)
    assert {link: code for link, code in answers.items() if code == 403} == {}
    assert len(answers) >= 10  # the pages were really crawled


def test_a_sensitive_document_is_linked_only_for_the_cleared_team(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world, classification="personal_data")
    _case_review_world(world)  # clears the lead peer
    page_url = reverse("web:document_detail", args=[REF, ask.code])
    file_url = reverse("web:document_download_sensitive", args=[REF, version.code])
    for user, shown in ((world.peer, True), (world.sponsor, False), (world.pcm, False)):
        client = _client(user)
        page = _page(client, page_url)
        assert (file_url in page.xpath("//a/@href")) is shown
        assert version.original_name in page.text_content()
        assert client.get(file_url).status_code == (200 if shown else 403)


def test_planners_still_see_generate_and_publish(world):  # type: ignore[no-untyped-def]
    _case_review_world(world)
    for user, shown in ((world.pcm, True), (world.organiser, True), (world.peer, False)):
        page = _page(_client(user), reverse("web:timetable", args=[REF]))
        hrefs = set(page.xpath("//a/@href"))
        assert (reverse("web:schedule_generate", args=[REF]) in hrefs) is shown
        assert (reverse("web:timetable_publish", args=[REF]) in hrefs) is shown


# 4. The start-button link is a button to assistive technology and to Space ------------------


def test_set_up_two_factor_is_a_link_with_the_button_role(world):  # type: ignore[no-untyped-def]
    page = _page(_client(world.pcm), reverse("web:account"))
    (link,) = page.xpath('//a[@href="{}"]'.format(reverse("web:two_factor_setup")))
    assert link.text_content().strip() == "Set up two-factor sign-in"
    assert link.get("role") == "button"
    assert link.get("data-module") == "govuk-button"  # GOV.UK Frontend presses it on Space


# 5. Each finding has its own title --------------------------------------------------------


def test_each_finding_page_has_its_own_title(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    first = add_finding(
        x.d, by=x.lead, kind="strength", statement="Leaders know their front line", kloe=None
    )
    second = add_finding(
        x.d,
        by=x.lead,
        kind="area",
        statement="Supervision is not recorded consistently across the assessment teams "
        "and the children in care teams",
        kloe=None,
    )
    client = _client(world.peer)
    titles = [
        _page(client, reverse("web:finding_detail", args=[REF, f.code])).findtext(".//title")
        for f in (first, second)
    ]
    assert titles[0].startswith(f"Finding: Leaders know their front line {REF}")
    assert titles[1].startswith("Finding: Supervision is not recorded consistently across")
    assert "…" in titles[1] and REF in titles[1]


# 6. No Django default error on the details page -------------------------------------------


def test_the_details_page_names_a_missing_type_in_its_own_words(world):  # type: ignore[no-untyped-def]
    client = _client(world.pcm)
    page = _page(
        client,
        reverse("web:diagnostic_edit", args=[REF]),
        {"title": "A title", "version": str(world.own.version)},
    )
    text = page.text_content()
    assert "This field is required" not in text
    assert page.xpath('//div[@class="govuk-error-summary"]//a[@href="#id_type"]/text()') == [
        "Choose the type of diagnostic"
    ]


def test_every_link_styled_as_a_button_is_one_to_the_keyboard() -> None:
    """GOV.UK's link buttons need role="button" (and data-module="govuk-button", which makes
    Space activate them); a template scan finds any that lack either."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "peerdiag" / "web" / "templates"
    lacking = [
        f"{path.relative_to(root)}: {tag[:80]}"
        for path in root.rglob("*.html")
        for tag in re.findall(r'<a [^>]*class="govuk-button[^>]*>', path.read_text())
        if 'role="button"' not in tag or 'data-module="govuk-button"' not in tag
    ]
    assert not lacking, "\n".join(lacking)
