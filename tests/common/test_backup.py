"""`peerdiag backup` and `peerdiag restore`: a round trip into a fresh database, and bad input."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from peerdiag.common.backup import (
    BackupError,
    create_backup,
    restore_backup,
    sha256_file,
    target_counts,
)
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.models import DocumentVersion
from tests.documents.helpers import PDF, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_db(tmp_path):  # type: ignore[no-untyped-def]
    """A new, empty database of the same kind as the one under test; dropped afterwards."""
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = str(tmp_path / "restored.sqlite3")
        yield db
        return
    import psycopg

    name = f"peerdiag_restore_{uuid.uuid4().hex[:12]}"
    admin = dict(db, NAME="postgres")

    def run(sql: str) -> None:
        with psycopg.connect(
            dbname="postgres",
            host=admin.get("HOST") or None,
            port=admin.get("PORT") or None,
            user=admin.get("USER") or None,
            password=admin.get("PASSWORD") or None,
            autocommit=True,
        ) as conn:
            conn.execute(sql)

    run(f'CREATE DATABASE "{name}"')
    db["NAME"] = name
    try:
        yield db
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fill(world, settings) -> DocumentVersion:  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    supply_document(ask, by=world.organiser, file=upload(PDF, "plan.pdf"), name="plan.pdf")
    return supply_document(
        ask, by=world.organiser, file=upload(PDF + b"v2", "plan.pdf"), name="plan.pdf"
    )


def test_a_backup_restores_into_a_fresh_database_with_the_same_counts_and_files(
    world, settings, tmp_path, fresh_db
):  # type: ignore[no-untyped-def]
    version = _fill(world, settings)
    archive = tmp_path / "backup.tar.gz"
    manifest = create_backup(archive)

    # The manifest counts what is there, and holds every uploaded file's checksum.
    assert manifest.tables["documents_documentversion"] == 2
    assert manifest.tables["accounts_user"] == len(world.users())
    assert manifest.tables["diagnostics_auditentry"] >= 3
    media = Path(settings.MEDIA_ROOT)
    on_disk = {
        p.relative_to(media).as_posix(): sha256_file(p) for p in media.rglob("*") if p.is_file()
    }
    assert len(on_disk) == 2 and manifest.files == on_disk
    assert manifest.files[version.file.name] == hashlib.sha256(PDF + b"v2").hexdigest()

    restored_media = tmp_path / "restored-media"
    result = restore_backup(archive, db=fresh_db, media_root=restored_media)

    assert result.files == 2 and result.rows == sum(manifest.tables.values())
    assert target_counts(fresh_db) == manifest.tables
    assert {
        p.relative_to(restored_media).as_posix(): sha256_file(p)
        for p in restored_media.rglob("*")
        if p.is_file()
    } == on_disk

    # A second restore into the now-full database is refused, and changes nothing.
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(archive, db=fresh_db, media_root=tmp_path / "other-media")
    assert target_counts(fresh_db) == manifest.tables


def test_restore_refuses_a_missing_file_with_one_line_and_a_failing_exit(tmp_path):  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.tar.gz"
    proc = subprocess.run(  # noqa: S603 (a fixed command line)
        [
            sys.executable,
            "-m",
            "peerdiag",
            "restore",
            str(missing),
            "--media-root",
            str(tmp_path / "m"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"CommandError: No backup file at {missing}"]


def test_restore_refuses_a_corrupt_or_foreign_archive(tmp_path, fresh_db):  # type: ignore[no-untyped-def]
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b\x08\x00 this is not really gzip")
    with pytest.raises(CommandError, match=r"not a readable backup|damaged") as info:
        call_command("restore", str(garbage), "--media-root", str(tmp_path / "m"))
    assert "\n" not in str(info.value)

    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        data = b"hello"
        member = tarfile.TarInfo("notes.txt")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="not a peerdiag backup"):
        restore_backup(foreign, db=fresh_db, media_root=tmp_path / "m")
    assert target_counts(fresh_db) == {}


def test_a_tampered_dump_is_refused_before_anything_is_written(world, tmp_path, fresh_db):  # type: ignore[no-untyped-def]
    archive = tmp_path / "backup.tar.gz"
    create_backup(archive)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (unpacked / "database.dump").write_bytes(b"tampered")
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for p in unpacked.iterdir():
            tar.add(p, arcname=p.name)
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore_backup(tampered, db=fresh_db, media_root=tmp_path / "m")
    assert target_counts(fresh_db) == {}


def test_backup_command_reports_what_it_wrote_and_refuses_to_overwrite(world, tmp_path):  # type: ignore[no-untyped-def]
    archive = tmp_path / "b.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert archive.is_file() and "Backed up" in out.getvalue() and "0 files" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(archive))
