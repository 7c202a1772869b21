"""Issue 23: every page each demo role can reach, at 320 x 640 (a 1280 px screen at 400 % zoom).

Loads the demo, then for each of its seven roles signs in (with the demo's two-factor code where
the account has one) and crawls breadth-first from the dashboard, following same-site links with
GET only. Pages are deduplicated by URL pattern (`resolve(path).route`): each pattern is visited
once without a query string and once with one, up to PAGES_PER_ROLE pages a role. The
budget is a safety net above every role's whole reach, and the test fails if a role's crawl
stops at it with pages still to visit (raise it then); the environment variable
PEERDIAG_CRAWL_PAGES sets a smaller one for a quick look, and then a crawl may stop early.
So that the one instance of a pattern that is checked has something on it, pages of
diagnostics further along (a week being delivered, drafting, feedback) are visited before those
of diagnostics at enquiry (`Frontier`). On every page visited:

- nothing scrolls the page sideways: `document.documentElement.scrollWidth <= 320` (WCAG 1.4.10);
- axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation (the same check as the other e2e tests);
- there is exactly one `<h1>`, and it is not empty;
- no link on the page answers 403 for this role (each link's path is fetched once a role through
  the page's own request context, so with the role's cookies); any other 4xx/5xx is reported too.

Left out of the crawl, but still checked as links: sign-out, downloads (a Content-Disposition or
a type other than HTML), the API, static and media files, and Django's admin site (not one of
the service's GOV.UK pages). Every failure is collected and the test fails once at the end with
the whole list, grouped by kind.

The demo must be visible to the live server's thread, so the test is transactional
(`django_db(transaction=True)`) and loads the demo itself, once, for all seven roles. It does not
depend on the database engine, so CI runs it in the SQLite pass only (it is skipped on
PostgreSQL; `own_database` does not fit, since that marker promises the run's database is not
touched, which tests/test_own_database_marker.py checks).
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
import time
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pyotp
import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from peerdiag.demo.cast import DEMO_PASSWORD, DEMO_TOTP_SECRET, TWO_FACTOR_ACCOUNTS
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from tests.conftest import World
from tests.e2e.conftest import TIMEOUT_MS, axe_check
from tests.e2e.conftest import sign_in as sign_in_with_password
from tests.e2e.test_layout_responsive import OVERFLOW_JS
from tests.factories import PASSWORD

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_SQLITE, reason="engine-independent: CI runs the crawl in its SQLite pass only"
    ),
]

# The seven demo roles (docs/demo.md): who signs in.
ROLES = {
    "LGA admin": "admin@peerdiag.test",
    "peer challenge manager": "pcm@peerdiag.test",
    "lead peer": "peer@peerdiag.test",
    "operational manager peer": "manager@peerdiag.test",
    "case auditor": "auditor@peerdiag.test",
    "council sponsor": "sponsor@peerdiag.test",
    "council organiser": "organiser@peerdiag.test",
}
# Every role's whole reach is 480 pages (measured on 2026-12-07: the PCM's 107, the admin's
# 93, the sponsor's 38) and takes about three and a half minutes on two cores, the demo's load
# included. The budget sits above the largest reach, so the whole reach is crawled.
DEFAULT_BUDGET = 200
PAGES_PER_ROLE = int(os.environ.get("PEERDIAG_CRAWL_PAGES", str(DEFAULT_BUDGET)))
WIDTH, HEIGHT = 320, 640
# Followed as links (their status is checked) but never crawled.
NOT_CRAWLED = re.compile(
    r"^/(static|media|api|admin)/|^/sign-out/|\.(ics|csv|xlsx|docx|pptx|pdf|zip)$"
)
# Not even fetched: signing out would end the crawl.
NOT_FETCHED = re.compile(r"^/sign-out/")

# Which diagnostic's pages come first: the stages whose pages hold the most (a week with
# sessions, notes, findings, a case review, written feedback), the empty early stages last.
RICHEST = [
    Stage.DELIVERY,
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
    Stage.CASE_REVIEW,
    Stage.READY,
    Stage.PREPARATION,
    Stage.CLOSED,
    Stage.TEAM_FORMING,
    Stage.SCOPED,
    Stage.SCOPING_SCHEDULED,
    Stage.ENQUIRY,
    Stage.POSTPONED,
    Stage.CANCELLED,
    Stage.CLOSED_NOT_SUITABLE,
]

LINKS_JS = """() => Array.from(document.querySelectorAll("a[href]")).map((a) => [
    a.href, (a.textContent || a.getAttribute("aria-label") || "").replace(/\\s+/g, " ").trim(),
])"""
H1_JS = """() => Array.from(document.querySelectorAll("h1")).map((h) => h.textContent.trim())"""


@dataclass(frozen=True)
class Failure:
    """One check that failed: for whom, on which page, which check, and what it found."""

    role: str
    url: str
    kind: str
    detail: str


@dataclass
class Link:
    """What a link's path answered for one role."""

    status: int
    html: bool


@dataclass
class Crawl:
    """One role's crawl: what it saw, what failed, how long it took."""

    role: str
    origin: str
    failures: list[Failure] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    links: dict[tuple[str, str], Link] = field(default_factory=dict)
    # Bad links already reported (each once a role, on the first page that shows it).
    reported: set[str] = field(default_factory=set)
    seconds: float = 0.0
    spent: dict[str, float] = field(default_factory=dict)
    # Whether every page the role can reach was visited (the budget was not what stopped it).
    complete: bool = False

    def clock(self, what: str, since: float) -> float:
        """Add the time since `since` to `what`; return now."""
        now = time.monotonic()
        self.spent[what] = self.spent.get(what, 0.0) + now - since
        return now

    def fail(self, url: str, kind: str, detail: str) -> None:
        self.failures.append(Failure(self.role, url, kind, detail))


def pattern(url: str) -> tuple[str, bool]:
    """The dedupe key of a same-site URL: its route (or its path, outside our URLs), and whether
    it has a query string (one of each is visited)."""
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route or parts.path
    except Resolver404:
        route = parts.path
    return route, bool(parts.query)


def link_key(path: str) -> tuple[str, str]:
    """Links are fetched once a role per URL pattern and diagnostic: whether a role may open a
    page follows from its role on the diagnostic and the diagnostic's stage, not from which
    note, session or finding of that diagnostic the link names."""
    path = urlsplit(path).path
    try:
        match = resolve(path)
    except Resolver404:
        return path, ""
    return match.route or path, str(match.kwargs.get("ref", ""))


def local(href: str, origin: str) -> str | None:
    """`href` as a path (with its query), when it leads to this site; otherwise None."""
    href = urldefrag(href)[0]
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in(page: Page, email: str) -> None:
    """Sign in as a demo account, with its two-factor code if it has an authenticator app."""
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if email in TWO_FACTOR_ACCOUNTS:
        page.wait_for_url(re.compile(r"/sign-in/code/$"))
        page.get_by_label("Code", exact=True).fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def check_link(crawl: Crawl, page: Page, path: str) -> Link:
    """Fetch a link once per role and `link_key`, with the role's cookies; remember the answer."""
    key = link_key(path)
    if key not in crawl.links:
        response = page.request.get(path, timeout=TIMEOUT_MS * 3)
        kind = response.headers.get("content-type", "")
        attachment = "attachment" in response.headers.get("content-disposition", "")
        crawl.links[key] = Link(response.status, kind.startswith("text/html") and not attachment)
        response.dispose()
    return crawl.links[key]


def check_page(crawl: Crawl, page: Page, url: str) -> list[str]:
    """Run every check on the page now shown; return the same-site links worth crawling."""
    t = time.monotonic()
    found: dict[str, Any] = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] > WIDTH:
        culprits = "; ".join(found["offenders"][:3]) or "no single element found"
        crawl.fail(url, "reflow", f"{found['scrollWidth']}px wide: {culprits}")
    h1s: list[str] = page.evaluate(H1_JS)
    if len(h1s) != 1 or not h1s[0]:
        crawl.fail(url, "h1", f"{len(h1s)} <h1>: {h1s!r}")
    t = crawl.clock("reflow and h1", t)
    try:
        axe_check(page)
    except AssertionError as error:
        rules = [line[2:] for line in str(error).splitlines() if line.startswith("- ")]
        crawl.fail(url, "axe", "; ".join(rules))
    t = crawl.clock("axe", t)
    onward: list[str] = []
    for href, text in page.evaluate(LINKS_JS):
        path = local(href, crawl.origin)
        if path is None or NOT_FETCHED.search(path) or path in crawl.reported:
            continue
        link = check_link(crawl, page, path)
        if link.status >= 400:
            crawl.reported.add(path)
            crawl.fail(url, f"link answers {link.status}", f"{text!r} -> {path}")
        elif link.status == 200 and link.html and not NOT_CRAWLED.search(urlsplit(path).path):
            onward.append(path)
    crawl.clock("links", t)
    return onward


class Frontier:
    """The pages still to visit: breadth-first, but each diagnostic's pages in the order of
    RICHEST (pages of no diagnostic first). Each URL pattern is visited once, so the instance
    that is checked is the one with the most on it: the day grid of a week being delivered,
    not the empty grid of a diagnostic still at enquiry."""

    def __init__(self, stages: dict[str, str]) -> None:
        self.stages = stages
        self.heap: list[tuple[int, int, str]] = []
        self.order = itertools.count()

    def rank(self, path: str) -> int:
        """0 for a page of no diagnostic, then by the diagnostic's stage (RICHEST)."""
        try:
            ref = resolve(urlsplit(path).path).kwargs.get("ref")
        except Resolver404:
            return 0
        if not ref:
            return 0
        stage = self.stages.get(ref, "")
        return 1 + (RICHEST.index(stage) if stage in RICHEST else len(RICHEST))

    def add(self, path: str) -> None:
        """Put `path` in line, behind those of its rank already waiting."""
        heapq.heappush(self.heap, (self.rank(path), next(self.order), path))

    def pop(self) -> str:
        """The next page to visit."""
        return heapq.heappop(self.heap)[2]

    def pop_unseen(self, seen: set[tuple[str, bool]]) -> list[str]:
        """What is left that would still have been visited (once the crawl has stopped)."""
        left = []
        while self.heap:
            path = self.pop()
            if pattern(path) not in seen:
                left.append(path)
        return left

    def __bool__(self) -> bool:
        return bool(self.heap)


def crawl_as(
    browser: Browser, origin: str, role: str, email: str, *, budget: int, stages: dict[str, str]
) -> Crawl:
    """Sign in as `email` and crawl from the dashboard, visiting at most `budget` pages;
    `stages` gives each diagnostic's stage by reference (for the order of the crawl)."""
    crawl = Crawl(role, origin)
    started = time.monotonic()
    context: BrowserContext = browser.new_context(
        base_url=origin, locale="en-GB", viewport={"width": WIDTH, "height": HEIGHT}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    current = {"url": "/"}
    page.on("pageerror", lambda error: crawl.fail(current["url"], "script error", str(error)))

    def on_response(response: Any) -> None:
        # What the page fetches besides itself (htmx fragments, scripts, styles).
        if response.status >= 400 and not response.request.is_navigation_request():
            detail = f"{response.status} {response.request.method} {response.url}"
            crawl.fail(current["url"], "failed request", detail)

    page.on("response", on_response)
    try:
        sign_in(page, email)
        queue = Frontier(stages)
        queue.add("/")
        seen: set[tuple[str, bool]] = set()
        while queue and len(crawl.visited) < budget:
            url = queue.pop()
            if pattern(url) in seen:
                continue
            seen.add(pattern(url))
            current["url"] = url
            t = time.monotonic()
            try:
                response = page.goto(url)
                page.wait_for_load_state()
                crawl.clock("load", t)
            except PlaywrightError as error:
                crawl.fail(url, "page did not load", str(error).splitlines()[0])
                continue
            if response is None or response.status != 200:
                crawl.fail(url, "page status", str(response and response.status))
                continue
            landed = local(page.url, origin) or url
            if landed != url:
                if pattern(landed) in seen:
                    continue  # a redirect to a page of a pattern already checked
                seen.add(pattern(landed))
            crawl.visited.append(landed)
            for onward in check_page(crawl, page, landed):
                if pattern(onward) not in seen:
                    queue.add(onward)
        crawl.complete = not any(queue.pop_unseen(seen))
    finally:
        context.close()
        crawl.seconds = time.monotonic() - started
    return crawl


def report(crawls: list[Crawl]) -> str:
    """Every failure, grouped by kind, then by role and page."""
    failures = [f for c in crawls for f in c.failures]
    by_kind: dict[str, list[Failure]] = {}
    for f in failures:
        by_kind.setdefault(f.kind, []).append(f)
    lines = [f"{len(failures)} failure(s) in the crawl at {WIDTH} x {HEIGHT}:"]
    for kind in sorted(by_kind, key=lambda k: (-len(by_kind[k]), k)):
        patterns = {pattern(f.url)[0] for f in by_kind[kind]}
        lines.append(f"\n== {kind}: {len(by_kind[kind])} on {len(patterns)} URL pattern(s)")
        lines += [f"  [{f.role}] {f.url}: {f.detail}" for f in by_kind[kind]]
    lines.append("\nVisited: " + ", ".join(f"{c.role} {len(c.visited)}" for c in crawls))
    return "\n".join(lines)


def test_every_page_each_demo_role_reaches_reflows_and_passes_the_checks(
    browser: Browser, live_server: Any
) -> None:
    from django.apps import apps

    from peerdiag.demo.loader import load_demo

    started = time.monotonic()
    # An earlier transactional test in the same process leaves the tables empty, the LGA and the
    # councils (made by a data migration, and what the demo builds on) among them: load them
    # again as the migration does (it changes nothing when they are there).
    import_module("peerdiag.directory.migrations.0002_councils").load(apps, None)
    load_demo(timezone.localdate())
    loaded = time.monotonic() - started
    stages = dict(Diagnostic.objects.values_list("reference", "stage"))
    crawls = [
        crawl_as(browser, live_server.url, role, email, budget=PAGES_PER_ROLE, stages=stages)
        for role, email in ROLES.items()
    ]
    timings = ", ".join(
        f"{c.role} {c.seconds:.0f}s ({len(c.visited)} pages, {len(c.links)} links: "
        + ", ".join(f"{k} {v:.0f}s" for k, v in c.spent.items())
        + ")"
        for c in crawls
    )
    print(f"\ndemo loaded in {loaded:.0f}s; crawls: {timings}")
    if os.environ.get("PEERDIAG_CRAWL_VERBOSE"):
        for c in crawls:
            print(f"\n{c.role} visited:\n  " + "\n  ".join(c.visited))
    # The crawl must reach well past the dashboard for every role, or it proves nothing.
    for c in crawls:
        assert len(c.visited) >= min(10, PAGES_PER_ROLE), (c.role, c.visited, c.failures)
    # With the default budget, every role's whole reach (a smaller PEERDIAG_CRAWL_PAGES may stop
    # a crawl early on purpose).
    if PAGES_PER_ROLE == DEFAULT_BUDGET:
        short = [f"{c.role} ({len(c.visited)} pages)" for c in crawls if not c.complete]
        assert not short, f"stopped by the budget of {DEFAULT_BUDGET} pages: raise it: {short}"
    assert not any(c.failures for c in crawls), report(crawls)


def test_the_checks_find_what_they_look_for(page: Page, live_server: Any, world: World) -> None:
    """Each of the crawl's checks fails on a page made to break it: a box wider than the window,
    a second (empty) <h1>, a text box with no label, and a link the council sponsor may not use."""
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto("/sign-in/")
    sign_in_with_password(page, world.sponsor.email, PASSWORD)
    page.goto("/")
    team = reverse("web:team", args=[world.own.reference])
    page.evaluate(
        """(team) => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend", `<h1></h1><div id="wide">Wide</div>
                <input type="text"><a href="${team}">The team</a>`);
            // Set through the DOM: the Content-Security-Policy ignores style attributes.
            document.getElementById("wide").style.width = "600px";
        }""",
        team,
    )
    crawl = Crawl("council sponsor", live_server.url)
    assert check_page(crawl, page, "/") != []  # the dashboard's own links are still followed
    kinds = {f.kind: f.detail for f in crawl.failures}
    assert set(kinds) == {"reflow", "h1", "axe", "link answers 403"}, crawl.failures
    assert int(kinds["reflow"].split("px")[0]) > WIDTH
    assert kinds["h1"].startswith("2 <h1>") and kinds["h1"].endswith(", '']")
    assert kinds["axe"].startswith("label ")
    assert kinds["link answers 403"] == f"'The team' -> {team}"


def test_a_crawl_knows_when_its_budget_stopped_it() -> None:
    """What is left in line once the crawl stops, less the patterns already visited, is what
    the budget cut off: nothing, when the whole reach was crawled."""
    queue = Frontier({})
    for path in ("/", "/?stage=delivery", "/accessibility/", "/"):
        queue.add(path)
    seen = {pattern("/"), pattern("/?stage=delivery")}
    assert queue.pop_unseen(seen) == ["/accessibility/"]
    assert not queue and queue.pop_unseen(seen) == []
