"""Finding 10 of issue 15 (files at rest): the database, var/ and uploads are the service's alone.

Under a default umask (022) the SQLite database and uploaded files were world-readable
(0644, folders 0755). Every process that loads peerdiag's settings now sets umask 077, and
uploads are stored 0600 in 0700 folders. These tests start the real `peerdiag` command from a
shell whose umask is 022, as a fresh terminal's is, and look at the mode bits of what it made.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def _env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PEERDIAG_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return env | {"PEERDIAG_VAR_DIR": str(var)}


def _peerdiag(var: Path, *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "peerdiag", *args],
        env=_env(var),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # A permissive umask in the parent, as a login shell usually has.
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.own_database  # its own SQLite file
def test_the_database_and_media_files_are_readable_by_the_service_account_only(tmp_path):  # type: ignore[no-untyped-def]
    var = tmp_path / "var"
    var.mkdir()
    _peerdiag(var, "migrate", "--noinput", "-v0")
    database = var / "peerdiag.sqlite3"
    assert database.exists()
    assert _mode(database) == 0o600
    # An upload through Django's storage (as documents and case lists are stored), and a file
    # and folder written directly (as exports and backups are).
    _peerdiag(
        var,
        "shell",
        "-c",
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "default_storage.save('documents/RPD-2027-014/plan.docx', ContentFile(b'x'))\n"
        "from django.conf import settings\n"
        "(settings.VAR_DIR / 'exports').mkdir()\n"
        "(settings.VAR_DIR / 'exports' / 'pack.zip').write_bytes(b'x')\n",
    )
    media = var / "media"
    upload = media / "documents" / "RPD-2027-014" / "plan.docx"
    assert _mode(upload) == 0o600
    for folder in (media, media / "documents", upload.parent, var / "exports"):
        assert _mode(folder) == 0o700, folder
    assert _mode(var / "exports" / "pack.zip") == 0o600


@pytest.mark.parametrize(
    "setting", ["FILE_UPLOAD_PERMISSIONS", "FILE_UPLOAD_DIRECTORY_PERMISSIONS"]
)
def test_uploads_are_not_chmodded_open_again(settings, setting: str) -> None:
    # Django chmods each upload to FILE_UPLOAD_PERMISSIONS (default 0644) whatever the umask.
    assert getattr(settings, setting) & 0o077 == 0


def test_this_process_has_the_private_umask_too() -> None:
    # pytest loaded the same settings, so the test process itself runs under umask 077.
    current = os.umask(0o077)
    os.umask(current)
    assert current == 0o077
