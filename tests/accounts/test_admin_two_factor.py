"""LGA administrators and staff use two factors, and the Django admin never opens on a password.

The admin site's check is the real one here (the suite's conftest counts every session as having
passed the second factor, for tests that are not about it).
"""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.accounts import admin_site
from peerdiag.accounts.admin_site import admin_session_verified as real_admin_check
from peerdiag.accounts.domain import two_factor
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import ApiToken, User
from peerdiag.diagnostics.domain.access import needs_two_factor
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from tests.accounts.helpers import set_up_app
from tests.accounts.test_passkeys import SoftAuthenticator, add_passkey
from tests.factories import (
    PASSWORD,
    LgaFactory,
    PersonFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_PAGE = "Site administration"
SET_UP = reverse("web:two_factor_setup")


@pytest.fixture(autouse=True)
def real_admin_check_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_site, "admin_session_verified", real_admin_check)


@pytest.fixture
def real_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        two_factor, "_requirements", [two_factor.is_administrator, needs_two_factor]
    )


def _superuser() -> User:
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


def _code_not_near_now(app: pyotp.TOTP) -> str:
    near = {app.at(time.time(), counter_offset=k) for k in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


# Who must use two factors -------------------------------------------------------------------


def test_administrators_superusers_and_lga_staff_must_use_two_factors(world, real_rules):  # type: ignore[no-untyped-def]
    staff = UserFactory(is_staff=True)
    superuser = UserFactory(is_superuser=True)
    lga_officer = UserFactory()
    PersonFactory(user=lga_officer, organisation=LgaFactory())  # on no team at all
    sponsor_only = world.sponsor
    assert [
        two_factor.two_factor_required(u) for u in (world.admin, staff, superuser, lga_officer)
    ] == [True] * 4
    assert two_factor.two_factor_required(sponsor_only) is False


def test_a_pcm_of_an_ended_diagnostic_still_must(world, real_rules):  # type: ignore[no-untyped-def]
    # A council officer who managed a diagnostic sees more than one council's work.
    manager = UserFactory()
    PersonFactory(user=manager)
    TeamMemberFactory(
        diagnostic=world.other, person=manager.person, role=TeamRole.PEER_CHALLENGE_MANAGER
    )
    Diagnostic.objects.filter(pk=world.other.pk).update(stage=Stage.CLOSED)
    assert two_factor.two_factor_required(manager) is True
    # The lead peer of that ended diagnostic, from a council, no longer must.
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.CLOSED)
    assert two_factor.two_factor_required(world.peer) is False


def test_an_administrator_without_a_second_factor_is_sent_to_set_one_up(  # type: ignore[no-untyped-def]
    world, real_rules, two_factor_middleware
):
    c = Client()
    c.force_login(world.admin)
    for path in ("/", "/account/", "/admin/", "/admin/accounts/user/"):
        r = c.get(path)
        assert (path, r.status_code, r["Location"]) == (path, 302, SET_UP)


# The admin site -------------------------------------------------------------------------------


def test_a_superuser_with_a_password_alone_never_sees_the_admin():  # no rules registered at all
    root = _superuser()
    c = Client()
    r = c.post(reverse("web:login"), {"username": root.email, "password": PASSWORD})
    assert r.status_code == 302 and "_auth_user_id" in c.session  # signed in, no second factor
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{root.pk}/change/"):
        page = c.get(path, follow=True)
        html = page.content.decode()
        assert ADMIN_PAGE not in html and root.email not in html.split("<main", 1)[-1], path
        assert page.redirect_chain[-1][0] == SET_UP, path
        assert "Set up two-factor sign-in" in html


def test_a_session_that_skipped_the_second_factor_is_sent_to_it_not_the_admin():
    root = _superuser()
    app, _ = set_up_app(root)
    c = Client()
    c.force_login(root)  # a session that never passed the second factor
    page = c.get("/admin/accounts/user/", follow=True)
    html = page.content.decode()
    assert ADMIN_PAGE not in html and "Select user to change" not in html
    assert page.redirect_chain[-1][0] == reverse("web:sign_in_code")
    assert "Enter your code" in html
    # A wrong code counts and changes nothing.
    wrong = c.post(reverse("web:sign_in_code"), {"code": _code_not_near_now(app)})
    assert "The code is not right" in wrong.content.decode()
    assert c.get("/admin/").status_code == 302
    # The right code opens the admin, at the page asked for.
    r = c.post(reverse("web:sign_in_code"), {"code": app.now()})
    assert r["Location"] == "/admin/accounts/user/"
    assert c.session[VERIFIED_SESSION_KEY] is True
    assert "Select user to change" in c.get("/admin/accounts/user/").content.decode()


def test_a_superuser_who_signs_in_with_password_and_code_reaches_the_admin():
    root = _superuser()
    app, _ = set_up_app(root)
    c = Client()
    c.post(reverse("web:login") + "?next=/admin/", {"username": root.email, "password": PASSWORD})
    r = c.post(reverse("web:sign_in_code"), {"code": app.now()})
    assert r["Location"] == "/admin/"
    assert ADMIN_PAGE in c.get("/admin/").content.decode()


def test_a_superuser_who_signs_in_with_a_passkey_reaches_the_admin():
    from tests.accounts.test_passkeys import _challenge_on

    root = _superuser()
    key = SoftAuthenticator()
    add_passkey(root, key)
    c = Client()
    c.post(reverse("web:login") + "?next=/admin/", {"username": root.email, "password": PASSWORD})
    html = c.get(reverse("web:sign_in_code")).content.decode()
    r = c.post(reverse("web:sign_in_passkey"), {"credential": key.get(_challenge_on(html))})
    assert r["Location"] == "/admin/"
    assert ADMIN_PAGE in c.get("/admin/").content.decode()


def test_removing_the_last_second_factor_closes_the_admin_again():
    root = _superuser()
    add_passkey(root, SoftAuthenticator())
    c = Client()
    c.force_login(root)
    session = c.session
    session[VERIFIED_SESSION_KEY] = True
    session.save()
    assert ADMIN_PAGE in c.get("/admin/").content.decode()
    passkey = root.passkeys.get()
    c.post(reverse("web:passkey_remove", args=[passkey.code]))
    page = c.get("/admin/", follow=True)
    assert ADMIN_PAGE not in page.content.decode()
    assert page.redirect_chain[-1][0] == SET_UP


def test_a_signed_in_person_who_is_not_staff_is_refused_without_a_loop(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.sponsor)
    page = c.get("/admin/", follow=True)
    assert page.status_code == 403
    assert ADMIN_PAGE not in page.content.decode()


def test_signed_out_visitors_go_to_the_one_sign_in_page():
    r = Client().get("/admin/", follow=True)
    assert r.redirect_chain[-1][0].startswith(reverse("web:login") + "?next=/admin/")


def test_the_admins_switch_off_resets_every_factor_and_revokes_tokens():
    root = _superuser()
    person = UserFactory()
    set_up_app(person)
    add_passkey(person, SoftAuthenticator())
    token, _ = ApiToken.issue(person, "export")
    c = Client()
    c.force_login(root)
    session = c.session
    session[VERIFIED_SESSION_KEY] = True
    session.save()
    device = person.totp_device
    r = c.post(
        "/admin/accounts/totpdevice/",
        {"action": "switch_off", "_selected_action": [device.pk]},
        follow=True,
    )
    assert "Two-factor sign-in switched off for 1" in r.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not two_factor.has_second_factor(person)


def test_the_admin_lists_passkeys_and_removes_one_through_its_action():
    root = _superuser()
    person = UserFactory(email="someone@example.org", full_name="Sam Someone")
    add_passkey(person, SoftAuthenticator(), name="Lost phone")
    c = Client()
    c.force_login(root)
    session = c.session
    session[VERIFIED_SESSION_KEY] = True
    session.save()
    listing = c.get("/admin/accounts/passkey/").content.decode()
    assert "Lost phone" in listing and "Sam Someone" in listing
    passkey = person.passkeys.get()
    r = c.post(
        "/admin/accounts/passkey/",
        {"action": "remove", "_selected_action": [passkey.pk]},
        follow=True,
    )
    assert "1 passkey removed" in r.content.decode()
    assert not person.passkeys.exists()
