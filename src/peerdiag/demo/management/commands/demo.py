from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerdiag.demo.cast import DEMO_PASSWORD, DEMO_TOTP_SECRET, TWO_FACTOR_ACCOUNTS
from peerdiag.demo.loader import load_demo

from ._not_production import add_flag, refuse_on_real_data


class Command(BaseCommand):
    help = "Load the demo data (safe to run again) and print the demo sign-in accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        add_flag(parser)

    def handle(self, *args: Any, not_production: bool = False, **options: Any) -> None:
        refuse_on_real_data("peerdiag demo", not_production=not_production)
        accounts = load_demo()
        self.stdout.write("Demo data is loaded. Sign in at http://127.0.0.1:8000/ with:")
        width = max(len(a.email) for a in accounts)
        for a in accounts:
            mark = " *" if a.email in TWO_FACTOR_ACCOUNTS else ""
            self.stdout.write(f"  {a.email.ljust(width)}  {a.role}{mark}")
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")
        self.stdout.write(
            "* These can see children's data, so they also need a two-factor code: print one "
            "with `.venv/bin/peerdiag demo_code EMAIL`, or add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app."
        )
