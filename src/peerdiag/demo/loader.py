"""`load_demo`: the people, then every planned diagnostic walked up to today."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from .cast import ACCOUNTS, Account, load_cast
from .context import Ctx
from .plans import planned
from .walk import find, request, walk

log = logging.getLogger(__name__)


def load_demo(today: date | None = None) -> list[Account]:
    """Create whatever of the demo is missing, as it would stand on `today` (default: today).

    Safe to run again: people are found by e-mail or name, diagnostics by council and title,
    and a diagnostic that exists is left as it is. E-mails the walk sends are kept in the
    outbox but not delivered. Returns the demo accounts."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(datetime.combine(today, time(0, 0)))
    # The demo's e-mails (requests, invitations, surveys) go nowhere; the outbox records them.
    quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    with quiet, transaction.atomic():
        cast = load_cast()
        for plan in planned(today):
            if find(plan) is not None:
                continue
            ctx: Ctx = request(plan, cast, cutoff)
            walk(ctx)
    return ACCOUNTS
