"""Sign-in throttling that slows guessing but cannot be used to lock someone out.

Per address: a short, growing delay (never a lock) and an e-mail to the owner. Per IP: a lock
after MAX_PER_IP failures, less what people who then signed in had contributed. The throttle's
clock is moved by hand (the `clock` fixture); nothing sleeps.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.domain.reauth import USED_CODE
from peerdiag.accounts.models import SignInThrottle
from peerdiag.web.views.auth import PENDING_SESSION_KEY
from tests.factories import PASSWORD, UserFactory

from .helpers import set_up_app
from .test_sign_in import _wrong_code

pytestmark = pytest.mark.django_db

SIGN_IN = "/sign-in/"
CODE_PAGE = "/sign-in/code/"
EMAIL = "pcm@example.org"
OFFICE = "198.51.100.7"
STRANGER = "203.0.113.9"
WRONG_PASSWORD = "The e-mail address or password is not right"


def _post(c: Client, email: str, password: str, ip: str = OFFICE):  # type: ignore[no-untyped-def]
    return c.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _row(key: str) -> SignInThrottle | None:
    return SignInThrottle.objects.filter(key=key).first()


def _failures(key: str) -> int:
    row = _row(key)
    return row.failures if row else 0


def _signed_in_as(c: Client, user) -> bool:  # type: ignore[no-untyped-def]
    return c.session.get("_auth_user_id") == str(user.pk)


# Finding 8: a stranger cannot lock the PCM out -------------------------------------------


def test_a_strangers_fifty_wrong_passwords_do_not_stop_the_pcm_signing_in(world, clock):  # type: ignore[no-untyped-def]
    # Fifty guesses at the PCM's password, spread over five addresses so that every one is
    # checked and counted (each waits out the delay before the next).
    for i in range(50):
        wait = throttle.waiting(email=EMAIL, ip=None)
        if wait is not None:
            clock.now = wait.until
        r = _post(Client(), EMAIL, f"guess-{i}", ip=f"203.0.113.{i % 5}")
        assert WRONG_PASSWORD in r.content.decode()
    assert _failures(throttle.email_key(EMAIL)) == 50
    # Hammering during the delay is refused unchecked and moves nothing.
    wait = throttle.waiting(email=EMAIL, ip=None)
    assert wait is not None and wait.until == clock.now + timedelta(seconds=60)
    for _ in range(20):
        refused = _post(Client(), EMAIL, "another-guess", ip=STRANGER)
        assert escape(wait.message()) in refused.content.decode()
    assert _failures(throttle.email_key(EMAIL)) == 50
    assert throttle.waiting(email=EMAIL, ip=None) == wait

    # The PCM, from the office: told how long to wait, then signed in once it has passed.
    pcm = Client()
    early = _post(pcm, EMAIL, PASSWORD)
    assert "wait 60 seconds, then try again" in early.content.decode()
    assert not _signed_in_as(pcm, world.pcm)
    clock.advance(60)
    r = _post(pcm, EMAIL, PASSWORD)
    assert (r.status_code, r["Location"]) == (302, "/")
    assert _signed_in_as(pcm, world.pcm)


def test_the_delay_grows_from_two_seconds_and_stops_at_a_minute(clock):  # type: ignore[no-untyped-def]
    waits = []
    for _ in range(13):
        wait = throttle.record_failure(email=EMAIL, ip=None)
        waits.append(0 if wait is None else int((wait.until - clock.now).total_seconds()))
        clock.now = wait.until if wait else clock.now
    assert waits == [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60]
    # One second before the end the address still waits; at the end it does not.
    row = _row(throttle.email_key(EMAIL))
    assert row is not None and row.wait_until is not None
    clock.now = row.wait_until - timedelta(seconds=1)
    wait = throttle.waiting(email=EMAIL, ip=None)
    assert wait is not None and wait.message() == (
        "Too many attempts to sign in with this e-mail address. For your security, wait "
        "1 second, then try again"
    )
    clock.advance(1)
    assert throttle.waiting(email=EMAIL, ip=None) is None
    # After a quiet window the count starts again, with its free tries.
    clock.advance(15 * 60)
    assert throttle.record_failure(email=EMAIL, ip=None) is None
    assert _failures(throttle.email_key(EMAIL)) == 1
    # Other spellings of the address are the same address; other addresses are free.
    assert throttle.email_key(" PCM@Example.org ") == throttle.email_key(EMAIL)
    assert throttle.waiting(email="peer@example.org", ip=None) is None


def test_the_owner_is_e_mailed_once_per_window(world, clock):  # type: ignore[no-untyped-def]
    def fail(times: int) -> None:
        for _ in range(times):
            wait = throttle.record_failure(email=EMAIL, ip=STRANGER)
            clock.now = wait.until if wait and not wait.network else clock.now

    fail(throttle.NOTICE_AFTER - 1)
    assert mail.outbox == []
    fail(1)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [EMAIL]
    assert sent.subject == "Someone tried to sign in to your peerdiag account"
    assert f"at least {throttle.NOTICE_AFTER} times" in sent.body
    assert "Your account has not been locked" in sent.body
    assert f"{settings.SITE_URL}/password-reset/" in sent.body
    fail(10)
    assert len(mail.outbox) == 1
    # A quiet window later, a new burst brings a new e-mail.
    clock.advance(16 * 60)
    fail(throttle.NOTICE_AFTER)
    assert len(mail.outbox) == 2
    # An address with no account gets nothing, and says nothing about it.
    for _ in range(throttle.NOTICE_AFTER + 2):
        throttle.record_failure(email="nobody@example.org", ip=None)
        clock.advance(61)
    assert len(mail.outbox) == 2


def test_signing_in_clears_the_address_and_its_share_of_the_ip(world, clock):  # type: ignore[no-untyped-def]
    # Someone else at the office gets their own password wrong twice.
    for _ in range(2):
        _post(Client(), world.peer.email, "typo")
    # A stranger elsewhere guesses the PCM's password; the PCM makes three typos at the office.
    for _ in range(2):
        _post(Client(), EMAIL, "guess", ip=STRANGER)
    for _ in range(3):
        _post(Client(), EMAIL, "typo")
    assert _failures(throttle.email_key(EMAIL)) == 5
    assert _failures(throttle.ip_key(OFFICE)) == 5

    c = Client()
    assert _post(c, EMAIL, PASSWORD)["Location"] == "/"
    assert _row(throttle.email_key(EMAIL)) is None
    assert _row(throttle.pair_key(EMAIL, OFFICE)) is None
    # The office's count keeps only the other person's two; the stranger's IP keeps its two.
    assert _failures(throttle.ip_key(OFFICE)) == 2
    assert _failures(throttle.ip_key(STRANGER)) == 2


def test_an_office_behind_one_address_is_not_locked_out_at_normal_pace(world, clock):  # type: ignore[no-untyped-def]
    people = [UserFactory(email=f"officer{i}@example.org") for i in range(10)]
    for person in people:
        for _ in range(3):
            assert WRONG_PASSWORD in _post(Client(), person.email, "typo").content.decode()
            clock.advance(20)
        c = Client()
        r = _post(c, person.email, PASSWORD)
        assert (r.status_code, r["Location"]) == (302, "/"), person.email
        assert _signed_in_as(c, person)
        clock.advance(20)
    # Thirty typos in about thirteen minutes, more than MAX_PER_IP, and nobody was refused.
    assert throttle.waiting(email=None, ip=OFFICE) is None
    assert _failures(throttle.ip_key(OFFICE)) == 0


def test_a_reused_code_is_refused_in_its_own_words_and_not_counted(world, clock):  # type: ignore[no-untyped-def]
    app, _ = set_up_app(world.pcm)
    code = app.now()
    first = Client()
    _post(first, EMAIL, PASSWORD)
    assert first.post(CODE_PAGE, {"code": code}, REMOTE_ADDR=OFFICE)["Location"] == "/"

    again = Client()
    assert _post(again, EMAIL, PASSWORD)["Location"] == CODE_PAGE
    for _ in range(25):
        r = again.post(CODE_PAGE, {"code": code}, REMOTE_ADDR=OFFICE)
        assert f'<li><a href="#id_code">{escape(USED_CODE)}</a></li>' in r.content.decode()
    assert again.session[PENDING_SESSION_KEY]["tries"] == 0
    assert _failures(throttle.email_key(EMAIL)) == 0
    assert _failures(throttle.ip_key(OFFICE)) == 0
    # A wrong code still counts, on the page and towards the address and the IP.
    r = again.post(CODE_PAGE, {"code": _wrong_code(app)}, REMOTE_ADDR=OFFICE)
    assert "The code is not right, or it has been used already" in r.content.decode()
    assert again.session[PENDING_SESSION_KEY]["tries"] == 1
    assert _failures(throttle.email_key(EMAIL)) == 1
    assert _failures(throttle.ip_key(OFFICE)) == 1


def test_the_ip_limit_still_stops_a_brute_force_from_one_address(world, clock):  # type: ignore[no-untyped-def]
    for i in range(throttle.MAX_PER_IP - 1):
        r = _post(Client(), f"guess{i}@example.org", "wrong", ip=STRANGER)
        assert WRONG_PASSWORD in r.content.decode()
    last = _post(Client(), "guess-last@example.org", "wrong", ip=STRANGER)
    wait = throttle.waiting(email=None, ip=STRANGER)
    assert wait is not None and wait.network
    assert wait.until == clock.now + timedelta(minutes=15)
    assert f"<li>{escape(wait.message())}</li>" in last.content.decode()
    assert "Too many attempts to sign in from your network" in wait.message()
    # Locked: even a right password from that address is refused, unchecked and uncounted.
    c = Client()
    r = _post(c, world.peer.email, PASSWORD, ip=STRANGER)
    assert f"<li>{escape(wait.message())}</li>" in r.content.decode()
    assert not _signed_in_as(c, world.peer)
    assert _failures(throttle.ip_key(STRANGER)) == throttle.MAX_PER_IP
    # Elsewhere nobody is affected; once the lock-out ends the address may try again.
    assert _post(Client(), world.peer.email, PASSWORD, ip=OFFICE)["Location"] == "/"
    clock.now = wait.until
    assert _post(Client(), world.peer.email, PASSWORD, ip=STRANGER)["Location"] == "/"


# The rest of the rules ---------------------------------------------------------------------


def test_an_address_with_no_account_waits_in_the_same_words(world, clock):  # type: ignore[no-untyped-def]
    for email in ("nobody@example.org", EMAIL):
        for _ in range(throttle.FREE_FAILURES + 1):
            last = _post(Client(), email, "wrong")
        assert WRONG_PASSWORD in last.content.decode()
    texts = [_post(Client(), e, "wrong").content.decode() for e in ("nobody@example.org", EMAIL)]
    message = escape(throttle.Wait(clock.now + timedelta(seconds=2), network=False).message())
    assert all(f"<li>{message}</li>" in t for t in texts)


def test_wrong_codes_count_across_fresh_passwords(world, clock):  # type: ignore[no-untyped-def]
    app, _ = set_up_app(world.pcm)
    wrong = _wrong_code(app)
    c = Client()
    assert _post(c, EMAIL, PASSWORD)["Location"] == CODE_PAGE
    for _ in range(4):
        assert c.post(CODE_PAGE, {"code": wrong}, REMOTE_ADDR=OFFICE).status_code == 200
    # The password again: the session's own count starts afresh, the address's does not.
    assert _post(c, EMAIL, PASSWORD)["Location"] == CODE_PAGE
    assert WRONG_PASSWORD not in c.post(CODE_PAGE, {"code": wrong}).content.decode()
    sixth = c.post(CODE_PAGE, {"code": wrong}, REMOTE_ADDR=OFFICE)
    assert "The code is not right" in sixth.content.decode()
    assert _failures(throttle.email_key(EMAIL)) == 6
    # Now too soon: even the right code waits, is not used up, and the code page stays.
    wait = throttle.waiting(email=EMAIL, ip=None)
    assert wait is not None
    code = app.now()
    early = c.post(CODE_PAGE, {"code": code}, REMOTE_ADDR=OFFICE)
    assert f"<li>{escape(wait.message())}</li>" in early.content.decode()
    assert PENDING_SESSION_KEY in c.session
    assert not _signed_in_as(c, world.pcm)
    clock.now = wait.until
    assert c.post(CODE_PAGE, {"code": code}, REMOTE_ADDR=OFFICE)["Location"] == "/"
    assert _row(throttle.email_key(EMAIL)) is None


def test_the_table_keeps_no_address_in_clear():
    throttle.record_failure(email=EMAIL, ip=STRANGER)
    keys = list(SignInThrottle.objects.values_list("key", flat=True))
    assert sorted(k.split(":")[0] for k in keys) == ["email", "ip", "pair"]
    assert not any("pcm" in k or "203.0" in k for k in keys)


def test_erasing_an_address_removes_its_rows_but_not_the_ips_count():
    throttle.record_failure(email=EMAIL, ip=STRANGER)
    throttle.record_failure(email=EMAIL, ip=OFFICE)
    throttle.record_failure(email="peer@example.org", ip=OFFICE)
    throttle.clear_failures(email=EMAIL)
    assert not SignInThrottle.objects.filter(key=throttle.email_key(EMAIL)).exists()
    assert not SignInThrottle.objects.filter(key=throttle.pair_key(EMAIL, OFFICE)).exists()
    assert not SignInThrottle.objects.filter(key=throttle.pair_key(EMAIL, STRANGER)).exists()
    assert SignInThrottle.objects.filter(key=throttle.pair_key("peer@example.org", OFFICE)).exists()
    assert _failures(throttle.ip_key(OFFICE)) == 2


def test_stale_rows_are_deleted_and_live_ones_kept():
    t0 = timezone.now()
    throttle.record_failure(email="old@example.org", ip=None, now=t0 - timedelta(hours=1))
    throttle.record_failure(email=EMAIL, ip=None, now=t0)
    assert throttle.delete_stale(now=t0) == 1
    assert list(SignInThrottle.objects.values_list("key", flat=True)) == [throttle.email_key(EMAIL)]


def test_the_ip_refusal_rounds_the_time_up_to_the_minute(settings):  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "UTC"
    until = timezone.now().replace(hour=10, minute=33, second=20, microsecond=0)
    assert throttle.Wait(until, network=True).message() == (
        "Too many attempts to sign in from your network. For your security, try again after 10:34"
    )
    assert throttle.refusal_time(until.replace(second=0)) == "10:33"
