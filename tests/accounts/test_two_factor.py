"""Two-factor sign-in, domain level: app codes with replay refusal and recovery codes.

The clock is fixed (NOW falls on a 30-second step boundary) and passed in as `now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from peerdiag.accounts.domain import two_factor
from peerdiag.accounts.models import RecoveryCode, TotpDevice, User
from peerdiag.common.errors import DomainError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, 0, tzinfo=UTC)
SET_UP_AT = NOW - timedelta(minutes=10)
STEP = 30


def _wrong_code(app: pyotp.TOTP, at: datetime) -> str:
    """A 6-digit code that no step within the tolerance of `at` produces."""
    window = {app.at(at, counter_offset=k) for k in (-1, 0, 1)}
    candidate = int(app.at(at))
    while f"{candidate:06d}" in window:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


def _set_up(email: str = "app@example.org") -> tuple[User, pyotp.TOTP, list[str]]:
    user: User = UserFactory(email=email)
    device, _ = two_factor.start_totp(user, now=SET_UP_AT)
    app = pyotp.TOTP(device.secret)
    codes = two_factor.confirm_totp(user, code=app.at(SET_UP_AT), now=SET_UP_AT)
    return user, app, codes


def test_start_makes_one_unconfirmed_device_and_a_reload_keeps_its_secret():
    user = UserFactory(email="pcm@example.org")
    device, uri = two_factor.start_totp(user, now=NOW)
    assert device.confirmed_at is None and device.last_used_step is None
    assert len(device.secret) == 32
    assert (
        uri == f"otpauth://totp/peerdiag:pcm%40example.org?secret={device.secret}&issuer=peerdiag"
    )
    again, uri_again = two_factor.start_totp(user, now=NOW + timedelta(minutes=1))
    assert (again.pk, again.secret, uri_again) == (device.pk, device.secret, uri)
    assert TotpDevice.objects.count() == 1
    assert not two_factor.has_confirmed_device(user)


def test_confirm_with_a_wrong_code_changes_nothing():
    user = UserFactory()
    device, _ = two_factor.start_totp(user, now=NOW)
    with pytest.raises(DomainError) as refused:
        two_factor.confirm_totp(user, code=_wrong_code(pyotp.TOTP(device.secret), NOW), now=NOW)
    assert refused.value.field == "code"
    assert refused.value.message == (
        "The code is not right. Check the time on your phone and try the newest code"
    )
    device.refresh_from_db()
    assert device.confirmed_at is None
    assert RecoveryCode.objects.count() == 0


def test_confirm_returns_ten_different_recovery_codes_stored_only_as_hashes():
    user, _, codes = _set_up()
    device = TotpDevice.objects.get(user=user)
    assert device.confirmed_at == SET_UP_AT
    assert device.last_used_step == int(SET_UP_AT.timestamp()) // STEP
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {RecoveryCode.hash_code(c) for c in codes}
    assert not stored & set(codes)
    with pytest.raises(DomainError, match="set up already"):
        two_factor.start_totp(user, now=NOW)


def test_the_current_code_works_once():
    user, app, _ = _set_up()
    code = app.at(NOW)
    assert two_factor.verify_second_factor(user, code=code, now=NOW) is True
    assert two_factor.verify_second_factor(user, code=code, now=NOW) is False
    assert TotpDevice.objects.get(user=user).last_used_step == int(NOW.timestamp()) // STEP


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
def test_a_code_one_step_either_side_is_accepted_two_steps_are_not(offset, accepted):
    user, app, _ = _set_up()
    code = app.at(NOW, counter_offset=offset)
    assert two_factor.verify_second_factor(user, code=code, now=NOW) is accepted


def test_after_a_newer_code_an_older_one_is_refused():
    user, app, _ = _set_up()
    assert two_factor.verify_second_factor(user, code=app.at(NOW, counter_offset=1), now=NOW)
    assert not two_factor.verify_second_factor(user, code=app.at(NOW), now=NOW)
    # Thirty seconds later the step after that is fine.
    later = NOW + timedelta(seconds=STEP)
    assert two_factor.verify_second_factor(user, code=app.at(later, counter_offset=1), now=later)


def test_a_wrong_code_is_refused_and_uses_nothing_up():
    user, app, _ = _set_up()
    assert two_factor.verify_second_factor(user, code=_wrong_code(app, NOW), now=NOW) is False
    assert two_factor.verify_second_factor(user, code="", now=NOW) is False
    assert two_factor.verify_second_factor(user, code="12345", now=NOW) is False
    assert TotpDevice.objects.get(user=user).last_used_step == int(SET_UP_AT.timestamp()) // STEP
    assert two_factor.verify_second_factor(user, code=app.at(NOW), now=NOW) is True


def test_a_code_spaced_out_as_the_app_shows_it_is_accepted():
    user, app, _ = _set_up()
    code = app.at(NOW)
    assert two_factor.verify_second_factor(user, code=f" {code[:3]} {code[3:]} ", now=NOW)


def test_a_recovery_code_works_once_however_it_is_typed():
    user, _, codes = _set_up()
    first, second = codes[0], codes[1]
    assert two_factor.verify_second_factor(user, code=first, now=NOW) is True
    assert two_factor.verify_second_factor(user, code=first, now=NOW) is False
    typed = second.upper().replace("-", " ")
    assert two_factor.verify_second_factor(user, code=typed, now=NOW) is True
    used = RecoveryCode.objects.filter(user=user, used_at=NOW)
    assert set(used.values_list("code_hash", flat=True)) == {
        RecoveryCode.hash_code(first),
        RecoveryCode.hash_code(second),
    }
    assert two_factor.unused_recovery_codes(user) == 8


def test_another_persons_recovery_code_does_not_work():
    user, _, _ = _set_up("one@example.org")
    _, _, other_codes = _set_up("two@example.org")
    assert two_factor.verify_second_factor(user, code=other_codes[0], now=NOW) is False


def test_regenerating_replaces_every_recovery_code():
    user, _, old = _set_up()
    assert two_factor.verify_second_factor(user, code=old[0], now=NOW)
    new = two_factor.regenerate_recovery_codes(user, now=NOW)
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert two_factor.unused_recovery_codes(user) == 10
    assert two_factor.verify_second_factor(user, code=old[1], now=NOW) is False
    assert two_factor.verify_second_factor(user, code=new[0], now=NOW) is True


def test_regenerating_without_a_confirmed_app_is_refused():
    user = UserFactory()
    two_factor.start_totp(user, now=NOW)
    with pytest.raises(DomainError, match=r"^Set up two-factor sign-in first$"):
        two_factor.regenerate_recovery_codes(user, now=NOW)
    assert RecoveryCode.objects.count() == 0


def test_an_unconfirmed_app_proves_nothing():
    user = UserFactory()
    device, _ = two_factor.start_totp(user, now=NOW)
    code = pyotp.TOTP(device.secret).at(NOW)
    assert two_factor.verify_second_factor(user, code=code, now=NOW) is False


def test_removing_is_for_the_person_or_an_lga_administrator():
    user, _, _ = _set_up()
    stranger = UserFactory()
    with pytest.raises(DomainError, match="Only the person or an LGA administrator"):
        two_factor.remove_totp(user, by=stranger)
    assert two_factor.has_confirmed_device(user)
    two_factor.remove_totp(user, by=UserFactory(is_staff=True))
    assert TotpDevice.objects.filter(user=user).count() == 0
    assert RecoveryCode.objects.filter(user=user).count() == 0
    # And the person themselves, once set up again.
    two_factor.start_totp(user, now=NOW)
    two_factor.remove_totp(user, by=user)
    assert TotpDevice.objects.filter(user=user).count() == 0


def test_requirement_rules_are_asked_in_turn_and_can_be_removed():
    alice, bob = UserFactory(), UserFactory()

    def only_alice(user):  # type: ignore[no-untyped-def]
        return user.pk == alice.pk

    assert two_factor.two_factor_required(alice) is False
    two_factor.register_requirement(only_alice)
    two_factor.register_requirement(only_alice)
    try:
        assert two_factor.two_factor_required(alice) is True
        assert two_factor.two_factor_required(bob) is False
        assert two_factor._requirements.count(only_alice) == 1
    finally:
        two_factor.unregister_requirement(only_alice)
    assert two_factor.two_factor_required(alice) is False


def test_nobody_signed_out_is_asked_for_two_factors(must_use_two_factor):
    from django.contrib.auth.models import AnonymousUser

    must_use_two_factor.add(None)
    assert two_factor.two_factor_required(AnonymousUser()) is False


def test_the_key_is_shown_in_groups_of_four():
    assert two_factor.secret_for_display("ABCDEFGHIJKLMNOPQR") == "ABCD EFGH IJKL MNOP QR"
