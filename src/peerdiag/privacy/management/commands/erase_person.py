"""``peerdiag erase_person EMAIL [--reason TEXT] [--force] [--yes]``: erase one person on request.

Exit status: 0 erased; 1 no one is held under the address; 2 the person is on the team of a
diagnostic that has not ended (and --force was not given); 3 not confirmed, nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerdiag.common.errors import DomainError
from peerdiag.privacy.domain.erasure import Found, erase_person, find

NOT_FOUND, OPEN_TEAM, NOT_CONFIRMED = 1, 2, 3
CONFIRM_WORD = "erase"


class Command(BaseCommand):
    help = (
        "Erase the person held under this e-mail address: pseudonymise their login and "
        "directory entry, and delete their tokens, two-factor app, sessions and calendar feeds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's e-mail address")
        parser.add_argument(
            "--reason",
            default="",
            help="why, for the audit trail (for example a request reference; do not name them)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="erase even if they are on the team of a diagnostic that has not ended",
        )
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(
        self, *args: Any, email: str, reason: str, force: bool, yes: bool, **options: Any
    ) -> None:
        try:
            found = find(email)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=NOT_FOUND) from None
        if found.open_team_diagnostics and not force:
            raise CommandError(
                f"Nothing erased: {found.email} is on the team of {found.open_team_text()}. "
                "Take them off the team or wait until it is closed or cancelled, or add --force "
                "to erase them anyway (their team place stays, under the new name)",
                returncode=OPEN_TEAM,
            )
        if not yes:
            self._describe(found)
            try:
                answer = input(f'Type "{CONFIRM_WORD}" to erase this person for good: ')
            except EOFError:
                answer = ""
            if answer.strip().lower() != CONFIRM_WORD:
                raise CommandError("Nothing erased: not confirmed", returncode=NOT_CONFIRMED)
        try:
            done = erase_person(email, reason=reason, force=force)
        except DomainError as exc:  # changed since it was looked up
            raise CommandError(exc.message, returncode=OPEN_TEAM) from None
        counts = ", ".join(f"{what}: {n}" for what, n in sorted(done.counts.items()))
        where = ", ".join(done.diagnostics) or "no diagnostic"
        self.stdout.write(
            f"Erased. The person now shows as {done.pseudonym} ({counts}). "
            f"Audit entries added to {where}."
        )

    def _describe(self, found: Found) -> None:
        lines = [f"This will erase {found.email}:"]
        if found.user is not None:
            lines.append("- their login (switched off; tokens, two-factor app, sessions deleted)")
        if found.people:
            lines.append(f"- {_count(len(found.people), 'directory entry', 'directory entries')}")
        if found.attendees:
            lines.append(f"- {_count(len(found.attendees), 'attendee record', 'attendee records')}")
        if found.open_team_diagnostics:
            lines.append(f"- they are on the team of {found.open_team_text()} (--force given)")
        lines.append("Names become the pseudonym, addresses go. This cannot be undone.")
        self.stdout.write("\n".join(lines))


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
