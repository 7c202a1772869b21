"""The offline dependency audit: pinned packages checked against a copy of OSV's PyPI export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "osv_audit.py"


def _advisory(ident: str, package: str, events: list[dict], **extra: object) -> dict:
    return {
        "id": ident,
        "aliases": extra.pop("aliases", []),
        "affected": [
            {
                "package": {"ecosystem": extra.pop("ecosystem", "PyPI"), "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": extra.pop("versions", []),
            }
        ],
        **extra,
    }


def _zip(tmp_path: Path, items: list[dict]) -> Path:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for item in items:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    return path


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def pins(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.lock"
    path.write_text("# pins\nDjango==5.2.19\nsome_pkg==1.4.0\nother-pkg==2.0\n")
    return path


def test_a_pinned_version_inside_a_range_fails_the_audit(tmp_path: Path, pins: Path) -> None:
    db = _zip(
        tmp_path,
        [
            _advisory("PYSEC-2099-1", "Some.Pkg", [{"introduced": "1.0"}, {"fixed": "1.4.1"}]),
            _advisory("PYSEC-2099-2", "django", [{"introduced": "0"}, {"fixed": "5.2.19"}]),
        ],
    )
    result = _run(pins, db)
    assert result.returncode == 1, result.stderr
    assert "VULNERABLE some-pkg 1.4.0: PYSEC-2099-1 (fixed in 1.4.1)" in result.stdout
    # Django is pinned at the fixed version, so that advisory does not apply.
    assert "django" not in result.stdout.lower().split("packages")[0]
    assert "3 packages, 1 with known vulnerabilities (2 advisories read)" in result.stdout


def test_listed_versions_and_last_affected_count(tmp_path: Path, pins: Path) -> None:
    db = _zip(
        tmp_path,
        [
            _advisory("GHSA-aaaa", "other-pkg", [], versions=["2.0"]),
            _advisory("GHSA-bbbb", "django", [{"introduced": "5.0"}, {"last_affected": "5.2.19"}]),
        ],
    )
    result = _run(pins, db)
    assert result.returncode == 1
    assert "VULNERABLE other-pkg 2.0: GHSA-aaaa (fixed in no fixed version)" in result.stdout
    assert "VULNERABLE django 5.2.19: GHSA-bbbb" in result.stdout


def test_clean_pins_withdrawn_other_ecosystems_and_ignored_ids_pass(
    tmp_path: Path, pins: Path
) -> None:
    db = _zip(
        tmp_path,
        [
            _advisory("PYSEC-2099-3", "django", [{"introduced": "4.0"}, {"fixed": "4.2"}]),
            _advisory(
                "PYSEC-2099-4",
                "some-pkg",
                [{"introduced": "0"}],
                withdrawn="2099-01-01T00:00:00Z",
            ),
            _advisory("GHSA-npm1", "other-pkg", [{"introduced": "0"}], ecosystem="npm"),
            _advisory("PYSEC-2099-5", "other-pkg", [{"introduced": "0"}], aliases=["CVE-2099-5"]),
        ],
    )
    unignored = _run(pins, db, "--ignore", "PYSEC-2099-99")
    assert unignored.returncode == 1
    assert unignored.stdout.startswith("VULNERABLE other-pkg 2.0: PYSEC-2099-5")
    assert _run(pins, db, "--ignore", "PYSEC-2099-5").returncode == 0
    result = _run(pins, db, "--ignore", "CVE-2099-5")
    assert result.returncode == 0, result.stdout
    assert "3 packages, 0 with known vulnerabilities (4 advisories read)" in result.stdout


def test_a_folder_of_json_files_works_like_the_zip(tmp_path: Path, pins: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    item = _advisory("PYSEC-2099-6", "some-pkg", [{"introduced": "1.3"}, {"fixed": "2.0"}])
    (folder / "PYSEC-2099-6.json").write_text(json.dumps(item))
    result = _run(pins, folder)
    assert result.returncode == 1
    assert "PYSEC-2099-6" in result.stdout


def test_unreadable_inputs_exit_2_with_one_line(tmp_path: Path, pins: Path) -> None:
    missing = _run(pins, tmp_path / "nothing.zip")
    assert missing.returncode == 2
    assert "no OSV database at" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    corrupt = _run(pins, bad)
    assert corrupt.returncode == 2
    assert "is not an OSV export" in corrupt.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no advisories" in _run(pins, empty).stderr

    loose = tmp_path / "loose.txt"
    loose.write_text("django>=5\n")
    unpinned = _run(loose, empty)
    assert unpinned.returncode == 2
    assert "'django>=5' is not an exact pin" in unpinned.stderr


def test_the_project_lock_file_is_read_in_full() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import osv_audit  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SCRIPT.parent))
    pins = osv_audit.read_pins(ROOT / "requirements.lock")
    lines = [
        line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    assert len(pins) == len(lines)
    assert pins["django"].startswith("5.2.")


@pytest.mark.own_database  # no database at all
def test_the_security_scan_uses_the_offline_copy_and_fails_on_a_finding(
    tmp_path: Path,
) -> None:
    pinned = (ROOT / "requirements.lock").read_text()
    django = next(line for line in pinned.splitlines() if line.lower().startswith("django=="))
    version = django.split("==")[1]
    db = _zip(
        tmp_path,
        [_advisory("PYSEC-2099-7", "django", [{"introduced": "0"}], versions=[version])],
    )
    env = {**os.environ, "OSV_DATABASE": str(db)}
    env.pop("SECURITY_SCAN_STRICT", None)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["/bin/bash", str(ROOT / "scripts" / "security-scan.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"VULNERABLE django {version}: PYSEC-2099-7" in result.stdout
    assert "against the OSV copy" in result.stdout
    assert "Security scan FAILED" in result.stdout
