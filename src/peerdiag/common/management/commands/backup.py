"""``peerdiag backup FILE.tar.gz``: the database and every uploaded file, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerdiag.common.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz holding a database dump, every uploaded file (local storage) and a "
        "manifest of table row counts and file checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive to write, e.g. peerdiag-2027-03-01.tar.gz")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            manifest = create_backup(Path(file))
        except BackupError as exc:
            raise CommandError(exc.message) from None
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Backed up {len(manifest.tables)} tables ({rows} rows) and "
            f"{len(manifest.files)} files to {file}"
        )
        for what in manifest.skipped:
            self.stdout.write(f"Skipped: {what}")
