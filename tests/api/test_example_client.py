"""The example client in docs/examples/read_week.py, run as a script against a live server with a
real token: it prints the published week as the token's user may see it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from peerdiag.accounts.models import ApiToken
from peerdiag.timetable.domain.versions import publish
from tests.timetable.helpers import generate, planned_week

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "read_week.py"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # No proxy for the test server, whatever the machine's settings.
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(SCRIPT), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _expected_days(snapshot: dict[str, Any]) -> list[str]:
    """The week's days as the council sees them, built from the stored version, not through
    the API."""
    lines: list[str] = []
    by_day: dict[int, list[dict[str, Any]]] = {}
    for s in snapshot["sessions"]:
        if not s["internal"]:
            by_day.setdefault(s["day"], []).append(s)
    for day, sessions in sorted(by_day.items()):
        on = date.fromisoformat(sessions[0]["date"])
        lines += ["", f"Day {day}, {on:%A} {on.day} {on:%B %Y}"]
        for s in sessions:
            team = ", ".join(p["name"] for p in s["peers"]) or "nobody from the team"
            lines.append(f"  {s['start']}-{s['end']}  {s['title']} ({team})")
    return lines


@pytest.mark.django_db(transaction=True)
def test_the_example_client_prints_the_published_week(world: Any, live_server: Any) -> None:
    week = planned_week(world.own)
    assert generate(week.d, world.pcm).state == "done"
    version = publish(week.d, by=world.pcm, notify=False)
    _, token = ApiToken.issue(world.sponsor, "example client")  # a council reader's token
    done = _run(
        world.own.reference,
        env={"PEERDIAG_URL": live_server.url, "PEERDIAG_TOKEN": token},
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    heading, *days = printed
    published = version.published_at.date().isoformat()
    assert heading == (
        f"{world.own.reference}: timetable version 1, published {published} by {world.pcm}"
    )
    assert days == _expected_days(version.snapshot)
    assert len(days) > 10
    titles = [s["title"] for s in version.snapshot["sessions"] if s["internal"]]
    assert titles, "the week has peer team meetings, which the council must not see"
    assert not any(t in done.stdout for t in titles)


@pytest.mark.django_db(transaction=True)
def test_the_example_client_says_why_it_got_nothing(world: Any, live_server: Any) -> None:
    _, token = ApiToken.issue(world.sponsor, "example client")
    nothing = _run(
        world.own.reference, env={"PEERDIAG_URL": live_server.url, "PEERDIAG_TOKEN": token}
    )
    assert nothing.returncode == 1
    assert "nothing is published yet" in nothing.stderr
    refused = _run(
        world.own.reference,
        "--token",
        "pd_not-a-token",
        env={"PEERDIAG_URL": live_server.url, "PEERDIAG_TOKEN": ""},
    )
    assert refused.returncode == 1
    assert "The API answered 401" in refused.stderr
