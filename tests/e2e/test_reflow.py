"""Issue 23, reflow (WCAG 2.2, 1.4.10): at 320 CSS px wide (a 1280 px screen at 400 % zoom) no
page scrolls sideways as a whole.

A PCM, the lead peer and the council's organiser each visit the pages of a diagnostic with a
full published week (the day grid, the coverage pages, attendees, availability, the timetable
and its versions, attendance, generate and publish, notes, the team, findings, data access,
itineraries, confidentiality and their own calendar), with text long enough to test wrapping.
On each page:

- `document.documentElement.scrollWidth` is at most 320 (the offenders are named on failure);
- every table wider than the space it has scrolls inside a `.pd-table-wrapper` region;
- every such region can be reached with the keyboard (tabindex 0, it takes the focus) and has
  an accessible name (role "region" and a non-empty aria-label), as GOV.UK asks;
- axe-core finds no WCAG 2.2 A or AA violation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, sign_agreement
from peerdiag.diagnostics.enums import AccessEvent, Stage, TeamRole
from peerdiag.diagnostics.models import DataAccessEvent, Diagnostic, TeamMember
from peerdiag.findings.domain.findings import add_finding, link_evidence
from peerdiag.findings.domain.notes import add_note, note_for_session
from peerdiag.findings.enums import FindingKind, Polarity, SourceType
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.models import Attendee, Session
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.test_layout_responsive import overflow
from tests.factories import PASSWORD, PersonFactory, TeamMemberFactory
from tests.timetable.helpers import generate, planned_week

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH, HEIGHT = 320, 640
LONG_URL = (
    "https://www.example-council.gov.uk/children-and-families/early-help-and-safeguarding/"
    "multi-agency-safeguarding-hub/thresholds-document-2027-final-version-agreed-by-partners.pdf"
)
LONG_WORD = "Multiagencysafeguardingpartnershipcoordinationarrangements"
LONG_KLOE = (
    "How well do leaders, managers and partners understand the experiences of children and "
    "families who come through the front door, and how do they know that thresholds are "
    f"applied consistently across every locality and out of hours? ({LONG_URL})"
)

# Who signs in: a PCM, the lead peer and the council's organiser.
ROLES = {
    "pcm": "pcm@example.org",
    "lead_peer": "peer@example.org",
    "organiser": "organiser@example.org",
}


@dataclass
class Scene:
    ref: str
    attendee: str  # an attendee's code (availability, itinerary)
    member: str  # a peer's code (itinerary)
    finding: str  # a finding's code

    def pages(self, role: str) -> dict[str, str]:
        """The pages `role` may open, by name."""
        d = f"/diagnostics/{self.ref}/"
        council = {
            "day grid": d + "timetable/grid/?day=1",
            "coverage": d + "timetable/coverage/",
            "attendees": d + "attendees/",
            "availability": d + f"availability/{self.attendee}/",
            "timetable": d + "timetable/",
            "versions": d + "timetable/versions/",
            "version 1": d + "timetable/versions/1/",
            "itineraries": d + "timetable/itineraries/",
            "an attendee's itinerary": d + f"timetable/itineraries/{self.attendee}/",
            "a peer's itinerary": d + f"timetable/itineraries/{self.member}/",
            "attendance": d + "timetable/attendance/",
            "confidentiality": d + "confidentiality/",
            "calendar": "/account/calendar/",
        }
        if role != "lead_peer":
            council |= {
                "generate": d + "timetable/generate/",
                "publish": d + "timetable/publish/",
            }
        if role == "organiser":
            return council
        return council | {
            "evidence coverage": d + "evidence/coverage/",
            "notes": d + "notes/",
            "team": d + "team/",
            "findings": d + "findings/",
            "a finding": d + f"findings/{self.finding}/",
            "data access": d + "data-access/",
        }


def _peer(d: Diagnostic, name: str, role: str) -> TeamMember:
    person = PersonFactory(
        full_name=name,
        email=f"{name.split()[0].lower()}.{LONG_WORD.lower()}@example-council.gov.uk",
        job_title="Head of Children's Social Care, Safeguarding and Quality Assurance Partnerships",
    )
    TeamMemberFactory(diagnostic=d, person=person, role=role)
    return TeamMember.objects.get(diagnostic=d, person=person)


@pytest.fixture
def scene(world: World) -> Scene:
    """A diagnostic in delivery with a generated and published week, long names, notes, a
    finding with its evidence, a signed confidentiality agreement and data access events."""
    d: Diagnostic = world.own
    d.kloes.create(text=LONG_KLOE, theme="Front door", order=3)
    week = planned_week(d)
    _peer(d, "Bartholomew Featherstonehaugh-Cholmondeley", TeamRole.OPERATIONAL_MANAGER)
    _peer(d, "Wilhelmina Montgomery-Fitzwilliam", TeamRole.CASE_AUDITOR)
    longest = Attendee.objects.create(
        diagnostic=d,
        name="Professor Evangeline Cholmondeley-Featherstonehaugh",
        email=f"evangeline.{LONG_WORD.lower()}@example-council.gov.uk",
        job_title="Independent Reviewing Officer and Child Protection Conference Chair",
        group="Independent reviewing officers and child protection chairs",
    )
    session = Session.objects.create(
        diagnostic=d,
        type=week.interviews[0].type,
        title=f"Conversation about {LONG_WORD} and the front door",
        minutes=60,
        group=longest.group,
        peers_needed=1,
    )
    session.attendees.set([longest])
    session.kloes.set([week.kloes[0]])
    run = generate(d, world.pcm)
    assert "placed" in run.best, run.message
    publish(d, by=world.pcm, note=f"First version, see {LONG_URL}", notify=False)
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.DELIVERY)
    d.refresh_from_db()

    placed = Session.objects.filter(diagnostic=d, day__isnull=False, attendees__isnull=False)
    note = note_for_session(placed.order_by("day", "start")[0], by=world.peer)
    add_note(
        d,
        by=world.peer,
        source_type=SourceType.DOCUMENT,
        title=f"The thresholds document {LONG_WORD}",
        body=f"Read at {LONG_URL} — it is clear and partners know it.",
        kloes=week.kloes,
        polarity=Polarity.STRENGTH,
        heard_from=LONG_WORD,
    )
    finding = add_finding(
        d,
        by=world.peer,
        kind=FindingKind.STRENGTH,
        statement=f"Partners share one understanding of thresholds ({LONG_URL}).",
        kloe=week.kloes[0],
    )
    link_evidence(finding, note, by=world.peer)

    agreement = set_confidentiality(
        d,
        by=world.organiser,
        required=True,
        text=f"I will keep what I learn confidential. The full policy is at {LONG_URL}.",
        version=UNCHECKED,
    )
    assert agreement is not None
    peer_person = world.peer.person
    sign_agreement(agreement, by=world.peer, person=peer_person, typed_name=peer_person.full_name)
    for days, event in ((2, AccessEvent.GRANTED), (1, AccessEvent.REVOKED)):
        made = DataAccessEvent.objects.create(
            diagnostic=d,
            person=peer_person,
            event=event,
            reason=f"{LONG_WORD}: the agreement at {LONG_URL} changed",
        )
        DataAccessEvent.objects.filter(pk=made.pk).update(at=timezone.now() - timedelta(days=days))
    member = TeamMember.objects.get(diagnostic=d, person=peer_person)
    return Scene(ref=d.reference, attendee=longest.code, member=member.code, finding=finding.code)


# Every table wider than the box it sits in, and whether a labelled, focusable region holds it;
# then every region: its role, tabindex, accessible name, and whether it scrolls.
TABLES_JS = """() => {
    const out = {tables: [], regions: []};
    for (const t of document.querySelectorAll("main table")) {
        if (!t.getClientRects().length) continue;  // hidden (the day grid below 640px)
        const box = t.closest(".pd-table-wrapper");
        const room = (box || t.parentElement).clientWidth;
        if (!box && t.getBoundingClientRect().width <= room + 0.5) continue;
        out.tables.push({
            caption: (t.caption ? t.caption.textContent : t.id || "a table").trim(),
            wrapped: !!box,
        });
    }
    for (const r of document.querySelectorAll(".pd-table-wrapper")) {
        if (!r.getClientRects().length) continue;
        out.regions.push({
            role: r.getAttribute("role"),
            tabindex: r.getAttribute("tabindex"),
            label: (r.getAttribute("aria-label") || "").trim(),
            position: getComputedStyle(r).position,
            overflowX: getComputedStyle(r).overflowX,
            scrolls: r.scrollWidth > r.clientWidth,
        });
    }
    return out;
}"""


def _problems_on(page: Page, name: str, path: str) -> tuple[list[str], int]:
    """What is wrong with the page at 320 px (empty: nothing), and how many regions scroll."""
    response = page.goto(path)
    status = response.status if response else None
    if status != 200:
        return [f"{name} ({path}) answered {status}"], 0
    problems = []
    try:
        axe_check(page)
    except AssertionError as e:
        problems.append(f"{name}: {e}")
    found = overflow(page)
    if found["scrollWidth"] > WIDTH:
        problems.append(
            f"{name} ({path}) is {found['scrollWidth']}px wide; sticking out:\n    "
            + "\n    ".join(found["offenders"] or ["(no single element found)"])
        )
    seen: dict[str, Any] = page.evaluate(TABLES_JS)
    for t in seen["tables"]:
        if not t["wrapped"]:
            problems.append(f"{name}: the table ‘{t['caption']}’ is too wide and not in a region")
    for r in seen["regions"]:
        if (r["role"], r["tabindex"], r["position"], r["overflowX"]) != (
            "region",
            "0",
            "relative",
            "auto",
        ) or not r["label"]:
            problems.append(f"{name}: a scrolling region is not right: {r}")
    regions = page.locator(".pd-table-wrapper:visible")
    for i in range(regions.count()):
        region = regions.nth(i)
        region.focus()
        if not region.evaluate("el => document.activeElement === el"):
            problems.append(
                f"{name}: the region ‘{region.get_attribute('aria-label')}’ takes no focus"
            )
    named = page.get_by_role("region")
    labels = {named.nth(i).get_attribute("aria-label") for i in range(named.count())}
    for r in seen["regions"]:
        if r["label"] not in labels:
            problems.append(f"{name}: the region ‘{r['label']}’ has no accessible name")
    return problems, sum(r["scrolls"] for r in seen["regions"])


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_reflows_at_320_css_px(page: Page, scene: Scene, role: str) -> None:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto("/sign-in/")
    sign_in(page, ROLES[role], PASSWORD)
    problems: list[str] = []
    scrolling = 0
    for name, path in scene.pages(role).items():
        found, scrolls = _problems_on(page, name, path)
        problems += found
        scrolling += scrolls
    assert not problems, f"As {role} at {WIDTH}px:\n" + "\n".join(problems)
    # The pages do hold tables too wide for 320px: the check above saw them scroll in place.
    assert scrolling >= 5, f"only {scrolling} regions scroll sideways: is the scene too small?"


def test_the_table_check_finds_a_bare_wide_table_and_a_nameless_region(page: Page) -> None:
    """The check itself: a wide table outside a region, and a region without a name, fail."""
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.set_content(
        "<main><table id='bare'><tr><td style='min-width:600px'>wide</td></tr></table>"
        "<div class='pd-table-wrapper' style='overflow-x:auto;position:relative' tabindex='0'>"
        "<table><caption>In a box</caption><tr><td style='min-width:600px'>x</td></tr></table>"
        "</div></main>"
    )
    seen = page.evaluate(TABLES_JS)
    assert seen["tables"] == [
        {"caption": "bare", "wrapped": False},
        {"caption": "In a box", "wrapped": True},
    ]
    assert seen["regions"] == [
        {
            "role": None,
            "tabindex": "0",
            "label": "",
            "position": "relative",
            "overflowX": "auto",
            "scrolls": True,
        }
    ]
