"""Who else has a page open: "Priya Chandra is editing this".

A page that several people may edit at once records, each time it is drawn or polled, that the
person is there (`seen_here`), and shows who else was seen within the last WINDOW seconds.
Open pages poll every POLL_SECONDS, so someone who closes the page drops off the list within a
minute (WINDOW plus one poll).

Everything lives in Django's cache, so there is no table to migrate: production uses the
database cache, which every worker shares; development uses the in-memory cache of its one
process. One cache entry per object holds {user id: [name, last seen, last seen editing]}.
Two people recorded at the same instant by different workers can overwrite each other's entry;
the next poll puts it back, so the cost is a name missing for a few seconds, never a wrong one.

Objects are named by a key the caller builds from an allow-listed kind and the object's public
code (see peerdiag.web.views.presence); this module knows nothing of models or permissions.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

# Seen within this many seconds counts as "here now".
WINDOW = 45
# How often an open page asks again (the include's htmx trigger).
POLL_SECONDS = 15
# The cache entry outlives the window so a quiet object's entry expires by itself.
KEEP = 10 * 60


@dataclass(frozen=True)
class Present:
    """Someone else who has the object open."""

    user_id: int
    name: str
    editing: bool


def _now() -> float:
    """The clock; tests move it forward."""
    return time.time()


def _cache_key(key: str) -> str:
    # Hashed: cache keys must be short and plain whatever the object's key holds.
    return "presence:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _name(user: Any) -> str:
    name = (getattr(user, "get_full_name", lambda: "")() or "").strip()
    return name or str(getattr(user, "email", "") or "Someone")


def seen_here(key: str, user: Any, *, editing: bool = False) -> list[Present]:
    """Record that `user` has the object `key` open now (on its editing page when `editing`),
    and return everyone else seen there within the window, editors first, then by name."""
    now = _now()
    cutoff = now - WINDOW
    ck = _cache_key(key)
    entries: dict[str, list[Any]] = cache.get(ck) or {}
    fresh = {uid: e for uid, e in entries.items() if e[1] >= cutoff}
    me = str(user.pk)
    before = fresh.get(me)
    edited_at = now if editing else (before[2] if before else 0.0)
    fresh[me] = [_name(user), now, edited_at]
    cache.set(ck, fresh, KEEP)
    others = [
        Present(user_id=int(uid), name=e[0], editing=e[2] >= cutoff)
        for uid, e in fresh.items()
        if uid != me
    ]
    return sorted(others, key=lambda p: (not p.editing, p.name.lower(), p.user_id))


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe(others: list[Present]) -> str:
    """One line for the page: "Priya Chandra is editing this. Sam Lee also has it open." or ""
    when nobody else is here."""
    editing = [p.name for p in others if p.editing]
    viewing = [p.name for p in others if not p.editing]
    parts = []
    if editing:
        verb = "is" if len(editing) == 1 else "are"
        parts.append(f"{_names(editing)} {verb} editing this.")
    if viewing:
        verb = "has" if len(viewing) == 1 else "have"
        also = " also" if editing else ""
        parts.append(f"{_names(viewing)}{also} {verb} {'it' if editing else 'this'} open.")
    return " ".join(parts)


def fingerprint(line: str) -> str:
    """A short mark of what the line said, which the page sends back on its next poll so an
    unchanged line is not sent (or read out) again."""
    return hashlib.sha256(line.encode()).hexdigest()[:12]
