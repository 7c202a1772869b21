#!/usr/bin/env python3
"""Print a diagnostic's published delivery week, day by day, from the peerdiag API.

Standard library only. Give the server and a token as options or in the environment:

    export PEERDIAG_URL=https://peerdiag.example
    export PEERDIAG_TOKEN=pd_...
    python3 read_week.py RPD-2027-014            # the latest published version
    python3 read_week.py RPD-2027-014 --version 2

A token with the `read` scope is enough. What it prints is what the token's user may see: a
council's token gets the week without the peer team's private sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from typing import Any

TIMEOUT_SECONDS = 30


class ApiError(Exception):
    """The API refused the request; the message says why."""


def fetch_week(base_url: str, token: str, reference: str, number: int | None = None) -> Any:
    """The published version `number` of the diagnostic's week (the latest if None), as the
    API's JSON: number, published_at, published_by, note, days [{day, date, sessions}]."""
    if not base_url.startswith(("https://", "http://")):
        raise ApiError(f"The server's address must start with https:// (got {base_url!r})")
    which = "latest" if number is None else str(number)
    path = f"/api/diagnostics/{urllib.parse.quote(reference, safe='')}/timetable/versions/{which}"
    request = urllib.request.Request(  # noqa: S310 (http and https only, checked above)
        base_url.rstrip("/") + path,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as e:
        raise ApiError(_why(e)) from e
    except urllib.error.URLError as e:
        raise ApiError(f"Could not reach {base_url}: {e.reason}") from e


def _why(e: urllib.error.HTTPError) -> str:
    try:
        detail = json.load(e).get("detail", "")
    except (ValueError, AttributeError):
        detail = ""
    if e.code == 404:
        return "No such diagnostic for this token, or nothing is published yet"
    if isinstance(detail, list):
        detail = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in detail)
    return f"The API answered {e.code}: {detail or e.reason}"


def format_week(reference: str, week: dict[str, Any]) -> list[str]:
    """The week as lines of text: a heading, then each day with its sessions in time order,
    each with its times, its title and who from the peer team is in it."""
    lines = [
        f"{reference}: timetable version {week['number']}, published {week['published_at'][:10]}"
        + (f" by {week['published_by']}" if week.get("published_by") else "")
    ]
    if week.get("note"):
        lines.append(f"Note: {week['note']}")
    if not week.get("days"):
        lines.append("No sessions you can see in this version.")
    for day in week.get("days", []):
        on = date.fromisoformat(day["date"])
        lines.append("")
        lines.append(f"Day {day['day']}, {on:%A} {on.day} {on:%B %Y}")
        for s in day["sessions"]:
            team = ", ".join(p["name"] for p in s["peers"]) or "nobody from the team"
            lines.append(f"  {s['start']}-{s['end']}  {s['title']} ({team})")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Read the options, fetch the week and print it. Returns the exit status."""
    parser = argparse.ArgumentParser(description="Print a published delivery week.")
    parser.add_argument("reference", help="The diagnostic's reference, like RPD-2027-014")
    parser.add_argument("--version", type=int, help="A published version (default: latest)")
    parser.add_argument("--url", default=os.environ.get("PEERDIAG_URL", ""), help="Server")
    parser.add_argument("--token", default=os.environ.get("PEERDIAG_TOKEN", ""), help="Token")
    args = parser.parse_args(argv)
    if not args.url or not args.token:
        parser.error("give --url and --token, or set PEERDIAG_URL and PEERDIAG_TOKEN")
    try:
        week = fetch_week(args.url, args.token, args.reference, args.version)
    except ApiError as e:
        print(e, file=sys.stderr)
        return 1
    print("\n".join(format_week(args.reference, week)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
