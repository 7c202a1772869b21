from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command

from peerdiag.accounts.models import User
from peerdiag.diagnostics.demo import ACCOUNTS, DEMO_PASSWORD
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "directory", "diagnostics"}
    }


def test_demo_has_a_diagnostic_at_every_stage_and_loading_twice_changes_nothing(capsys):  # type: ignore[no-untyped-def]
    call_command("demo")
    out = capsys.readouterr().out
    first = _counts()
    call_command("demo")
    assert _counts() == first
    assert sorted(Diagnostic.objects.values_list("stage", flat=True)) == sorted(Stage.values)
    assert Organisation.objects.filter(kind="council").count() == 153
    hosts = set(Diagnostic.objects.values_list("host_council__name", flat=True))
    assert hosts == {"Kent", "Bristol", "Hertfordshire"}
    peers = Person.objects.filter(organisation__kind="council").exclude(
        organisation__name__in=hosts
    )
    assert peers.count() >= 15
    for account in ACCOUNTS:
        assert account.email in out
        assert User.objects.get(email=account.email).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in out


def test_demo_diagnostics_are_consistent_with_their_stage():  # type: ignore[no-untyped-def]
    call_command("demo", stdout=None)
    delivery = Diagnostic.objects.get(stage=Stage.DELIVERY)
    assert delivery.day1 is not None and delivery.day1 <= date.today()
    assert TeamMember.objects.filter(diagnostic=delivery, role="lead_peer").count() == 1
    assert Diagnostic.objects.get(stage=Stage.POSTPONED).day1 is None
    enquiry = Diagnostic.objects.get(stage=Stage.ENQUIRY)
    assert not enquiry.kloes.exists()
    # Moves whose gates are open today were made through the gates, not placed.
    scoped = Diagnostic.objects.get(stage=Stage.SCOPED)
    assert not scoped.audit.filter(summary__contains="demo loader").exists()
    assert scoped.audit.filter(action="stage").count() == 2


def test_demo_code_prints_codes_for_demo_accounts_only(capsys):  # type: ignore[no-untyped-def]
    import pyotp
    from django.core.management.base import CommandError

    from peerdiag.accounts.domain.two_factor import verify_second_factor
    from peerdiag.diagnostics.demo import DEMO_TOTP_SECRET

    call_command("demo")
    capsys.readouterr()
    call_command("demo_code", "pcm@peerdiag.test")
    code = capsys.readouterr().out.strip()
    assert code == pyotp.TOTP(DEMO_TOTP_SECRET).now()
    assert verify_second_factor(User.objects.get(email="pcm@peerdiag.test"), code=code)
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "sponsor@peerdiag.test")
