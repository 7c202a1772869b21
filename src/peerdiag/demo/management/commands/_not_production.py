"""The guard `demo` and `demo_code` share: neither may touch a real service's database.

The demo creates an administrator with a published password and two-factor key, and
`demo_code` prints codes for that key, so both refuse under the production profile and on a
database that holds anyone but the demo's own accounts, unless told otherwise on purpose.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from peerdiag.accounts.models import User
from peerdiag.demo.cast import DEMO_DOMAIN

FLAG = "--i-know-this-is-not-production"
# Logins that `peerdiag erase_person` has erased (privacy/domain/erasure.py) no longer name
# anyone, so an erased demo account does not make a development database look real.
ERASED_SUFFIX = "@erased.invalid"


def add_flag(parser: CommandParser) -> None:
    parser.add_argument(
        FLAG,
        action="store_true",
        dest="not_production",
        help="run even under the production profile or with accounts that are not the demo's",
    )


def refuse_on_real_data(command: str, *, not_production: bool) -> None:
    """Raises CommandError (exit status 1, one line) unless this is safely not production."""
    if not_production:
        return
    if getattr(settings, "PROFILE", "development") == "production":
        raise CommandError(
            f"{command} refused: PEERDIAG_PROFILE is production, and the demo's accounts have a "
            f"published password. Use a development database, or add {FLAG} if this is not "
            "a live service."
        )
    real = (
        User.objects.exclude(email__iendswith=DEMO_DOMAIN)
        .exclude(email__iendswith=ERASED_SUFFIX)
        .count()
    )
    if real:
        people = "account that is" if real == 1 else "accounts that are"
        raise CommandError(
            f"{command} refused: this database has {real} {people} not the demo's "
            f"(*{DEMO_DOMAIN}). Use a fresh database, or add {FLAG} if this is not a live service."
        )
