"""The filters on the dashboard, the portfolio and the bench say how many results they found
(issue 23, WCAG 4.1.3): one status region outside the part htmx swaps, empty when the page
loads, filled in place by each htmx reply ("1 diagnostic"), and requests debounced.

The browser side (keyboard, one request for several arrow keys, the text read out) is in
tests/e2e/test_live_regions.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import UNCHECKED
from peerdiag.directory.domain.bench import save_peer_profile
from peerdiag.directory.enums import Region
from peerdiag.directory.models import Organisation
from tests.conftest import World
from tests.factories import CouncilFactory, PersonFactory

pytestmark = pytest.mark.django_db

STATUS = "results-status"
HTMX = {"HX-Request": "true"}


@dataclass
class FilterPage:
    url: str
    who: str  # a World attribute
    one: dict[str, str]  # a filter that leaves one result
    noun: str


PAGES = {
    "dashboard": FilterPage(reverse("web:dashboard"), "admin", {"region": "london"}, "diagnostic"),
    "portfolio": FilterPage(reverse("web:portfolio"), "admin", {"region": "london"}, "diagnostic"),
    "bench": FilterPage(reverse("web:bench"), "pcm", {"region": "london"}, "peer"),
}


def _two_of_each(world: World) -> None:
    """Two diagnostics (London, North East) and two peers on the bench (the same regions)."""
    Organisation.objects.filter(pk=world.own.host_council_id).update(region=Region.LONDON)
    Organisation.objects.filter(pk=world.other.host_council_id).update(region=Region.NORTH_EAST)
    for name, region in (("Ada Lead", Region.LONDON), ("Bea Best", Region.NORTH_EAST)):
        person = PersonFactory(
            full_name=name, organisation=CouncilFactory(name=f"{name} Council", region=region)
        )
        save_peer_profile(
            person,
            seniority="dcs",
            roles=["lead_peer"],
            expertise=[],
            version=UNCHECKED,
        )


def _get(world: World, page: FilterPage, params: dict[str, str], **headers: str) -> Any:
    c = Client()
    c.force_login(getattr(world, page.who))
    response = c.get(page.url, params, headers=headers)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _statuses(tree: Any) -> list[Any]:
    return tree.xpath(f'//*[@id="{STATUS}"]')


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_page_has_one_empty_status_region_outside_the_swapped_results(world, name):  # type: ignore[no-untyped-def]
    _two_of_each(world)
    page = PAGES[name]
    for params in ({}, page.one):
        tree = _get(world, page, params)
        statuses = _statuses(tree)
        assert len(statuses) == 1, f"{name} {params}: {len(statuses)} status regions"
        status = statuses[0]
        assert status.get("role") == "status"
        assert status.get("hx-swap-oob") is None
        # Empty on load: a live region's first text is not read out, and nothing has changed yet.
        assert status.text_content() == ""
        # Outside what htmx replaces, so the region stays and its new text is announced.
        assert not status.xpath('ancestor::*[@id="results"]')
        assert tree.xpath('//*[@id="results"]'), "the results are on the page"
        [form] = tree.xpath('//form[@hx-target="#results"]')
        # One request once the choosing stops, not one for each arrow key in a select.
        trigger = form.get("hx-trigger")
        assert "change delay:400ms" in trigger and "submit" in trigger
        assert form.get("hx-sync") == "this:replace"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_htmx_reply_fills_the_region_in_place_with_the_count(world, name):  # type: ignore[no-untyped-def]
    _two_of_each(world)
    page = PAGES[name]
    for params, said in (({}, f"2 {page.noun}s"), (page.one, f"1 {page.noun}")):
        tree = _get(world, page, params, **HTMX)
        # The reply is the results alone, and carries the region's new text inside it.
        assert tree.get("id") == "results"
        [status] = _statuses(tree)
        assert status.get("hx-swap-oob") == "innerHTML"
        assert status.text_content() == said
    # A filter that finds nothing says so.
    tree = _get(world, page, {"region": "south_east"}, **HTMX)
    assert _statuses(tree)[0].text_content() == f"0 {page.noun}s"


def test_the_board_has_a_status_region_for_moves(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.peer)
    tree = lxml.html.fromstring(
        c.get(reverse("web:drafting_board", args=[world.own.reference])).content.decode()
    )
    [status] = tree.xpath("//*[@data-board-status]")
    assert status.get("role") == "status" and status.text_content() == ""


def _library_tree(client: Client, params: dict[str, str], **headers: str) -> Any:
    response = client.get(reverse("web:learning_library"), params, headers=headers)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def test_the_learning_library_announces_its_count_from_a_region_htmx_does_not_replace(world):  # type: ignore[no-untyped-def]
    from tests.portfolio.test_library import _library

    _library(world)
    c = Client()
    c.force_login(world.pcm)
    page = _library_tree(c, {})
    [status] = _statuses(page)
    assert status.get("role") == "status" and status.text_content() == ""
    assert not status.xpath('ancestor::*[@id="results"]')
    [form] = page.xpath('//form[@hx-target="#results"]')
    assert "change delay:400ms" in form.get("hx-trigger")
    # The count is still shown on the page, as plain text inside the results.
    [shown] = page.xpath('//*[@id="results"]/p[1]')
    assert shown.text_content() == "4 statements." and shown.get("role") is None
    reply = _library_tree(c, {"q": "plans"}, **HTMX)
    assert reply.get("id") == "results"
    [status] = _statuses(reply)
    assert status.get("hx-swap-oob") == "innerHTML"
    assert status.text_content() == "1 of 4 statements match."


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_htmx_restores_from_history_is_the_whole_page(world, name):  # type: ignore[no-untyped-def]
    """htmx asks for the whole page, with HX-Request, when its history cache has lost it: the
    answer must be the page with its one empty region, not the results part alone."""
    _two_of_each(world)
    page = PAGES[name]
    tree = _get(world, page, page.one, **HTMX, **{"HX-History-Restore-Request": "true"})
    assert tree.xpath("//h1") and tree.xpath('//*[@id="results"]')
    [status] = _statuses(tree)
    assert status.get("hx-swap-oob") is None and status.text_content() == ""
