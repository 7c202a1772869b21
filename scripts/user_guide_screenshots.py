"""Take the user guide's two screenshots from a running peerdiag that holds the demo data.

Called by scripts/user-guide-screenshots.sh, which sets up the database and the server first:

    python scripts/user_guide_screenshots.py BASE_URL OUT_DIR OVERVIEW_PATH

It signs in with Playwright, driving Debian's Chromium (/usr/bin/chromium, never a downloaded
browser), in a window 1280 px wide, and writes two PNG files into OUT_DIR:

    todo-list.png       the organiser's home page, cropped to "Your to-do list"
    overview-tasks.png  the PCM's overview of the diagnostic in delivery, cropped to its task list

The demo accounts' password is in the environment variable USER_GUIDE_PASSWORD (the shell script
reads it from peerdiag.demo.cast); two-factor codes come from `peerdiag demo_code EMAIL`
(demo accounts only). On any failure it prints one line saying what went wrong and exits 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

if TYPE_CHECKING:
    from playwright._impl._api_structures import Clip

CHROMIUM = Path("/usr/bin/chromium")
# The same switches the browser tests use (tests/e2e/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTH = 1280
HEIGHT = 900
TIMEOUT_MS = 20_000
ORGANISER = "organiser@peerdiag.test"
PCM = "pcm@peerdiag.test"
MARGIN = 16  # px of page kept around a cropped element


class ScreenshotError(Exception):
    """Something went wrong: its message is the one line the script prints."""


def demo_code(email: str) -> str:
    peerdiag = Path(os.environ.get("PEERDIAG", ".venv/bin/peerdiag"))
    # A fixed program and arguments: nothing here comes from outside.
    done = subprocess.run(  # noqa: S603
        [str(peerdiag), "demo_code", email], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ScreenshotError(f"no two-factor code for {email}: {done.stderr.strip()}")
    return done.stdout.strip()


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(os.environ.get("USER_GUIDE_PASSWORD", ""))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/sign-in/code/" in page.url:
        page.get_by_label("Code", exact=True).fill(demo_code(email))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    if "/sign-in/" in page.url:
        raise ScreenshotError(f"could not sign in as {email} (still on {page.url})")


def crop(page: Page, selectors: list[str], path: Path) -> None:
    """Save the part of the page that holds every element `selectors` find, with a margin."""
    boxes = []
    for selector in selectors:
        for element in page.locator(selector).all():
            box = element.bounding_box()
            if box:
                boxes.append(box)
    if not boxes:
        raise ScreenshotError(f"nothing on {page.url} matches {', '.join(selectors)}")
    left = max(0.0, min(b["x"] for b in boxes) - MARGIN)
    top = max(0.0, min(b["y"] for b in boxes) - MARGIN)
    right = min(float(WIDTH), max(b["x"] + b["width"] for b in boxes) + MARGIN)
    bottom = max(b["y"] + b["height"] for b in boxes) + MARGIN
    clip: Clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    page.screenshot(path=str(path), clip=clip, full_page=True)
    print(f"Wrote {path} ({int(clip['width'])} x {int(clip['height'])} px)")


def todo_list(page: Page, out: Path) -> None:
    sign_in(page, ORGANISER)
    page.goto("/")
    items = page.locator("#todo-list .govuk-task-list__item").count()
    if items == 0:
        raise ScreenshotError(f"{ORGANISER}'s home page shows an empty to-do list")
    crop(page, ["#todo-list"], out / "todo-list.png")


def overview_tasks(page: Page, out: Path, overview: str) -> None:
    sign_in(page, PCM)
    response = page.goto(overview)
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        raise ScreenshotError(f"{overview} answered {status} to {PCM}")
    # The current stage's tasks, then the other stages folded under "Other stages".
    crop(page, ["#current-tasks", ".pd-section-details"], out / "overview-tasks.png")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: user_guide_screenshots.py BASE_URL OUT_DIR OVERVIEW_PATH", file=sys.stderr)
        return 2
    base_url, out, overview = argv[1], Path(argv[2]), argv[3]
    if not os.environ.get("USER_GUIDE_PASSWORD"):
        print(
            "user-guide-screenshots: USER_GUIDE_PASSWORD (the demo password) is not set",
            file=sys.stderr,
        )
        return 2
    if not CHROMIUM.exists():
        print(
            f"user-guide-screenshots: {CHROMIUM} is missing (apt-get install chromium)",
            file=sys.stderr,
        )
        return 1
    try:
        out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for take in (
                    lambda page: todo_list(page, out),
                    lambda page: overview_tasks(page, out, overview),
                ):
                    # A fresh context (no cookies) for each person.
                    context = browser.new_context(
                        base_url=base_url,
                        locale="en-GB",
                        viewport={"width": WIDTH, "height": HEIGHT},
                    )
                    context.set_default_timeout(TIMEOUT_MS)
                    try:
                        take(context.new_page())
                    finally:
                        context.close()
            finally:
                browser.close()
    except ScreenshotError as exc:
        print(f"user-guide-screenshots: {exc}", file=sys.stderr)
        return 1
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"user-guide-screenshots: the browser failed: {first}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"user-guide-screenshots: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
