"""``peerdiag report presentation|written``: the feedback files of a diagnostic, from the database.

    peerdiag report presentation REF -o FILE.pptx [--draft]
    peerdiag report written REF -o FILE.docx [--pdf FILE.pdf] [--draft]

Both are made from the approved findings and recommendations on the drafting board, in board
order; ``--draft`` takes the unapproved ones too and marks every slide or page "Draft". Anything
to fix (an unknown reference, nothing approved yet, a missing -o) exits 2 with one line on
stderr saying what to do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import feedback_for
from peerdiag.reports.render.docx import build_report
from peerdiag.reports.render.pdf import build_report_pdf
from peerdiag.reports.render.pptx import build_presentation

KINDS = ("presentation", "written")
EXIT_OK, EXIT_FIX = 0, 2
SUFFIX = {"presentation": ".pptx", "written": ".docx"}


class _Parser(argparse.ArgumentParser):
    """Argument mistakes become one line, like every other mistake."""

    def error(self, message: str) -> NoReturn:
        raise DomainError(message)


def _parser(kind: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"peerdiag report {kind}", add_help=False)
    parser.add_argument("reference", metavar="REF")
    parser.add_argument("-o", "--output", metavar="FILE")
    if kind == "written":
        parser.add_argument("--pdf", metavar="FILE")
    parser.add_argument("--draft", action="store_true")
    return parser


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise DomainError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def run(kind: str, argv: list[str]) -> list[str]:
    """Make and write the files; returns the lines to print. DomainError: what to fix."""
    args = _parser(kind).parse_args(argv)
    suffix = SUFFIX[kind]
    if not args.output:
        raise DomainError(f"Say where to write it: give -o FILE{suffix}")
    if not args.output.lower().endswith(suffix):
        raise DomainError(f"-o {args.output}: the file name must end in {suffix}")
    pdf_path = getattr(args, "pdf", None)
    if pdf_path is not None and not pdf_path.lower().endswith(".pdf"):
        raise DomainError(f"--pdf {pdf_path}: the file name must end in .pdf")
    diagnostic = Diagnostic.objects.filter(reference__iexact=args.reference.strip()).first()
    if diagnostic is None:
        raise DomainError(
            f"No diagnostic has the reference {args.reference!r}: check it and try again"
        )
    fb = feedback_for(diagnostic, draft=args.draft)
    if not args.draft and not (fb.strengths or fb.areas):
        raise DomainError(
            f"{diagnostic.reference} has no approved findings yet: approve them on the "
            "drafting board, or add --draft for a draft"
        )
    done: list[str] = []
    if kind == "presentation":
        _write(args.output, build_presentation(fb))
        done.append(f"Wrote {args.output}")
    else:
        _write(args.output, build_report(fb))
        done.append(f"Wrote {args.output}")
        if pdf_path:
            _write(pdf_path, build_report_pdf(fb))
            done.append(f"Wrote {pdf_path}")
    return done


class Command(BaseCommand):
    help = (
        "Feedback files from the approved findings: 'presentation REF -o FILE.pptx' or "
        "'written REF -o FILE.docx [--pdf FILE.pdf]'; add --draft to include unapproved "
        "findings, marked as a draft."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="presentation or written")
        parser.add_argument(
            "args",
            nargs=argparse.REMAINDER,
            help="REF -o FILE [--pdf FILE.pdf] [--draft]",
        )

    def handle(self, *args: str, **options: Any) -> None:
        kind = options["kind"]
        try:
            lines = run(kind, list(args))
        except DomainError as exc:
            self.stderr.write(f"peerdiag report {kind}: {exc.message}")
            sys.exit(EXIT_FIX)
        for line in lines:
            self.stdout.write(line)
