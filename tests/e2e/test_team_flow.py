"""Forming a peer team in a real browser: from the PCM's proposal to the peer's data access.

The PCM proposes a peer from the suggestions and issues the briefing; the council's sponsor
approves the peer and sets a confidentiality text; the peer turns on two-factor sign-in, reads
the briefing and signs; the data access page then shows access granted. Every page visited is
checked with axe-core for WCAG 2.2 A and AA violations (see conftest).
"""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.models import DataAccessEvent, TeamMember
from peerdiag.directory.domain.bench import save_peer_profile
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD, CouncilFactory, PersonFactory, UserFactory

REF = "RPD-2027-001"
PEER = "Olivia Okafor"
AGREEMENT = "Peers keep everything they learn about children and staff confidential."


def _heading(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1)


def _success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def _sign_in_as(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)
    if "/account/two-factor/" in page.url:  # once two-factor sign-in is required of this role
        _turn_on_two_factor(page)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/$"))


def _turn_on_two_factor(page: Page) -> None:
    """On the set-up page: type the code worked out from the key shown (no camera needed)."""
    expect(_heading(page)).to_have_text("Set up two-factor sign-in")
    axe_check(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Enter the 6-digit code your app shows").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(_heading(page)).to_have_text("Two-factor sign-in is on")
    axe_check(page)
    page.get_by_role("button", name="I have stored my codes – continue").click()
    page.wait_for_url(re.compile(r"/$"))


def _go_to(page: Page, name: str) -> None:
    """Follow a link in the side list of peer team pages."""
    page.get_by_role("navigation", name="Peer team pages").get_by_role("link", name=name).click()
    expect(_heading(page)).to_have_text(name)


def _open_diagnostic(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name=REF).click()
    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/$"))
    axe_check(page)


def _a_peer_on_the_bench() -> None:
    user = UserFactory(email="olivia@example.org", full_name=PEER)
    person = PersonFactory(
        user=user, full_name=PEER, job_title="Head of Safeguarding", organisation=CouncilFactory()
    )
    save_peer_profile(
        person,
        seniority="head_of_service",
        roles=["operational_manager"],
        expertise=["safeguarding"],
        summary="Runs a safeguarding service rated good.",
        version=UNCHECKED,
    )


def test_a_peer_is_proposed_approved_briefed_and_signed_up(page: Page, world: World) -> None:
    _a_peer_on_the_bench()

    # The PCM proposes Olivia from the suggestions, with the reasons shown.
    _sign_in_as(page, "pcm@example.org")
    _open_diagnostic(page)
    page.get_by_role("link", name="Change the team").click()
    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/team/$"))
    expect(_heading(page)).to_have_text("Peer team")
    suggestions = page.locator("#suggestions-operational_manager")
    row = suggestions.get_by_role("row").filter(has_text=PEER)
    expect(row).to_contain_text("Knows safeguarding")
    expect(row).to_contain_text("No diagnostics in the last 12 months")
    axe_check(page)
    row.get_by_role("button", name=f"Propose {PEER} as operational manager").click()
    _success(page, f"{PEER} proposed as operational manager")
    member = page.locator("#team-members").get_by_role("row").filter(has_text=PEER)
    expect(member).to_contain_text("Operational manager")
    expect(member).to_contain_text("Waiting for the council")
    axe_check(page)

    # The PCM issues the briefing.
    _go_to(page, "Peer Team Briefing")
    axe_check(page)
    page.get_by_label("Upload the briefing").set_input_files(
        {"name": "Team briefing.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 hi"}
    )
    page.get_by_role("button", name="Issue the briefing").click()
    _success(page, "Briefing version 1 issued to the team")
    expect(page.get_by_role("link", name="Download Team briefing.pdf")).to_be_visible()
    axe_check(page)
    _sign_out(page)

    # The sponsor finds the proposed peers on the council's home page and approves Olivia.
    _sign_in_as(page, "sponsor@example.org")
    asks = page.locator("#todo-list")
    expect(asks).to_contain_text("Decide whether peers must sign a confidentiality agreement")
    axe_check(page)
    asks.get_by_role("link", name="Approve or object to 2 proposed peers").click()
    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/proposed-peers/$"))
    card = page.locator(".govuk-summary-card").filter(has_text=PEER)
    expect(card).to_contain_text("Runs a safeguarding service rated good.")
    expect(card).to_contain_text("Head of Safeguarding")
    axe_check(page)
    card.get_by_role("link", name=f"Approve or object for {PEER}").click()
    expect(_heading(page)).to_have_text(f"Approve or object to {PEER}")
    axe_check(page)
    page.get_by_label("Approve this peer").check()
    page.get_by_role("button", name="Save your decision").click()
    _success(page, f"You approved {PEER}")
    expect(page.locator(".govuk-summary-card").filter(has_text=PEER)).to_contain_text("Approved")
    axe_check(page)

    # The sponsor asks peers to sign a confidentiality agreement and gives its text.
    _go_to(page, "Confidentiality agreement")
    axe_check(page)
    page.get_by_role("group", name="Must peers sign a confidentiality agreement?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Text of the agreement").fill(AGREEMENT)
    page.get_by_role("button", name="Save the decision").click()
    _success(page, "The confidentiality decision is saved")
    expect(page.locator("#agreement-text")).to_have_text(AGREEMENT)
    axe_check(page)
    _sign_out(page)

    # Olivia turns on two-factor sign-in from her account page.
    _sign_in_as(page, "olivia@example.org")
    page.get_by_role("link", name="Your account").click()
    axe_check(page)
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    _turn_on_two_factor(page)

    # She reads the briefing and says so.
    _open_diagnostic(page)
    page.get_by_role("link", name="Peer Team Briefing", exact=True).click()
    expect(_heading(page)).to_have_text("Peer Team Briefing")
    axe_check(page)
    page.get_by_role("button", name="I have read version 1").click()
    _success(page, "You have confirmed you read version 1")
    axe_check(page)

    # She signs: a mistyped name first, then her own.
    _go_to(page, "Confidentiality agreement")
    expect(page.locator("#agreement-text")).to_have_text(AGREEMENT)
    axe_check(page)
    name_box = page.get_by_label("Type your full name to sign")
    name_box.fill("Olivia Okafr")
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        page.locator(".govuk-error-summary").get_by_role(
            "link", name=f"Type your full name as it appears here: {PEER}"
        )
    ).to_be_visible()
    axe_check(page)
    page.get_by_label("Type your full name to sign").fill(PEER)
    page.get_by_role("button", name="Sign the agreement").click()
    _success(page, "You signed version 1 of the agreement")
    signed = page.locator("#signatures").get_by_role("row").filter(has_text=PEER)
    expect(signed).to_contain_text("Counts")
    axe_check(page)

    # The data access page shows her access granted, and the log says why.
    _go_to(page, "Data access")
    olivia = page.locator("#clearances").get_by_role("row").filter(has_text=PEER)
    expect(olivia).to_contain_text("Has access")
    expect(olivia).to_contain_text("Nothing")
    granted = page.locator("#access-log").get_by_role("row").filter(has_text=PEER)
    expect(granted.first).to_contain_text("Access granted")
    expect(granted.first).to_contain_text(f"{PEER} signed the confidentiality agreement")
    axe_check(page)

    member = TeamMember.objects.get(person__full_name=PEER)
    assert member.council_decision == "approved"
    assert list(
        DataAccessEvent.objects.filter(person=member.person).values_list("event", flat=True)
    ) == ["granted"]
