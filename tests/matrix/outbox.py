"""Entries for a diagnostic's outbox (issue 18).

Only the diagnostic's PCM and the LGA administrators read it or send an e-mail again; everyone
else who can see the diagnostic (its peers, its council) gets 404, like an outsider.
"""

from __future__ import annotations

from typing import Any

from peerdiag.common import outbox
from peerdiag.common.models import MailKind

from . import RC, Case, R, rel

OUTBOX = rel(anon=302, admin=200, pcm=200, team=404, council=404, none=404)


def _invitation(d: Any) -> dict[str, str]:
    """A recorded invitation, which may be sent again."""
    row = outbox.send(
        kind=MailKind.INVITATION,
        subject=f"{d.reference}: invitation",
        body="Please come to the opening meeting.",
        to=["someone@example.org"],
        diagnostic=d,
    )
    return {"code": row.code}


ENTRIES = {
    "web:outbox": Case(OUTBOX, kwargs=R),
    "web:outbox_message": Case(OUTBOX, kwargs=RC, make=_invitation),
    "web:outbox_resend": Case(OUTBOX, kwargs=RC, make=_invitation),
}
