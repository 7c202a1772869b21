"""Claim a one-time key in Django's cache, or wait for whoever holds it: the loop shared by
web/middleware.py::OnceMiddleware (form tokens) and api/idempotency.py (Idempotency-Key).

The first request claims the key with `cache.add` (atomic in the database cache production
shares between workers), marking it "running" with its fingerprint. A later request with the
same key either differs (another fingerprint), finds the first's kept answer, or waits, polling,
until the first finishes or `wait_seconds` pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from django.core.cache import cache

RUNNING = "running"


@dataclass(frozen=True)
class Turn:
    """What a request holding `key` may do.

    claimed: it holds the key and runs (then keeps its answer, or deletes the key);
    free: the key was given back and not re-claimed in time: run, keeping nothing;
    other: another request's key (a different fingerprint);
    done: the first finished: `kept` is what it kept;
    busy: the first is still running after the wait."""

    outcome: Literal["claimed", "free", "other", "done", "busy"]
    kept: dict[str, Any] | None = None


def take_turn(
    key: str,
    fingerprint: str,
    *,
    field: str,
    running_seconds: float,
    wait_seconds: float,
    poll_seconds: float,
) -> Turn:
    """Claim `key` for the request whose fingerprint (kept under `field`) is given, or wait."""
    deadline = time.monotonic() + wait_seconds
    while True:
        if cache.add(key, {"state": RUNNING, field: fingerprint}, running_seconds):
            return Turn("claimed")
        kept = cache.get(key)
        if kept is None:
            # The first gave the key back between our add and get: try to claim it again.
            if time.monotonic() >= deadline:
                return Turn("free")
            continue
        if kept.get(field) != fingerprint:
            return Turn("other", kept)
        if kept.get("state") != RUNNING:
            return Turn("done", kept)
        if time.monotonic() >= deadline:
            return Turn("busy", kept)
        time.sleep(poll_seconds)
