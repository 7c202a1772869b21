"""Placeholder: replaced by the invitations helper (e-mails with .ics for a published version)."""

from __future__ import annotations

from ..models import TimetableVersion


def send_invitations(version: TimetableVersion, *, previous: TimetableVersion | None) -> None:
    return None
