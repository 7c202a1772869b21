from typing import Any

import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerdiag.accounts.models import TotpDevice
from peerdiag.demo.cast import DEMO_DOMAIN, DEMO_TOTP_SECRET

from ._not_production import add_flag, refuse_on_real_data


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo accounts only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a demo account, e.g. pcm@peerdiag.test")
        add_flag(parser)

    def handle(self, *args: Any, email: str, not_production: bool = False, **options: Any) -> None:
        refuse_on_real_data("peerdiag demo_code", not_production=not_production)
        device = TotpDevice.objects.filter(user__email__iexact=email).first()
        # Only the published demo key: this must never print a real person's code.
        if (
            device is None
            or not email.lower().endswith(DEMO_DOMAIN)
            or device.secret != DEMO_TOTP_SECRET
        ):
            raise CommandError(f"{email} is not a demo account with two-factor sign-in")
        self.stdout.write(pyotp.TOTP(DEMO_TOTP_SECRET).now())
