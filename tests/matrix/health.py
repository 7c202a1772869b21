"""Entry for the health check: no sign-in, the same answer for everyone."""

from __future__ import annotations

from . import PUBLIC, Case

ENTRIES = {
    "healthz": Case(PUBLIC),
}
