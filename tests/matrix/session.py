"""Entry for staying signed in (the idle warning's keep-alive): anyone signed in, for their own
session; someone signed out gets 401, never a redirect."""

from __future__ import annotations

from . import Case, rel

ENTRIES = {
    "web:session_keep_alive": Case(
        rel(anon=401, admin=204, pcm=204, team=204, council=204, none=204), method="POST"
    ),
}
