"""Finding 6 of issue 15: the demo and its code printer refuse to touch a real service.

`peerdiag demo` creates an administrator with a published password and two-factor key;
`peerdiag demo_code` prints that key's codes. Both refuse under the production profile and on a
database that holds anyone but the demo's own accounts, unless given
--i-know-this-is-not-production.

What is under test is the guard, so the command loads only the demo's people here (every
demo login, with the published password), not the eighteen walked diagnostics:
tests/demo/loaded/ checks the whole demo, loaded once.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peerdiag.accounts.models import User
from peerdiag.demo.cast import ACCOUNTS, DEMO_DOMAIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FLAG = "--i-know-this-is-not-production"


@pytest.fixture(autouse=True)
def _people_only(monkeypatch):  # type: ignore[no-untyped-def]
    from peerdiag.demo.cast import load_cast

    def people_only() -> list:  # type: ignore[type-arg]
        load_cast()
        return ACCOUNTS

    monkeypatch.setattr("peerdiag.demo.management.commands.demo.load_demo", people_only)


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_the_production_profile_is_refused_and_nothing_is_created(settings):  # type: ignore[no-untyped-def]
    settings.PROFILE = "production"
    for command in (["demo"], ["demo_code", "pcm@peerdiag.test"]):
        with pytest.raises(CommandError) as info:
            call_command(*command, stdout=io.StringIO())
        message = str(info.value)
        assert "\n" not in message
        assert "PEERDIAG_PROFILE is production" in message and FLAG in message
    assert not User.objects.exists()


def test_a_real_user_in_the_database_is_refused_and_nothing_is_created():  # type: ignore[no-untyped-def]
    UserFactory(email="jo.bloggs@kent.gov.uk")
    with pytest.raises(CommandError) as info:
        _demo()
    message = str(info.value)
    assert "\n" not in message
    assert "1 account that is not the demo's" in message and FLAG in message
    assert list(User.objects.values_list("email", flat=True)) == ["jo.bloggs@kent.gov.uk"]
    with pytest.raises(CommandError, match="demo_code refused"):
        call_command("demo_code", "pcm@peerdiag.test", stdout=io.StringIO())


def test_the_flag_lets_both_commands_through(settings, capsys):  # type: ignore[no-untyped-def]
    UserFactory(email="jo.bloggs@kent.gov.uk")
    settings.PROFILE = "production"
    out = _demo(FLAG)
    assert "Demo data is loaded" in out
    assert User.objects.filter(email="admin@peerdiag.test", is_superuser=True).exists()
    call_command("demo_code", "pcm@peerdiag.test", FLAG)
    assert capsys.readouterr().out.strip().isdigit()


def test_the_demos_own_accounts_do_not_count_as_real_so_it_can_be_repeated(capsys):  # type: ignore[no-untyped-def]
    _demo()
    assert User.objects.count() > len(ACCOUNTS)  # the peers and council people log in too
    assert not User.objects.exclude(email__iendswith=DEMO_DOMAIN).exists()
    # Loaded already (as on a machine where `make run` has run before): both still work.
    assert "Demo data is loaded" in _demo()
    call_command("demo_code", "pcm@peerdiag.test")
    assert capsys.readouterr().out.strip().isdigit()
    # ...but an address that only contains the demo's domain is someone real.
    UserFactory(email="someone@peerdiag.test.example.org")
    with pytest.raises(CommandError, match="1 account that is not the demo's"):
        _demo()


def test_the_command_line_exits_non_zero_with_one_line(tmp_path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PEERDIAG_PROFILE": "production",
        "PEERDIAG_DEBUG": "false",
        "PEERDIAG_SECRET_KEY": "x" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
        "PEERDIAG_ALLOWED_HOSTS": "peerdiag.example.gov.uk",
        "PEERDIAG_CASE_KEYS": "not-used-by-this-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "peerdiag", "demo"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "PEERDIAG_PROFILE is production" in lines[0], done.stderr
    assert "Demo data is loaded" not in done.stdout
