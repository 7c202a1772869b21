"""Issue 18, layout: every role's home page, the diagnostic overview, the team builder, the day
grid and the portfolio, at 1280px (a laptop) and at 375px (a small phone).

Each page must pass axe-core (WCAG 2.2 A/AA) and nothing may stick out of the window sideways:
`document.documentElement.scrollWidth` must not exceed `innerWidth`. A wide table may scroll
inside its own box (`.pd-table-wrapper`), which does not widen the page. On failure the test
names the elements that stick out, outermost first, by a CSS selector.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Page

from peerdiag.accounts.models import TotpDevice
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile
from peerdiag.directory.enums import Region
from peerdiag.timetable.models import Session
from tests.casereview.helpers import add_auditor
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD, CouncilFactory, PersonFactory
from tests.timetable.helpers import planned_week

REF = "RPD-2027-001"
WIDTHS = {"desktop": 1280, "phone": 375}
LONG_KLOE = (
    "How well do leaders, managers and partners understand the experiences of children and "
    "families who come through the front door, and how do they know that thresholds are "
    "applied consistently across every locality and out of hours?"
)

# (who signs in, which page): every role's home page, then the diagnostic's own pages.
PAGES = [
    pytest.param("pcm", "/", id="home-pcm"),
    pytest.param("lead_peer", "/", id="home-lead-peer"),
    pytest.param("sponsor", "/", id="home-sponsor"),
    pytest.param("organiser", "/", id="home-organiser"),
    pytest.param("auditor", "/", id="home-auditor"),
    pytest.param("admin", "/", id="home-admin"),
    pytest.param("pcm", f"/diagnostics/{REF}/", id="overview"),
    pytest.param("pcm", f"/diagnostics/{REF}/team/", id="team"),
    pytest.param("pcm", f"/diagnostics/{REF}/timetable/grid/?day=1", id="day-grid"),
    pytest.param("admin", "/portfolio/", id="portfolio"),
]

pytestmark = pytest.mark.django_db(transaction=True)

# Elements that reach beyond the window's right (or left) edge, skipping any inside a box that
# scrolls or clips (they do not widen the page), and any whose parent sticks out too: what is
# left are the outermost culprits, each named by a selector built from tag, id and classes.
OVERFLOW_JS = """() => {
    const root = document.documentElement;
    const limit = window.innerWidth;
    const result = {scrollWidth: root.scrollWidth, innerWidth: limit, offenders: []};
    if (root.scrollWidth <= limit) return result;
    const clips = (el) => {
        let a = el.parentElement;
        for (; a && a !== document.body && a !== root; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return true;
        }
        return false;
    };
    const sticksOut = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > limit + 0.5 || r.left < -0.5);
    };
    const name = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) s += "#" + el.id;
        for (const c of el.classList) s += "." + c;
        return s;
    };
    const path = (el) => {
        const parts = [];
        for (let a = el; a && a !== document.body && parts.length < 4; a = a.parentElement) {
            parts.unshift(name(a));
        }
        return parts.join(" > ");
    };
    // First the culprits outside any scrolling box; if there are none (a scrolling box that
    // grew with its content, say), every element that sticks out, outermost first.
    for (const skipClipped of [true, false]) {
        for (const el of document.body.querySelectorAll("*")) {
            if (!sticksOut(el) || (skipClipped && clips(el))) continue;
            const parent = el.parentElement;
            if (parent && parent !== document.body && sticksOut(parent)) continue;
            const r = el.getBoundingClientRect();
            const where = `from ${Math.round(r.left)} to ${Math.round(r.right)}px`;
            result.offenders.push(`${path(el)} (${where})`);
            if (result.offenders.length >= 8) break;
        }
        if (result.offenders.length) break;
    }
    return result;
}"""


def _peer(name: str, *, council: Any = None) -> Any:
    person = PersonFactory(
        full_name=name,
        job_title="Head of Children's Social Care and Safeguarding Partnerships",
        organisation=council or CouncilFactory(name=f"{name} Metropolitan Borough Council"),
    )
    save_peer_profile(
        person,
        seniority="head_of_service",
        roles=["operational_manager", "case_auditor"],
        expertise=["front_door", "safeguarding", "quality_assurance", "partnerships"],
        version=UNCHECKED,
    )
    return person


@pytest.fixture
def scene(world: World) -> dict[str, Any]:
    """A diagnostic in full flow: a team with a case auditor, a bench with suggestions and
    peers left out by a conflict, a long line of enquiry and a busy day 1 for four peers.
    Returns each role's sign-in: (e-mail, two-factor secret or None)."""
    d: Diagnostic = world.own
    Diagnostic.objects.filter(pk=d.pk).update(case_review_in_scope=True)
    d.refresh_from_db()
    week = planned_week(d)
    d.kloes.create(text=LONG_KLOE, theme="Front door", order=3)
    auditor = add_auditor(d, "cara@example.org", "Cara Auditor")
    auditor.set_password(PASSWORD)
    auditor.save()
    secret = pyotp.random_base32()
    TotpDevice.objects.create(user=auditor, secret=secret, confirmed_at=timezone.now())
    for name in ("Bea Best", "Cal Second", "Dee Third"):
        _peer(name)
    _peer("Hana Host", council=d.host_council)
    recent = _peer("Rita Recent", council=CouncilFactory(region=Region.LONDON))
    declare_recent_work(recent.peer_profile, council=d.host_council, ended_on=None)
    peers = list(
        TeamMember.objects.filter(diagnostic=d).exclude(role=TeamRole.PEER_CHALLENGE_MANAGER)
    )
    for i, s in enumerate(week.interviews):
        Session.objects.filter(pk=s.pk).update(day=1, start=time(9 + i, 0))
        s.peers.set([peers[i % len(peers)]])
    return {
        "pcm": ("pcm@example.org", None),
        "lead_peer": ("peer@example.org", None),
        "sponsor": ("sponsor@example.org", None),
        "organiser": ("organiser@example.org", None),
        "auditor": ("cara@example.org", secret),
        "admin": ("admin@example.org", None),
    }


def _sign_in(page: Page, login: tuple[str, str | None]) -> None:
    email, secret = login
    page.goto("/sign-in/")
    if secret is None:
        sign_in(page, email, PASSWORD)
        return
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/sign-in/code/$"))
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def overflow(page: Page) -> dict[str, Any]:
    """How wide the page is against the window, and what sticks out (empty when it fits)."""
    result: dict[str, Any] = page.evaluate(OVERFLOW_JS)
    return result


@pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))
@pytest.mark.parametrize(("role", "path"), PAGES)
def test_page_fits_the_window_and_passes_axe(
    page: Page, scene: dict[str, Any], role: str, path: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, scene[role])
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    assert page.locator("h1").count() == 1 and page.locator("h1").inner_text().strip()
    axe_check(page)
    found = overflow(page)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{path} as {role} at {width}px is {found['scrollWidth']}px wide; sticking out:\n"
        + "\n".join(found["offenders"] or ["(no single element found)"])
    )


def test_the_overflow_check_names_what_sticks_out(page: Page) -> None:
    """The check itself: a page with a too-wide box fails and names the box, not its parent."""
    page.set_viewport_size({"width": 375, "height": 700})
    page.set_content(
        '<main><div class="ok">fits</div><div id="wide" class="box" style="width:600px">'
        '<span style="display:inline-block;width:600px">inside</span></div>'
        '<div style="overflow-x:auto"><div style="width:900px">scrolls in its box</div></div>'
        "</main>"
    )
    found = overflow(page)
    assert found["scrollWidth"] > found["innerWidth"] == 375
    assert len(found["offenders"]) == 1
    assert found["offenders"][0].startswith("main > div#wide.box (from ")
    page.set_content(
        '<main><div style="overflow-x:auto"><div style="width:900px">x</div></div></main>'
    )
    assert overflow(page) == {"scrollWidth": 375, "innerWidth": 375, "offenders": []}


def test_the_day_grid_is_a_list_per_person_on_a_phone(page: Page, scene: dict[str, Any]) -> None:
    """Below 640px the grid gives way to each peer's sessions; wider, the grid is back."""
    _sign_in(page, scene["pcm"])
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(f"/diagnostics/{REF}/timetable/grid/?day=1")
    grid, listed = page.locator(".pd-grid-wide"), page.locator(".pd-grid-list")
    assert grid.is_hidden() and listed.is_visible()
    olive = listed.locator("h3").filter(has_text="Olive Manager")
    assert olive.count() == 1
    assert "Conversation" in listed.inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert grid.is_visible() and listed.is_hidden()
    assert page.get_by_role("columnheader").filter(has_text="Olive Manager").count() == 1


def test_link_buttons_use_the_gov_uk_typeface(page: Page, scene: dict[str, Any]) -> None:
    """'Invite to peerdiag' (and every button drawn as a link) is in GDS Transport's stack,
    never the browser's default serif."""
    _sign_in(page, scene["pcm"])
    page.goto(f"/diagnostics/{REF}/team/")
    buttons = page.locator("button.pd-link-button")
    assert buttons.count() >= 2  # the team's "Invite to peerdiag" buttons and "Change to …"
    for i in range(buttons.count()):
        family = buttons.nth(i).evaluate("b => getComputedStyle(b).fontFamily")
        assert family.startswith('"GDS Transport"'), (buttons.nth(i).inner_text(), family)
