"""Check pinned packages against a copy of the OSV vulnerability database, with no network.

    python scripts/osv_audit.py requirements.lock OSV_DATA [--ignore ID ...]

OSV_DATA is the PyPI export of https://osv.dev (the file `PyPI/all.zip` of the public bucket
osv-vulnerabilities, or a folder of its JSON files). A machine that cannot reach PyPI's JSON API
or OSV (so pip-audit cannot run) can still be checked against a copy brought in by hand or by a
mirror job; scripts/security-scan.sh uses this when OSV_DATABASE names such a copy.

Prints one line per vulnerable pin and a summary; exits 1 if any pin is vulnerable, 2 if the
requirements or the database cannot be read (with one line saying what to fix), else 0.
Withdrawn advisories are skipped. A version is affected if the advisory lists it, or if it falls
in one of its ECOSYSTEM/SEMVER ranges (introduced <= v < fixed, or <= last_affected).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from packaging.version import InvalidVersion, Version


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+).*", line)
        if match is None:
            raise ValueError(f"{path}: '{raw.strip()}' is not an exact pin (name==version)")
        pins[normalise(match.group(1))] = match.group(3)
    return pins


def advisories(source: Path) -> Iterator[dict]:
    if source.is_dir():
        for item in sorted(source.glob("*.json")):
            yield json.loads(item.read_text())
        return
    with zipfile.ZipFile(source) as archive:
        for name in archive.namelist():
            if name.endswith(".json"):
                yield json.loads(archive.read(name))


def _closes(event: dict, version: Version) -> bool:
    """Whether a fixed/last_affected event puts `version` past the end of its stretch."""
    if "fixed" in event:
        return version >= Version(event["fixed"])
    if "last_affected" in event:
        return version > Version(event["last_affected"])
    return False


def _in_range(version: Version, events: list[dict]) -> bool:
    """OSV range events, in order: introduced opens a stretch, fixed/last_affected closes it."""
    affected = False
    for event in events:
        try:
            if "introduced" in event:
                start = event["introduced"]
                if start == "0" or version >= Version(start):
                    affected = True
            elif _closes(event, version):
                affected = False
        except InvalidVersion:
            continue
    return affected


def is_affected(version_text: str, affected: dict) -> bool:
    if version_text in affected.get("versions", []):
        return True
    try:
        version = Version(version_text)
    except InvalidVersion:
        return False
    for rng in affected.get("ranges", []):
        if rng.get("type") in ("ECOSYSTEM", "SEMVER") and _in_range(version, rng.get("events", [])):
            return True
    return False


def fixed_versions(affected: dict) -> list[str]:
    return [
        event["fixed"]
        for rng in affected.get("ranges", [])
        for event in rng.get("events", [])
        if "fixed" in event
    ]


def audit(pins: dict[str, str], source: Path, ignore: set[str]) -> tuple[list[str], int]:
    """Returns (lines for vulnerable pins, number of advisories read)."""
    found: list[str] = []
    read = 0
    for advisory in advisories(source):
        read += 1
        if advisory.get("withdrawn"):
            continue
        ids = {advisory.get("id", "")} | set(advisory.get("aliases", []))
        if ids & ignore:
            continue
        for affected in advisory.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") != "PyPI":
                continue
            name = normalise(package.get("name", ""))
            if name in pins and is_affected(pins[name], affected):
                fixes = ", ".join(fixed_versions(affected)) or "no fixed version"
                found.append(
                    f"VULNERABLE {name} {pins[name]}: {advisory.get('id')} (fixed in {fixes})"
                )
    return sorted(set(found)), read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", type=Path)
    parser.add_argument("database", type=Path)
    parser.add_argument("--ignore", action="append", default=[], metavar="ID")
    args = parser.parse_args(argv)
    try:
        pins = read_pins(args.requirements)
    except OSError as exc:
        print(f"osv_audit: cannot read {args.requirements}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"osv_audit: {exc}", file=sys.stderr)
        return 2
    if not args.database.exists():
        print(
            f"osv_audit: no OSV database at {args.database}; download PyPI/all.zip from "
            "the osv-vulnerabilities bucket and point OSV_DATABASE at it",
            file=sys.stderr,
        )
        return 2
    try:
        found, read = audit(pins, args.database, set(args.ignore))
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        print(f"osv_audit: {args.database} is not an OSV export ({exc})", file=sys.stderr)
        return 2
    if read == 0:
        print(f"osv_audit: {args.database} holds no advisories", file=sys.stderr)
        return 2
    for line in found:
        print(line)
    vulnerable = len({line.split()[1] for line in found})
    print(f"{len(pins)} packages, {vulnerable} with known vulnerabilities ({read} advisories read)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
