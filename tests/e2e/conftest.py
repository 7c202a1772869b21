"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

Everything under tests/e2e is marked `e2e`, so `pytest -m "not e2e"` leaves it out.

- The browser is /usr/bin/chromium, never a downloaded one. Without it these tests are skipped,
  unless the environment variable CI is set: there a missing browser is an error.
- pytest-django's `live_server` serves static files through Django's staticfiles finders, so the
  front end built into assets/build (STATICFILES_DIRS) loads without `collectstatic`.
- `page` fails its test if any response the page receives is 4xx/5xx (except a path passed to
  `goto_expecting`) or if a script on the page throws.
- `axe_check(page)` runs axe-core (assets/build/axe/axe.min.js, built by `make assets`) on the
  page as it is now and fails on any WCAG 2.0, 2.1 or 2.2 A or AA violation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = PROJECT_DIR / "assets" / "build" / "axe" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected test, not only this folder's: mark ours alone.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)
            # WhiteNoise looks for STATIC_ROOT (var/static, made by collectstatic) and warns when
            # it is missing; here the live server's StaticFilesHandler serves assets/build.
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set: browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); browser tests skipped")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` first")
    # Playwright's sync API keeps an asyncio event loop in this thread, and Django's ORM (used by
    # the tests and their fixtures) refuses to run beside one unless told it is safe. Set only
    # while the browser is up: pytest-django runs live_server tests after all the others.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


class PageProblems:
    """Failed responses and uncaught script errors seen by one page, for the end-of-test check."""

    def __init__(self) -> None:
        self.bad_responses: list[str] = []
        self.script_errors: list[str] = []
        self.expected: set[str] = set()

    def on_response(self, response: Any) -> None:
        if response.status >= 400 and urlsplit(response.url).path not in self.expected:
            self.bad_responses.append(f"{response.status} {response.request.method} {response.url}")

    def on_page_error(self, error: Any) -> None:
        self.script_errors.append(str(error))


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()
    page.on("response", problems.on_response)
    page.on("pageerror", problems.on_page_error)
    page.problems = problems  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()
    assert not problems.bad_responses, "Failed requests:\n" + "\n".join(problems.bad_responses)
    assert not problems.script_errors, "Script errors:\n" + "\n".join(problems.script_errors)


def goto_expecting(page: Page, path: str, *, status: int) -> None:
    """Open `path`, whose response is expected to be `status` (a 404 page, say)."""
    page.problems.expected.add(path)  # type: ignore[attr-defined]
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path}: expected {status}, got {response.status}"


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the sign-in form on the current page; wait until it has gone."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def axe_check(page: Page) -> None:
    """Run axe-core on the page and fail on any WCAG 2.2 A/AA (or 2.0/2.1) violation."""
    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe === 'object'"):
        # Loaded from the app (same origin): the Content-Security-Policy forbids inline scripts.
        page.add_script_tag(url="/static/axe/axe.min.js")
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.map(String).join(" "),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        WCAG_TAGS,
    )
    if violations:
        raise AssertionError(_describe(page, violations))


def _describe(page: Page, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} WCAG A/AA violation(s) on {page.url} ({page.title()!r})"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.append(f"       {node['html'][:200]}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"       | {detail}")
    return "\n".join(lines)
