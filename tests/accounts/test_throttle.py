"""Failed sign-ins lock an e-mail address (5 in 15 minutes) or an IP address (20) out."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from django.test import Client
from django.utils import timezone

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.models import SignInThrottle
from peerdiag.web.views.auth import PENDING_SESSION_KEY
from tests.factories import PASSWORD

from .helpers import set_up_app
from .test_sign_in import _wrong_code

pytestmark = pytest.mark.django_db

SIGN_IN = "/sign-in/"
CODE_PAGE = "/sign-in/code/"
EMAIL = "pcm@example.org"
WRONG_PASSWORD = "The e-mail address or password is not right"


def _refusal(until) -> str:  # type: ignore[no-untyped-def]
    return escape(throttle.refusal_message(until))


def _post(c: Client, email: str, password: str, ip: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return c.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)


# The rules, with a fixed clock -----------------------------------------------------------


def test_the_fifth_failure_in_the_window_locks_the_address_for_fifteen_minutes():
    t0 = timezone.now()
    for i in range(4):
        assert throttle.record_failure(email=EMAIL, ip=None, now=t0 + timedelta(minutes=i)) is None
    assert throttle.locked_until(email=EMAIL, ip=None, now=t0 + timedelta(minutes=4)) is None
    fifth = t0 + timedelta(minutes=14)
    assert throttle.record_failure(email=EMAIL, ip=None, now=fifth) == fifth + timedelta(minutes=15)
    # Other spellings of the same address are the same address; other addresses are free.
    assert throttle.locked_until(email=" PCM@Example.org ", ip=None, now=fifth) == fifth + (
        timedelta(minutes=15)
    )
    assert throttle.locked_until(email="peer@example.org", ip=None, now=fifth) is None
    # Still locked a second before the end, free at the end; the count then starts again.
    end = fifth + timedelta(minutes=15)
    assert throttle.locked_until(email=EMAIL, ip=None, now=end - timedelta(seconds=1)) == end
    assert throttle.locked_until(email=EMAIL, ip=None, now=end) is None
    assert throttle.record_failure(email=EMAIL, ip=None, now=end) is None
    assert SignInThrottle.objects.get(key=throttle.email_key(EMAIL)).failures == 1


def test_failures_spread_over_more_than_the_window_never_lock():
    t0 = timezone.now()
    for i in range(4):
        throttle.record_failure(email=EMAIL, ip=None, now=t0 + timedelta(seconds=i))
    later = t0 + timedelta(minutes=15, seconds=1)
    assert throttle.record_failure(email=EMAIL, ip=None, now=later) is None
    assert SignInThrottle.objects.get(key=throttle.email_key(EMAIL)).failures == 1


def test_failures_during_a_lock_out_do_not_extend_it():
    t0 = timezone.now()
    for _ in range(5):
        throttle.record_failure(email=EMAIL, ip=None, now=t0)
    end = t0 + timedelta(minutes=15)
    assert throttle.record_failure(email=EMAIL, ip=None, now=t0 + timedelta(minutes=10)) == end


def test_twenty_failures_from_one_ip_lock_that_ip_whatever_the_address():
    t0 = timezone.now()
    for i in range(19):
        throttle.record_failure(email=f"guess{i}@example.org", ip="203.0.113.9", now=t0)
    assert throttle.locked_until(email="new@example.org", ip="203.0.113.9", now=t0) is None
    assert throttle.record_failure(email="guess19@example.org", ip="203.0.113.9", now=t0) == (
        t0 + timedelta(minutes=15)
    )
    assert throttle.locked_until(email="new@example.org", ip="203.0.113.9", now=t0) == (
        t0 + timedelta(minutes=15)
    )
    assert throttle.locked_until(email="new@example.org", ip="198.51.100.1", now=t0) is None


def test_the_table_keeps_no_address_in_clear():
    throttle.record_failure(email=EMAIL, ip="203.0.113.9")
    keys = list(SignInThrottle.objects.values_list("key", flat=True))
    assert sorted(k.split(":")[0] for k in keys) == ["email", "ip"]
    assert not any("pcm" in k or "203.0" in k for k in keys)


def test_stale_rows_are_deleted_and_live_ones_kept():
    t0 = timezone.now()
    throttle.record_failure(email="old@example.org", ip=None, now=t0 - timedelta(hours=1))
    throttle.record_failure(email=EMAIL, ip=None, now=t0)
    assert throttle.delete_stale(now=t0) == 1
    assert list(SignInThrottle.objects.values_list("key", flat=True)) == [throttle.email_key(EMAIL)]


def test_the_refusal_rounds_the_time_up_to_the_minute(settings):  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "UTC"
    until = timezone.now().replace(hour=10, minute=33, second=20, microsecond=0)
    assert throttle.refusal_message(until) == (
        "Too many attempts to sign in. For your security, try again after 10:34"
    )
    assert throttle.refusal_time(until.replace(second=0)) == "10:33"


# Through the sign-in page ------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_address_even_with_the_right_one(world):
    c = Client()
    for _ in range(4):
        assert WRONG_PASSWORD in _post(c, EMAIL, "wrong").content.decode()
    fifth = _post(c, EMAIL, "wrong")
    until = SignInThrottle.objects.get(key=throttle.email_key(EMAIL)).locked_until
    assert until is not None
    assert until - timezone.now() > timedelta(minutes=14)
    html = fifth.content.decode()
    assert fifth.status_code == 200
    assert f"<li>{_refusal(until)}</li>" in html
    assert WRONG_PASSWORD not in html

    right = _post(c, EMAIL, PASSWORD)
    assert right.status_code == 200
    assert f"<li>{_refusal(until)}</li>" in right.content.decode()
    assert "_auth_user_id" not in c.session


def test_an_address_with_no_account_is_refused_in_the_same_words(world):
    c = Client()
    for _ in range(5):
        last = _post(c, "nobody@example.org", "wrong")
    until = throttle.locked_until(email="nobody@example.org", ip=None)
    assert until is not None
    assert f"<li>{_refusal(until)}</li>" in last.content.decode()


def test_once_the_lock_out_ends_the_right_password_signs_in_and_clears_the_count(world):
    c = Client()
    for _ in range(5):
        _post(c, EMAIL, "wrong")
    SignInThrottle.objects.filter(key=throttle.email_key(EMAIL)).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    r = _post(c, EMAIL, PASSWORD)
    assert (r.status_code, r["Location"]) == (302, "/")
    assert int(c.session["_auth_user_id"]) == world.pcm.pk
    assert not SignInThrottle.objects.filter(key=throttle.email_key(EMAIL)).exists()
    # The IP's count is kept: the five failures still count against it.
    assert SignInThrottle.objects.get(key=throttle.ip_key("127.0.0.1")).failures == 5


def test_signing_in_clears_the_address_so_old_failures_do_not_add_up(world):
    for _ in range(4):
        _post(Client(), EMAIL, "wrong")
    assert _post(Client(), EMAIL, PASSWORD).status_code == 302
    for _ in range(4):
        _post(Client(), EMAIL, "wrong")
    assert throttle.locked_until(email=EMAIL, ip=None) is None


def test_a_locked_ip_is_refused_for_any_address(world):
    for i in range(20):
        _post(Client(), f"guess{i}@example.org", "wrong", ip="203.0.113.9")
    r = _post(Client(), "peer@example.org", PASSWORD, ip="203.0.113.9")
    assert "Too many attempts to sign in" in r.content.decode()
    elsewhere = _post(Client(), "peer@example.org", PASSWORD, ip="198.51.100.1")
    assert (elsewhere.status_code, elsewhere["Location"]) == (302, "/")


def test_wrong_codes_count_across_fresh_passwords(world):
    app, _ = set_up_app(world.pcm)
    wrong = _wrong_code(app)
    c = Client()
    assert _post(c, EMAIL, PASSWORD)["Location"] == CODE_PAGE
    for _ in range(3):
        assert c.post(CODE_PAGE, {"code": wrong}).status_code == 200
    # The password again: the session's own count starts afresh, the address's does not.
    assert _post(c, EMAIL, PASSWORD)["Location"] == CODE_PAGE
    assert c.post(CODE_PAGE, {"code": wrong}).status_code == 200
    fifth = c.post(CODE_PAGE, {"code": wrong})
    assert (fifth.status_code, fifth["Location"]) == (302, SIGN_IN)
    assert PENDING_SESSION_KEY not in c.session
    until = throttle.locked_until(email=EMAIL, ip=None)
    assert until is not None
    page = c.get(SIGN_IN).content.decode()
    assert _refusal(until) in page
    # Now even the password and a right code get nowhere for fifteen minutes.
    assert _post(c, EMAIL, PASSWORD).status_code == 200
    assert "_auth_user_id" not in c.session


def test_a_right_code_clears_the_count(world):
    app, _ = set_up_app(world.pcm)
    c = Client()
    _post(c, EMAIL, PASSWORD)
    c.post(CODE_PAGE, {"code": _wrong_code(app)})
    assert throttle.locked_until(email=EMAIL, ip=None) is None
    assert SignInThrottle.objects.get(key=throttle.email_key(EMAIL)).failures == 1
    assert c.post(CODE_PAGE, {"code": app.now()})["Location"] == "/"
    assert not SignInThrottle.objects.filter(key=throttle.email_key(EMAIL)).exists()
