"""``peerdiag subject_access EMAIL -o FILE.json``: a subject access export for one person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerdiag.common.errors import DomainError
from peerdiag.privacy.domain.subject_access import subject_access_export


class Command(BaseCommand):
    help = "Write everything held about the person with this e-mail address to a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's e-mail address")
        parser.add_argument("-o", "--output", required=True, help="the JSON file to write")

    def handle(self, *args: Any, email: str, output: str, **options: Any) -> None:
        try:
            export = subject_access_export(email)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        path = Path(output)
        if path.exists():
            raise CommandError(f"{path} already exists; choose a new file name")
        path.write_text(json.dumps(export, indent=2, default=str), encoding="utf-8")
        held = sum(len(v) for v in export.values() if isinstance(v, list))
        self.stdout.write(f"Wrote {held} records about {email} to {path}")
