"""Passkeys (WebAuthn) as a second factor: the ceremonies, the sign-in step, the account pages.

A software authenticator (an EC P-256 key made with `cryptography`) answers the real challenges
the pages hand out, with attestation "none", so py_webauthn checks real signatures. Each attack
is played out and shown refused: another site's answer (phishing), a replayed or stale answer,
someone else's passkey, a cloned key whose counter went back.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import struct
from html import unescape
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from webauthn.helpers import bytes_to_base64url

from peerdiag.accounts.domain import passkeys, two_factor
from peerdiag.accounts.domain.passkeys import RelyingParty
from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import ApiToken, Passkey, RecoveryCode, SignInThrottle, User
from peerdiag.common.errors import DomainError
from tests.accounts.helpers import set_up_app
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Django's test client asks for http://testserver.
RP = RelyingParty(id="testserver", origin="http://testserver")
EVIL = "http://testserver.example-login.net"


class SoftAuthenticator:
    """A passkey held in memory: makes credentials and signs challenges as a browser would."""

    def __init__(self, *, rp_id: str = RP.id, origin: str = RP.origin) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.rp_id = rp_id
        self.origin = origin
        self.count = 0

    def _client_data(self, kind: str, challenge: bytes, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": bytes_to_base64url(challenge),
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _rp_hash(self, rp_id: str | None) -> bytes:
        return hashlib.sha256((rp_id or self.rp_id).encode()).digest()

    def create(
        self, challenge: bytes, *, origin: str | None = None, rp_id: str | None = None
    ) -> str:
        """The JSON a browser sends back from navigator.credentials.create()."""
        client_data = self._client_data("webauthn.create", challenge, origin)
        auth_data = (
            self._rp_hash(rp_id)
            + bytes([0x45])  # user present, user verified, attested credential data
            + struct.pack(">I", self.count)
            + bytes(16)  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        cid = bytes_to_base64url(self.credential_id)
        return json.dumps(
            {
                "id": cid,
                "rawId": cid,
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "attestationObject": bytes_to_base64url(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {},
            }
        )

    def get(
        self,
        challenge: bytes,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        count: int | None = None,
    ) -> str:
        """The JSON a browser sends back from navigator.credentials.get()."""
        if count is None:
            self.count += 1
            count = self.count
        client_data = self._client_data("webauthn.get", challenge, origin)
        auth_data = self._rp_hash(rp_id) + bytes([0x05]) + struct.pack(">I", count)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        cid = bytes_to_base64url(self.credential_id)
        return json.dumps(
            {
                "id": cid,
                "rawId": cid,
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(auth_data),
                    "signature": bytes_to_base64url(signature),
                },
                "clientExtensionResults": {},
            }
        )


def add_passkey(user: User, authenticator: SoftAuthenticator, name: str = "Laptop") -> list[str]:
    _, challenge = passkeys.registration_options(user, rp=RP)
    _, codes = passkeys.add_passkey(
        user, name=name, credential=authenticator.create(challenge), challenge=challenge, rp=RP
    )
    return codes


def sign_in_challenge(user: User) -> bytes:
    options = passkeys.authentication_options(user, rp=RP)
    assert options is not None
    return options[1]


# The ceremonies -------------------------------------------------------------------------------


def test_a_passkey_is_added_and_then_proves_the_second_factor():
    user = UserFactory()
    key = SoftAuthenticator()
    options_json, challenge = passkeys.registration_options(user, rp=RP)
    options = json.loads(options_json)
    assert options["rp"] == {"id": "testserver", "name": "peerdiag"}
    assert options["attestation"] == "none"
    assert user.email not in options["user"]["id"]  # the user handle names nobody
    passkey, codes = passkeys.add_passkey(
        user, name="  Work   laptop ", credential=key.create(challenge), challenge=challenge, rp=RP
    )
    assert passkey.name == "Work laptop"
    # The first second factor comes with recovery codes; the person now has two-factor sign-in.
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    assert two_factor.has_second_factor(user) and not two_factor.has_confirmed_device(user)

    challenge = sign_in_challenge(user)
    assert passkeys.check_passkey(user, credential=key.get(challenge), challenge=challenge, rp=RP)
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_second_passkey_brings_no_new_recovery_codes():
    user = UserFactory()
    first = add_passkey(user, SoftAuthenticator())
    assert add_passkey(user, SoftAuthenticator(), name="Phone") == []
    assert RecoveryCode.objects.filter(user=user).count() == len(first)


def test_a_passkey_made_for_a_look_alike_site_is_refused():
    user = UserFactory()
    _, challenge = passkeys.registration_options(user, rp=RP)
    phished = SoftAuthenticator().create(challenge, origin=EVIL)
    with pytest.raises(DomainError, match="could not be checked") as refused:
        passkeys.add_passkey(user, name="Laptop", credential=phished, challenge=challenge, rp=RP)
    assert refused.value.field == "credential"
    assert not Passkey.objects.filter(user=user).exists()


def test_an_answer_given_to_a_look_alike_site_does_not_sign_in():
    user = UserFactory()
    key = SoftAuthenticator()
    add_passkey(user, key)
    # A phishing page relays our challenge; the browser signs it with the phishing origin.
    challenge = sign_in_challenge(user)
    assert not passkeys.check_passkey(
        user, credential=key.get(challenge, origin=EVIL), challenge=challenge, rp=RP
    )
    # Or it claims our address but its own RP id (the browser only lets it use its own).
    challenge = sign_in_challenge(user)
    assert not passkeys.check_passkey(
        user,
        credential=key.get(challenge, rp_id="example-login.net"),
        challenge=challenge,
        rp=RP,
    )


def test_an_answer_to_another_challenge_or_none_is_refused():
    user = UserFactory()
    key = SoftAuthenticator()
    add_passkey(user, key)
    old = sign_in_challenge(user)
    answer = key.get(old)
    assert not passkeys.check_passkey(
        user, credential=answer, challenge=sign_in_challenge(user), rp=RP
    )
    assert not passkeys.check_passkey(user, credential=answer, challenge=None, rp=RP)
    assert not passkeys.check_passkey(user, credential="{not json", challenge=old, rp=RP)


def test_a_replayed_answer_is_refused_by_the_counter():
    user = UserFactory()
    key = SoftAuthenticator()
    add_passkey(user, key)
    challenge = sign_in_challenge(user)
    answer = key.get(challenge)
    assert passkeys.check_passkey(user, credential=answer, challenge=challenge, rp=RP)
    assert not passkeys.check_passkey(user, credential=answer, challenge=challenge, rp=RP)


def test_a_cloned_key_whose_counter_went_back_is_refused():
    user = UserFactory()
    key = SoftAuthenticator()
    add_passkey(user, key)
    for _ in range(3):
        challenge = sign_in_challenge(user)
        assert passkeys.check_passkey(
            user, credential=key.get(challenge), challenge=challenge, rp=RP
        )
    challenge = sign_in_challenge(user)
    cloned = key.get(challenge, count=2)
    assert not passkeys.check_passkey(user, credential=cloned, challenge=challenge, rp=RP)
    assert Passkey.objects.get(user=user).sign_count == 3


def test_someone_elses_passkey_does_not_prove_your_second_factor():
    alice, mallory = UserFactory(), UserFactory()
    alices_key, mallorys_key = SoftAuthenticator(), SoftAuthenticator()
    add_passkey(alice, alices_key)
    add_passkey(mallory, mallorys_key)
    challenge = sign_in_challenge(alice)
    assert not passkeys.check_passkey(
        alice, credential=mallorys_key.get(challenge), challenge=challenge, rp=RP
    )


def test_the_same_passkey_cannot_be_added_twice():
    user = UserFactory()
    key = SoftAuthenticator()
    add_passkey(user, key)
    _, challenge = passkeys.registration_options(user, rp=RP)
    # The options ask the browser to refuse it too.
    options = json.loads(passkeys.registration_options(user, rp=RP)[0])
    assert [c["id"] for c in options["excludeCredentials"]] == [
        bytes_to_base64url(key.credential_id)
    ]
    with pytest.raises(DomainError, match="added already"):
        passkeys.add_passkey(
            user, name="Again", credential=key.create(challenge), challenge=challenge, rp=RP
        )
    assert Passkey.objects.filter(user=user).count() == 1


def test_a_passkey_needs_a_name():
    user = UserFactory()
    _, challenge = passkeys.registration_options(user, rp=RP)
    with pytest.raises(DomainError, match="Enter a name") as refused:
        passkeys.add_passkey(
            user,
            name="   ",
            credential=SoftAuthenticator().create(challenge),
            challenge=challenge,
            rp=RP,
        )
    assert refused.value.field == "name"


def test_challenges_in_the_session_work_once_for_their_purpose_and_person():
    user, other = UserFactory(), UserFactory()
    session: dict[str, Any] = {}
    passkeys.keep_challenge(session, b"abc", purpose=passkeys.SIGN_IN, user=user, now=1000.0)
    assert (
        passkeys.take_challenge(session, purpose=passkeys.SIGN_IN, user=user, now=1001.0) == b"abc"
    )
    assert passkeys.take_challenge(session, purpose=passkeys.SIGN_IN, user=user, now=1001.0) is None
    passkeys.keep_challenge(session, b"abc", purpose=passkeys.REGISTER, user=user, now=1000.0)
    assert passkeys.take_challenge(session, purpose=passkeys.SIGN_IN, user=user, now=1001.0) is None
    passkeys.keep_challenge(session, b"abc", purpose=passkeys.SIGN_IN, user=user, now=1000.0)
    assert (
        passkeys.take_challenge(session, purpose=passkeys.SIGN_IN, user=other, now=1001.0) is None
    )
    passkeys.keep_challenge(session, b"abc", purpose=passkeys.SIGN_IN, user=user, now=1000.0)
    late = 1000.0 + passkeys.CHALLENGE_SECONDS + 1
    assert passkeys.take_challenge(session, purpose=passkeys.SIGN_IN, user=user, now=late) is None


def test_the_relying_party_comes_from_the_settings_or_the_request(settings):
    settings.PEERDIAG_WEBAUTHN_RP_ID = ""
    settings.PEERDIAG_WEBAUTHN_ORIGIN = ""
    assert passkeys.relying_party(host="localhost:8000", secure=False) == RelyingParty(
        id="localhost", origin="http://localhost:8000"
    )
    settings.PEERDIAG_WEBAUTHN_RP_ID = "peerdiag.example.gov.uk"
    settings.PEERDIAG_WEBAUTHN_ORIGIN = "https://peerdiag.example.gov.uk/"
    assert passkeys.relying_party(host="evil.example", secure=True) == RelyingParty(
        id="peerdiag.example.gov.uk", origin="https://peerdiag.example.gov.uk"
    )


# Recovery codes, removal and resets -------------------------------------------------------------


def test_someone_with_only_a_passkey_can_use_a_recovery_code_but_no_app_code():
    user = UserFactory()
    codes = add_passkey(user, SoftAuthenticator())
    assert two_factor.check_second_factor(user, code="123456") is two_factor.CodeCheck.WRONG
    assert two_factor.check_second_factor(user, code=codes[0]) is two_factor.CodeCheck.RIGHT
    assert two_factor.check_second_factor(user, code=codes[0]) is two_factor.CodeCheck.WRONG


def test_removing_the_last_second_factor_revokes_tokens_and_recovery_codes():
    user = UserFactory()
    add_passkey(user, SoftAuthenticator())
    add_passkey(user, SoftAuthenticator(), name="Phone")
    token, _ = ApiToken.issue(user, "export")
    first, second = Passkey.objects.filter(user=user)
    assert passkeys.remove_passkey(first, by=user) is False
    token.refresh_from_db()
    assert token.revoked_at is None  # one passkey is left: nothing was reset
    assert RecoveryCode.objects.filter(user=user).exists()
    assert passkeys.remove_passkey(second, by=user) is True
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert not two_factor.has_second_factor(user)


def test_removing_a_passkey_while_the_app_stays_keeps_tokens():
    user = UserFactory()
    set_up_app(user)
    add_passkey(user, SoftAuthenticator())
    token, _ = ApiToken.issue(user, "export")
    assert passkeys.remove_passkey(Passkey.objects.get(user=user), by=user) is False
    token.refresh_from_db()
    assert token.revoked_at is None and two_factor.has_second_factor(user)


def test_only_the_person_or_an_lga_administrator_removes_a_passkey():
    user = UserFactory()
    add_passkey(user, SoftAuthenticator())
    passkey = Passkey.objects.get(user=user)
    with pytest.raises(DomainError, match="Only the person or an LGA administrator"):
        passkeys.remove_passkey(passkey, by=UserFactory())
    assert Passkey.objects.filter(user=user).exists()
    passkeys.remove_passkey(passkey, by=UserFactory(is_staff=True))
    assert not Passkey.objects.filter(user=user).exists()


def test_removing_the_app_revokes_tokens_and_keeps_codes_for_a_passkey():
    user = UserFactory()
    set_up_app(user)
    add_passkey(user, SoftAuthenticator())
    token, _ = ApiToken.issue(user, "export")
    two_factor.remove_totp(user, by=user)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert RecoveryCode.objects.filter(user=user).exists()  # they still back up the passkey


def test_an_administrators_reset_removes_every_second_factor_and_every_token():
    user = UserFactory()
    set_up_app(user)
    add_passkey(user, SoftAuthenticator())
    token, _ = ApiToken.issue(user, "export")
    with pytest.raises(DomainError):
        two_factor.reset_two_factor(user, by=UserFactory())
    two_factor.reset_two_factor(user, by=UserFactory(is_staff=True))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not two_factor.has_second_factor(user)
    assert not RecoveryCode.objects.filter(user=user).exists()


# Signing in with a passkey ------------------------------------------------------------------


def _options_on(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="passkey-options" type="application/json">(.*?)</script>', html)
    assert found, "no passkey options on the page"
    return json.loads(unescape(found.group(1)))


def _challenge_on(html: str) -> bytes:
    from webauthn.helpers import base64url_to_bytes

    return base64url_to_bytes(_options_on(html)["challenge"])


def _password(c: Client, user: User) -> str:
    r = c.post(reverse("web:login"), {"username": user.email, "password": PASSWORD})
    assert r["Location"] == reverse("web:sign_in_code")
    return c.get(reverse("web:sign_in_code")).content.decode()


def test_the_code_page_offers_the_passkey_beside_the_code(world):
    user = world.pcm
    set_up_app(user)
    add_passkey(user, SoftAuthenticator())
    html = _password(Client(), user)
    assert "Enter your code" in html and "Use a passkey" in html
    assert reverse("web:sign_in_passkey") in html
    assert _options_on(html)["allowCredentials"][0]["type"] == "public-key"


def test_someone_without_a_passkey_is_offered_none(world):
    set_up_app(world.pcm)
    html = _password(Client(), world.pcm)
    assert "Use a passkey" not in html and "passkey-options" not in html


def test_signing_in_with_a_passkey_marks_the_session_verified_and_clears_counts(world):
    user = world.pcm
    key = SoftAuthenticator()
    add_passkey(user, key)
    c = Client()
    # One wrong password first, so there is a count to clear.
    c.post(reverse("web:login"), {"username": user.email, "password": "not it"})
    assert SignInThrottle.objects.filter(failures__gt=0).exists()
    html = _password(c, user)
    assert "Use your passkey" in html  # no app: the passkey is the main way
    r = c.post(reverse("web:sign_in_passkey"), {"credential": key.get(_challenge_on(html))})
    assert r.status_code == 302 and r["Location"] == "/"
    assert c.session[VERIFIED_SESSION_KEY] is True
    assert int(c.session["_auth_user_id"]) == user.pk
    assert not SignInThrottle.objects.filter(failures__gt=0).exists()


def test_a_failed_passkey_counts_like_a_wrong_code(world):
    user = world.pcm
    key = SoftAuthenticator()
    add_passkey(user, key)
    c = Client()
    html = _password(c, user)
    r = c.post(
        reverse("web:sign_in_passkey"),
        {"credential": key.get(_challenge_on(html), origin=EVIL)},
    )
    page = r.content.decode()
    assert r.status_code == 200 and "The passkey could not be checked" in page
    assert "_auth_user_id" not in c.session
    assert c.session["two_factor_pending"]["tries"] == 1
    assert SignInThrottle.objects.filter(failures=1).exists()


def test_a_passkey_answer_to_a_used_challenge_is_refused(world):
    user = world.pcm
    key = SoftAuthenticator()
    add_passkey(user, key)
    c = Client()
    first = _challenge_on(_password(c, user))
    # A garbled answer uses the challenge up; a fresh page has a new one.
    c.post(reverse("web:sign_in_passkey"), {"credential": "{}"})
    r = c.post(reverse("web:sign_in_passkey"), {"credential": key.get(first)})
    assert "The passkey could not be checked" in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_five_failed_passkeys_send_the_person_back_to_sign_in(world, clock):
    user = world.pcm
    add_passkey(user, SoftAuthenticator())
    c = Client()
    _password(c, user)
    for _ in range(5):
        clock.advance(120)  # past the address's growing delay, so each try is checked
        r = c.post(reverse("web:sign_in_passkey"), {"credential": "{}"})
    assert r["Location"] == reverse("web:login")
    assert "two_factor_pending" not in c.session and "_auth_user_id" not in c.session


def test_the_passkey_step_needs_the_password_first(world):
    key = SoftAuthenticator()
    add_passkey(world.pcm, key)
    c = Client()
    r = c.post(reverse("web:sign_in_passkey"), {"credential": key.get(b"x" * 32)})
    assert r["Location"] == reverse("web:login")
    assert "_auth_user_id" not in c.session


def test_a_passkey_alone_is_not_sent_to_set_up_an_app(
    world, must_use_two_factor, two_factor_middleware
):  # type: ignore[no-untyped-def]
    must_use_two_factor.add(world.pcm.pk)
    add_passkey(world.pcm, SoftAuthenticator())
    c = Client()
    c.force_login(world.pcm)
    r = c.get(reverse("web:dashboard"))
    assert r.status_code == 200


# The account pages ----------------------------------------------------------------------------


def test_adding_a_passkey_on_the_account_page(world, must_use_two_factor, two_factor_middleware):  # type: ignore[no-untyped-def]
    must_use_two_factor.add(world.pcm.pk)
    c = Client()
    c.force_login(world.pcm)
    # Without a second factor, every page leads to set-up, which offers a passkey.
    setup = c.get(reverse("web:two_factor_setup")).content.decode()
    assert reverse("web:passkey_add") in setup
    page = c.get(reverse("web:passkey_add")).content.decode()
    assert "Add a passkey" in page
    challenge = _challenge_on(page)
    key = SoftAuthenticator()
    r = c.post(
        reverse("web:passkey_add"), {"name": "Work laptop", "credential": key.create(challenge)}
    )
    html = r.content.decode()
    assert "Your recovery codes" in html and len(re.findall(r"<li><code>", html)) == 10
    assert c.session[VERIFIED_SESSION_KEY] is True
    account = c.get(reverse("web:account")).content.decode()
    assert "Work laptop" in account and ">On<" in account


def test_adding_a_passkey_without_the_browsers_answer_says_so(world):
    c = Client()
    c.force_login(world.sponsor)
    c.get(reverse("web:passkey_add"))
    r = c.post(reverse("web:passkey_add"), {"name": "Laptop", "credential": ""})
    assert "Your browser did not make a passkey" in r.content.decode()
    assert not Passkey.objects.exists()


def test_an_answer_to_a_used_registration_challenge_is_refused(world):
    c = Client()
    c.force_login(world.sponsor)
    challenge = _challenge_on(c.get(reverse("web:passkey_add")).content.decode())
    key = SoftAuthenticator()
    c.post(reverse("web:passkey_add"), {"name": "", "credential": ""})  # uses the challenge up
    r = c.post(reverse("web:passkey_add"), {"name": "Laptop", "credential": key.create(challenge)})
    assert "The passkey could not be checked" in r.content.decode()
    assert not Passkey.objects.exists()


def test_removing_the_last_passkey_of_someone_who_must_use_two_factor(
    world, must_use_two_factor, two_factor_middleware
):  # type: ignore[no-untyped-def]
    must_use_two_factor.add(world.pcm.pk)
    add_passkey(world.pcm, SoftAuthenticator())
    token, _ = ApiToken.issue(world.pcm, "export")
    passkey = Passkey.objects.get(user=world.pcm)
    c = Client()
    c.force_login(world.pcm)
    url = reverse("web:passkey_remove", args=[passkey.code])
    ask = c.get(url).content.decode()
    assert "This is your only second factor" in ask and "set it up again" in ask
    r = c.post(url)
    assert r["Location"] == reverse("web:two_factor_setup")
    assert not Passkey.objects.exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert c.get(reverse("web:dashboard"))["Location"] == reverse("web:two_factor_setup")


def test_nobody_removes_someone_elses_passkey_through_the_page(world):
    add_passkey(world.pcm, SoftAuthenticator())
    passkey = Passkey.objects.get(user=world.pcm)
    c = Client()
    c.force_login(world.other_pcm)
    assert c.post(reverse("web:passkey_remove", args=[passkey.code])).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


# Confirming it is you again -------------------------------------------------------------------

REAUTH = reverse("web:reauth")


def _reauth_page(c: Client) -> str:
    return c.get(f"{REAUTH}?next=/account/").content.decode()


def test_with_only_a_passkey_confirming_it_is_you_takes_the_password_and_the_passkey(world):
    from peerdiag.accounts.domain.reauth import CONFIRMED_SESSION_KEY

    key = SoftAuthenticator()
    add_passkey(world.pcm, key)
    c = Client()
    c.force_login(world.pcm)
    page = _reauth_page(c)
    assert "needs your password and your passkey again" in page
    assert "Continue with your passkey" in page
    # The password alone is not enough any more.
    r = c.post(REAUTH, {"password": PASSWORD, "next": "/account/"})
    assert "Use your passkey, or enter a recovery code" in r.content.decode()
    assert CONFIRMED_SESSION_KEY not in c.session
    answer = key.get(_challenge_on(r.content.decode()))
    r = c.post(REAUTH, {"password": PASSWORD, "credential": answer, "next": "/account/"})
    assert r.status_code == 302 and r["Location"] == "/account/"
    assert CONFIRMED_SESSION_KEY in c.session


def test_a_passkey_does_not_stand_in_for_the_password(world):
    from peerdiag.accounts.domain.reauth import CONFIRMED_SESSION_KEY

    key = SoftAuthenticator()
    add_passkey(world.pcm, key)
    c = Client()
    c.force_login(world.pcm)
    answer = key.get(_challenge_on(_reauth_page(c)))
    r = c.post(REAUTH, {"password": "not it", "credential": answer, "next": "/account/"})
    assert "The password is not right" in r.content.decode()
    assert CONFIRMED_SESSION_KEY not in c.session
    assert SignInThrottle.objects.filter(failures=1).exists()


def test_a_failed_passkey_when_confirming_counts_and_a_recovery_code_still_works(world):
    from peerdiag.accounts.domain.reauth import CONFIRMED_SESSION_KEY

    key = SoftAuthenticator()
    codes = add_passkey(world.pcm, key)
    c = Client()
    c.force_login(world.pcm)
    phished = key.get(_challenge_on(_reauth_page(c)), origin=EVIL)
    r = c.post(REAUTH, {"password": PASSWORD, "credential": phished, "next": "/account/"})
    assert "The passkey could not be checked" in r.content.decode()
    assert CONFIRMED_SESSION_KEY not in c.session
    assert SignInThrottle.objects.filter(failures=1).exists()
    r = c.post(REAUTH, {"password": PASSWORD, "code": codes[0], "next": "/account/"})
    assert r["Location"] == "/account/"


def test_with_an_app_and_a_passkey_either_confirms(world):
    from peerdiag.accounts.domain.reauth import CONFIRMED_SESSION_KEY

    set_up_app(world.pcm)
    key = SoftAuthenticator()
    add_passkey(world.pcm, key)
    c = Client()
    c.force_login(world.pcm)
    page = _reauth_page(c)
    assert 'name="code"' in page and "Use a passkey instead" in page
    answer = key.get(_challenge_on(page))
    r = c.post(REAUTH, {"password": PASSWORD, "credential": answer, "next": "/account/"})
    assert r["Location"] == "/account/" and CONFIRMED_SESSION_KEY in c.session


def test_erasing_a_person_deletes_their_passkeys(world):
    from peerdiag.privacy.domain.erasure import erase_person

    add_passkey(world.sponsor, SoftAuthenticator(), name="Sponsor's laptop")
    erase_person(world.sponsor.email, reason="asked to be forgotten")
    assert not Passkey.objects.filter(name="Sponsor's laptop").exists()
