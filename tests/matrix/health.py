"""Entries for the health check and security.txt: no sign-in, the same answer for everyone."""

from __future__ import annotations

from . import PUBLIC, Case

ENTRIES = {
    "healthz": Case(PUBLIC),
    "security_txt": Case(PUBLIC),
}
