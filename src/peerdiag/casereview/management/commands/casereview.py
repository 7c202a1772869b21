"""`peerdiag casereview report REF -o FILE.docx` and `peerdiag casereview rotate-keys`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerdiag.casereview.domain.keys import rotate_by_model
from peerdiag.casereview.domain.report import build_docx, gather_report
from peerdiag.casereview.models import CaseReview
from peerdiag.common.fields import KeysMissing


class Command(BaseCommand):
    help = (
        "The case record review: write its report, or re-encrypt everything encrypted at rest "
        "with the newest key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="write the case review report as a Word file")
        report.add_argument("reference", help="the diagnostic's reference, e.g. RPD-2027-014")
        report.add_argument("-o", "--output", required=True, help="the .docx file to write")
        sub.add_parser(
            "rotate-keys",
            help="re-encrypt case content, evidence notes, quotes and KIT digests with the "
            "newest key",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "rotate-keys":
            try:
                changed = rotate_by_model()
            except KeysMissing as e:
                self._rotated(e.rotated)
                raise CommandError(str(e)) from None
            except ImproperlyConfigured as e:  # no usable key at all
                raise CommandError(str(e)) from None
            self._rotated(changed)
            return
        ref = options["reference"]
        review = (
            CaseReview.objects.select_related("diagnostic__host_council")
            .filter(diagnostic__reference=ref)
            .first()
        )
        if review is None:
            raise CommandError(f"{ref} has no case record review")
        out = Path(options["output"])
        if out.suffix.lower() != ".docx":
            raise CommandError("The output file must end in .docx")
        try:
            out.write_bytes(build_docx(gather_report(review)))
        except OSError as e:
            raise CommandError(f"Cannot write {out}: {e.strerror}") from None
        self.stdout.write(f"Wrote {out}")

    def _rotated(self, changed: dict[str, int]) -> None:
        for label, count in changed.items():
            if count:
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"Re-encrypted {sum(changed.values())} records with the newest key")
