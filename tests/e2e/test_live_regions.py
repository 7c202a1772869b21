"""What changes on screen is announced, once (issue 23, WCAG 4.1.3), driven by the keyboard alone.

- The dashboard filter: Tab to "Region", choose with the arrow keys; the keys pressed within the
  debounce window ask the server once, and the status region (outside the results htmx swaps)
  then says the new count, exactly.
- The bench search: typing a name asks once, when the typing stops, and says the count.
- The drafting board: "Move up" reloads the board, which then says what moved where and puts
  focus back on the item's move button; a plain reload says nothing.

The pages' markup (one empty region outside the swapped part, the htmx reply filling it in place)
is checked without a browser in tests/web/test_live_region_pages.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from playwright.sync_api import Page, Request, expect

from peerdiag.common.versioning import UNCHECKED
from peerdiag.directory.domain.bench import save_peer_profile
from peerdiag.directory.enums import Region
from peerdiag.directory.models import Organisation
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD, CouncilFactory, PersonFactory
from tests.reports.helpers import drafted

# Longer than the filters' 400 ms delay: a request still to come would have gone by then.
SETTLE_MS = 1200
MAX_TABS = 80


def _as(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never took focus in {MAX_TABS} presses of Tab")


def _region_filter_requests(requests: list[Request]) -> list[dict[str, list[str]]]:
    """The htmx requests the dashboard filter made, as their query parameters."""
    dashboard = reverse("web:dashboard")
    return [
        parse_qs(urlsplit(r.url).query, keep_blank_values=True)
        for r in requests
        if r.resource_type in ("xhr", "fetch") and urlsplit(r.url).path == dashboard
    ]


def test_the_dashboard_filter_asks_once_and_says_the_new_count_once(
    page: Page, world: World
) -> None:
    # Two diagnostics: RPD-2027-001 in London, RPD-2027-002 in the North East.
    Organisation.objects.filter(pk=world.own.host_council_id).update(region=Region.LONDON)
    Organisation.objects.filter(pk=world.other.host_council_id).update(region=Region.NORTH_EAST)
    _as(page, "admin@example.org")
    page.goto(reverse("web:dashboard"))
    status = page.locator("#results-status")
    expect(status).to_have_text("")
    expect(page.locator("#results caption")).to_have_text("2 diagnostics")
    axe_check(page)
    # Mark the region: if htmx replaced it instead of filling it, the mark would be gone.
    status.evaluate("(el) => { el.dataset.kept = 'yes'; }")
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))

    _tab_to(page, "id_region")
    # "Any region", East Midlands, East of England, London: three presses, quicker than 400 ms.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_region")).to_have_value(Region.LONDON)
    expect(status).to_have_text("1 diagnostic")
    page.wait_for_timeout(SETTLE_MS)
    asked = _region_filter_requests(requests)
    assert len(asked) == 1, f"expected one request for three arrow keys, got {asked}"
    assert asked[0]["region"] == [Region.LONDON]
    # Said exactly once: one status region holds the count, in full and only once.
    expect(status).to_have_text("1 diagnostic")
    expect(page.get_by_role("status").filter(has_text="diagnostic")).to_have_count(1)
    assert status.get_attribute("data-kept") == "yes"
    assert status.evaluate("(el) => el.closest('#results') === null")
    expect(page.locator("#results caption")).to_have_text("1 diagnostic")
    # Focus stays where the person is choosing.
    assert page.evaluate("document.activeElement?.id") == "id_region"

    # Back to "Any region" with three presses the other way: again one request, the new count.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(status).to_have_text("2 diagnostics")
    page.wait_for_timeout(SETTLE_MS)
    asked = _region_filter_requests(requests)
    assert len(asked) == 2, f"expected one more request, got {asked}"
    assert asked[1]["region"] == [""]
    assert status.get_attribute("data-kept") == "yes"
    axe_check(page)


def test_typing_in_the_bench_search_asks_once_and_says_the_count(page: Page, world: World) -> None:
    for name in ("Ada Lead", "Bea Best"):
        person = PersonFactory(full_name=name, organisation=CouncilFactory(name=f"{name} Council"))
        save_peer_profile(
            person, seniority="dcs", roles=["lead_peer"], expertise=[], version=UNCHECKED
        )
    _as(page, "pcm@example.org")
    page.goto(reverse("web:bench"))
    status = page.locator("#results-status")
    expect(status).to_have_text("")
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    _tab_to(page, "id_q")
    page.keyboard.type("Ada", delay=50)
    expect(status).to_have_text("1 peer")
    page.wait_for_timeout(SETTLE_MS)
    bench = reverse("web:bench")
    asked = [
        parse_qs(urlsplit(r.url).query)
        for r in requests
        if r.resource_type in ("xhr", "fetch") and urlsplit(r.url).path == bench
    ]
    assert [a["q"] for a in asked] == [["Ada"]], (
        f"expected one request once typing stopped: {asked}"
    )
    expect(page.locator("#results caption")).to_have_text("1 peer")
    assert page.evaluate("document.activeElement?.id") == "id_q"


def test_a_move_on_the_drafting_board_is_announced(page: Page, world: World) -> None:
    x = drafted(world, approve=False)
    board = reverse("web:drafting_board", args=[x.d.reference])
    _as(page, "peer@example.org")  # the lead peer
    page.goto(board)
    status = page.locator("#board-status")
    expect(status).to_have_text("")
    axe_check(page)

    move = page.get_by_role("button", name="Move up strength 2")
    move.focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Strength 2 moved up: it is now strength 1 of 2.")
    strengths = page.locator("#strengths + ol > li > p:first-child")
    expect(strengths).to_have_text(["1. Supervision is regular.", "2. Leaders are visible."])
    # Focus is back on the item that moved (it is first now, so on its "Move down").
    expect(page.get_by_role("button", name="Move down strength 1")).to_be_focused()
    axe_check(page)

    # Reading the board again says nothing: the move was announced once.
    page.reload()
    page.wait_for_timeout(SETTLE_MS)
    expect(status).to_have_text("")

    # A move down, the other way, is announced with its own words.
    page.get_by_role("button", name="Move down strength 1").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Strength 1 moved down: it is now strength 2 of 2.")
    expect(page.get_by_role("button", name="Move up strength 2")).to_be_focused()
