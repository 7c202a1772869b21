"""Backing up and restoring the database and the uploaded files (`peerdiag backup|restore`).

A backup is one ``.tar.gz`` holding:

- ``database.dump``: for PostgreSQL a ``pg_dump`` custom-format dump; for SQLite a copy of the
  database made with SQLite's online backup API (safe while the app is running);
- ``media/...``: every file under MEDIA_ROOT (local storage only: object storage keeps its own
  versions, see docs/operations.md);
- ``manifest.json``: the row count of every table and the SHA-256 of every file, so that a
  restore can prove it brought back what was saved.

A restore goes only into an empty database (no tables at all) and an empty media folder, and
checks the counts and checksums against the manifest before it reports success.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3

# pg_dump and pg_restore run with a fixed argument list, never through a shell.
import subprocess  # nosec B404
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .errors import DomainError

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"


class BackupError(DomainError):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""


@dataclass(frozen=True)
class Manifest:
    engine: str  # "postgresql" or "sqlite"
    created_at: str
    tables: dict[str, int]
    files: dict[str, str]  # path under media/ -> sha256
    dump_sha256: str
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "engine": self.engine,
                "created_at": self.created_at,
                "tables": self.tables,
                "files": self.files,
                "dump_sha256": self.dump_sha256,
                "skipped": self.skipped,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(f"Unknown backup format {data.get('format')!r}")
            return cls(
                engine=str(data["engine"]),
                created_at=str(data["created_at"]),
                tables={str(k): int(v) for k, v in data["tables"].items()},
                files={str(k): str(v) for k, v in data["files"].items()},
                dump_sha256=str(data["dump_sha256"]),
                skipped=[str(s) for s in data.get("skipped", [])],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The backup's manifest is unreadable ({exc})") from None


def _engine(db: dict[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run_pg(tool: str, args: list[str], db: dict[str, Any]) -> None:
    """Run pg_dump or pg_restore; BackupError with the tool's last line of output on failure."""
    result = subprocess.run(  # nosec B603  # noqa: S603
        [_tool(tool), *args],
        env=_pg_env(db),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{tool} failed: {last}")


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name: str) -> str:
    """The full path of a PostgreSQL client program on PATH."""
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (it comes with PostgreSQL's client tools)")
    return found


def _pg_connect(db: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        connect_timeout=10,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_tables(cursor: Any, names: list[str]) -> dict[str, int]:
    counts = {}
    for name in sorted(names):
        # Table names come from the database's own catalogue, quoted: not user input.
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")  # nosec B608  # noqa: S608
        counts[name] = int(cursor.fetchone()[0])
    return counts


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _media_files(root: Path) -> Iterator[Path]:
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def create_backup(out: Path, *, using: str = "default") -> Manifest:
    """Write a backup of database `using` and MEDIA_ROOT to `out` (a .tar.gz)."""
    db = connections[using].settings_dict
    engine = _engine(db)
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name")
    if not out.parent.is_dir():
        raise BackupError(f"The folder {out.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix="peerdiag-backup-") as tmp:
        dump = Path(tmp) / DUMP
        connection = connections[using]
        connection.ensure_connection()
        if engine == "postgresql":
            # Counts and dump read the same committed data: the dump runs right after.
            with connection.cursor() as cursor:
                tables = _count_tables(cursor, _pg_tables(cursor))
            _run_pg(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-acl", "-f", str(dump), str(db["NAME"])],
                db,
            )
        else:
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
            # Count from the copy: exactly what the backup holds.
            copy = sqlite3.connect(dump)
            try:
                tables = _count_tables(copy.cursor(), _sqlite_tables(copy.cursor()))
            finally:
                copy.close()
        media_root = Path(settings.MEDIA_ROOT)
        skipped: list[str] = []
        storage_kind = getattr(settings, "STORAGE_KIND", "local")
        files: dict[str, str] = {}
        if storage_kind == "local":
            for path in _media_files(media_root):
                files[path.relative_to(media_root).as_posix()] = sha256_file(path)
        else:
            skipped.append(
                f"uploaded files in {storage_kind} storage (use the bucket's own versioning)"
            )
        manifest = Manifest(
            engine=engine,
            created_at=timezone.now().isoformat(),
            tables=tables,
            files=files,
            dump_sha256=sha256_file(dump),
            skipped=skipped,
        )
        manifest_path = Path(tmp) / MANIFEST
        manifest_path.write_text(manifest.to_json(), encoding="utf-8")
        partial = out.with_name(out.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(manifest_path, arcname=MANIFEST)
                tar.add(dump, arcname=DUMP)
                for rel in files:
                    tar.add(media_root / rel, arcname=f"{MEDIA}/{rel}")
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _open_archive(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}")
    try:
        return tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} is not a readable backup ({exc})") from None


def _extract(archive: Path, into: Path) -> Manifest:
    with _open_archive(archive) as tar:
        try:
            members = tar.getmembers()
            for member in members:
                if not _safe_member(member.name) or not (member.isfile() or member.isdir()):
                    raise BackupError(f"The backup holds an unsafe entry: {member.name!r}")
            # Every member was checked above, and the "data" filter refuses links and devices.
            tar.extractall(into, members=members, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive} is damaged ({exc})") from None
    if not (into / MANIFEST).is_file() or not (into / DUMP).is_file():
        raise BackupError(f"{archive} is not a peerdiag backup (no manifest or dump)")
    manifest = Manifest.from_json((into / MANIFEST).read_bytes())
    if sha256_file(into / DUMP) != manifest.dump_sha256:
        raise BackupError("The database dump does not match its checksum in the manifest")
    return manifest


def target_tables(db: dict[str, Any]) -> list[str]:
    """The tables already in database `db` (a Django DATABASES entry)."""
    if _engine(db) == "postgresql":
        with _pg_connect(db) as conn, conn.cursor() as cursor:
            return _pg_tables(cursor)
    path = Path(str(db["NAME"]))
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return _sqlite_tables(conn.cursor())
    finally:
        conn.close()


def target_counts(db: dict[str, Any]) -> dict[str, int]:
    if _engine(db) == "postgresql":
        with _pg_connect(db) as conn, conn.cursor() as cursor:
            return _count_tables(cursor, _pg_tables(cursor))
    conn = sqlite3.connect(str(db["NAME"]))
    try:
        return _count_tables(conn.cursor(), _sqlite_tables(conn.cursor()))
    finally:
        conn.close()


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    tables: int
    rows: int
    files: int


def restore_backup(archive: Path, *, db: dict[str, Any], media_root: Path) -> RestoreResult:
    """Restore `archive` into the empty database `db` and empty folder `media_root`, then
    check every table count and file checksum against the manifest."""
    engine = _engine(db)
    archive = Path(archive)
    media_root = Path(media_root)
    with tempfile.TemporaryDirectory(prefix="peerdiag-restore-") as tmp:
        work = Path(tmp)
        manifest = _extract(archive, work)
        if manifest.engine != engine:
            raise BackupError(
                f"The backup is of a {manifest.engine} database; this one is {engine}"
            )
        existing = target_tables(db)
        if existing:
            raise BackupError(
                f"The database is not empty ({len(existing)} tables); restore needs a new one"
            )
        if media_root.exists() and any(media_root.iterdir()):
            raise BackupError(f"The media folder {media_root} is not empty")
        if engine == "postgresql":
            _run_pg(
                "pg_restore",
                [
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    "--single-transaction",
                    "-d",
                    str(db["NAME"]),
                    str(work / DUMP),
                ],
                db,
            )
        else:
            source = sqlite3.connect(work / DUMP)
            target = sqlite3.connect(str(db["NAME"]))
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        media_dir = work / MEDIA
        for rel in manifest.files:
            dest = media_root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(media_dir / rel, dest)
        counts = target_counts(db)
        wrong = [
            f"{name}: {counts.get(name)} rows, expected {n}"
            for name, n in manifest.tables.items()
            if counts.get(name) != n
        ]
        if wrong:
            raise BackupError("Restored row counts differ: " + "; ".join(wrong[:5]))
        bad = [
            rel for rel, digest in manifest.files.items() if sha256_file(media_root / rel) != digest
        ]
        if bad:
            raise BackupError("Restored files differ from the manifest: " + ", ".join(bad[:5]))
    return RestoreResult(
        manifest=manifest,
        tables=len(manifest.tables),
        rows=sum(manifest.tables.values()),
        files=len(manifest.files),
    )
