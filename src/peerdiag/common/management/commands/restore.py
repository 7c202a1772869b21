"""``peerdiag restore FILE.tar.gz``: restore a backup into an empty database and media folder.

By default into the configured database (DATABASE_URL) and MEDIA_ROOT; ``--database-url`` and
``--media-root`` point it elsewhere. It refuses a database that already has tables, then checks
every table's row count and every file's SHA-256 against the backup's manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from peerdiag.common.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `peerdiag backup` into an empty database, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive written by `peerdiag backup`")
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument("--media-root", help="restore the files into this folder instead")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        url = options.get("database_url")
        try:
            db = dict(dj_database_url.parse(url)) if url else connections["default"].settings_dict
        except Exception as exc:
            raise CommandError(f"--database-url is not a database address: {exc}") from None
        media_root = Path(options.get("media_root") or settings.MEDIA_ROOT)
        connections.close_all()
        try:
            result = restore_backup(Path(file), db=db, media_root=media_root)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Restored and verified {result.tables} tables ({result.rows} rows) and "
            f"{result.files} files from {file}"
        )
