"""Single sign-on rules without a provider: the configuration, who a provider's claims sign in,
what counts as two-factor, where passwords are switched off, and the issuer rule.

The whole flow against a real provider is in tests/sso/test_sign_in.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from peerdiag.accounts.domain.invitations import accept_invitation_by_sso, invite
from peerdiag.accounts.domain.sso import (
    SsoRefused,
    counts_as_two_factor,
    email_domain,
    issuer_matches,
    match_sign_in,
    password_allowed,
)
from peerdiag.accounts.models import Invitation, User
from peerdiag.accounts.sso_config import (
    SsoProvider,
    from_environment,
    parse_entry,
    parse_providers,
    provider,
    providers,
)
from peerdiag.common.errors import DomainError
from tests.factories import UserFactory

ENTRY: dict[str, Any] = {
    "key": "council",
    "label": "Sign in with your council account",
    "issuer": "https://login.example.com/tenant/v2.0/",
    "client_id": "peerdiag",
    "client_secret": "s3cret",
    "domains": ["Council.gov.uk", "@other.gov.uk"],
}
PROVIDER = parse_entry(ENTRY)
VERIFIED = {"email_verified": True}
ENTRA_ISSUER = "https://login.microsoftonline.com/organizations/v2.0"
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


# The configuration -----------------------------------------------------------------------------


def test_an_entry_is_read_with_its_defaults_and_tidied_domains():
    expected = SsoProvider(
        key="council",
        label="Sign in with your council account",
        issuer="https://login.example.com/tenant/v2.0",
        client_id="peerdiag",
        client_secret="s3cret",
        domains=("council.gov.uk", "other.gov.uk"),
        enforces_mfa=False,
        passwords=True,
    )
    assert expected == PROVIDER
    assert PROVIDER.discovery_url == (
        "https://login.example.com/tenant/v2.0/.well-known/openid-configuration"
    )
    assert PROVIDER.name == "your council account"
    assert PROVIDER.trusts("COUNCIL.gov.uk") and not PROVIDER.trusts("evil.gov.uk")


def test_the_environment_value_is_json_and_empty_means_no_providers():
    assert from_environment(None) == []
    assert from_environment("  ") == []
    entries = from_environment(json.dumps([ENTRY | {"enforces_mfa": True, "passwords": False}]))
    assert entries[0]["domains"] == ["council.gov.uk", "other.gov.uk"]
    assert (entries[0]["enforces_mfa"], entries[0]["passwords"]) == (True, False)
    # What settings keep reads back as the same provider.
    assert parse_providers(entries)[0].domains == ("council.gov.uk", "other.gov.uk")


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("[{", "is not valid JSON"),
        ('{"key": "x"}', "must be a JSON list"),
        ("[1]", "provider 1 must be a JSON object"),
        (json.dumps([{k: v for k, v in ENTRY.items() if k != "client_secret"}]), "'client_secret'"),
        (json.dumps([ENTRY | {"domains": ["*"]}]), "'domains': '*' is not allowed"),
        (json.dumps([ENTRY | {"domains": ["*.gov.uk"]}]), "'domains'"),
        (json.dumps([ENTRY | {"domains": []}]), "'domains'"),
        (json.dumps([ENTRY | {"domains": ["not a domain"]}]), "'domains'"),
        (json.dumps([ENTRY | {"issuer": "http://login.example.com"}]), "'issuer'"),
        (json.dumps([ENTRY | {"key": "Has Spaces"}]), "'key'"),
        (json.dumps([ENTRY | {"enforces_mfa": "yes"}]), "'enforces_mfa'"),
        (json.dumps([ENTRY | {"passwords": 0}]), "'passwords'"),
        (json.dumps([ENTRY | {"tenant": "x"}]), "'tenant'"),
        (json.dumps([ENTRY, ENTRY]), "provider 2, field 'key'"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_field(raw: str, names: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="PEERDIAG_SSO_PROVIDERS") as caught:
        from_environment(raw)
    assert names in str(caught.value)


def test_plain_http_is_allowed_for_a_provider_on_this_machine_only():
    assert parse_entry(ENTRY | {"issuer": "http://127.0.0.1:5000"}).issuer == (
        "http://127.0.0.1:5000"
    )


def test_providers_are_read_from_the_settings_at_each_call(settings):
    settings.PEERDIAG_SSO_PROVIDERS = []
    assert providers() == []
    settings.PEERDIAG_SSO_PROVIDERS = [ENTRY]
    assert [p.key for p in providers()] == ["council"]
    assert provider("council") == PROVIDER
    assert provider("other") is None


# Who signs in --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_active_user_with_the_verified_address_signs_in_whatever_its_case():
    ann = UserFactory(email="ann@council.gov.uk")
    assert match_sign_in(PROVIDER, {"email": "Ann@COUNCIL.gov.uk", **VERIFIED}) == ann


@pytest.mark.django_db
def test_entras_verified_domain_claim_counts_as_a_verified_address():
    ann = UserFactory(email="ann@council.gov.uk")
    assert match_sign_in(PROVIDER, {"email": "ann@council.gov.uk", "xms_edov": True}) == ann


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"email_verified": True}, "no_email"),
        ({"email": "not-an-address", "email_verified": True}, "no_email"),
        ({"email": "ann@council.gov.uk"}, "unverified"),
        ({"email": "ann@council.gov.uk", "email_verified": "true"}, "unverified"),
        ({"email": "ann@council.gov.uk", "email_verified": False}, "unverified"),
        ({"email": "ann@evil.gov.uk", "email_verified": True}, "untrusted_domain"),
        # A look-alike: the domain must match in full, not by ending.
        ({"email": "ann@notcouncil.gov.uk", "email_verified": True}, "untrusted_domain"),
        ({"email": "nobody@council.gov.uk", "email_verified": True}, "no_account"),
    ],
)
def test_refusals_say_why_and_create_nobody(claims: dict[str, Any], code: str) -> None:
    UserFactory(email="ann@evil.gov.uk")
    UserFactory(email="ann@notcouncil.gov.uk")
    before = User.objects.count()
    with pytest.raises(SsoRefused) as caught:
        match_sign_in(PROVIDER, claims)
    assert caught.value.code == code
    assert caught.value.reason
    assert User.objects.count() == before


@pytest.mark.django_db
def test_the_untrusted_domain_refusal_names_the_domain():
    with pytest.raises(SsoRefused, match=r"addresses at evil\.gov\.uk"):
        match_sign_in(PROVIDER, {"email": "x@evil.gov.uk", **VERIFIED})


@pytest.mark.django_db
def test_an_invited_user_is_switched_on_without_a_password(caplog):
    admin = UserFactory(is_staff=True)
    bea = User.objects.create_user(email="bea@council.gov.uk", password=None, is_active=False)
    invite(bea, by=admin, site_url="http://testserver")
    with caplog.at_level("INFO", logger="peerdiag.accounts"):
        assert match_sign_in(PROVIDER, {"email": "bea@council.gov.uk", **VERIFIED}) == bea
    bea.refresh_from_db()
    assert bea.is_active and not is_password_usable(bea.password)
    assert Invitation.objects.get(user=bea).state() == "used"
    assert f"invitation accepted by user {bea.pk} through single sign-on (council)" in caplog.text


@pytest.mark.django_db
def test_an_expired_invitation_does_not_let_anyone_in():
    admin = UserFactory(is_staff=True)
    bea = User.objects.create_user(email="bea@council.gov.uk", password=None, is_active=False)
    invite(bea, by=admin, site_url="http://testserver", now=timezone.now() - timedelta(days=8))
    with pytest.raises(SsoRefused) as caught:
        match_sign_in(PROVIDER, {"email": "bea@council.gov.uk", **VERIFIED})
    assert caught.value.code == "no_account"
    bea.refresh_from_db()
    assert not bea.is_active


@pytest.mark.django_db
def test_accepting_by_sso_refuses_a_login_without_an_open_invitation():
    cid = UserFactory(email="cid@council.gov.uk", is_active=False)
    with pytest.raises(DomainError):
        accept_invitation_by_sso(cid, provider_key="council")
    cid.refresh_from_db()
    assert not cid.is_active


# Two factors, passwords -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amr", "enforces", "counts"),
    [
        (["pwd", "mfa"], False, True),
        (["mfa"], False, True),
        (["pwd"], False, False),
        (["otp"], False, False),  # kept strict: only "mfa" itself counts
        (["hwk", "fido", "sms", "swk"], False, False),
        ("mfa", False, False),  # not a list
        (None, False, False),
        (["pwd"], True, True),
        (None, True, True),
    ],
)
def test_what_counts_as_two_factor(amr: Any, enforces: bool, counts: bool) -> None:
    p = parse_entry(ENTRY | {"enforces_mfa": enforces})
    claims = {} if amr is None else {"amr": amr}
    assert counts_as_two_factor(p, claims) is counts


def test_passwords_are_off_only_for_the_domains_of_a_provider_that_says_so(settings):
    settings.PEERDIAG_SSO_PROVIDERS = [
        ENTRY | {"passwords": False},
        ENTRY | {"key": "other", "domains": ["partner.org.uk"]},
    ]
    assert not password_allowed("ann@council.gov.uk")
    assert not password_allowed("ANN@Other.gov.uk")
    assert password_allowed("ann@partner.org.uk")
    assert password_allowed("ann@example.org")
    settings.PEERDIAG_SSO_PROVIDERS = []
    assert password_allowed("ann@council.gov.uk")


def test_email_domain():
    assert email_domain("Ann@Council.GOV.uk ") == "council.gov.uk"
    assert email_domain("a@b@c.org") == "c.org"
    assert email_domain("no-at-sign") == ""


# The issuer ------------------------------------------------------------------------------------


def test_the_issuer_must_be_the_configured_or_discovered_one():
    assert issuer_matches("https://idp.example.com", "https://idp.example.com")
    assert issuer_matches("https://idp.example.com/", "https://idp.example.com")
    assert issuer_matches(
        "https://idp.example.com",
        "https://idp2.example.com",
        metadata_issuer="https://idp2.example.com",
    )
    assert not issuer_matches("https://idp.example.com", "https://evil.example.com")
    assert not issuer_matches("https://idp.example.com", None)
    assert not issuer_matches("https://idp.example.com", "")


def test_a_multi_tenant_entra_issuer_accepts_the_tokens_own_tenant():
    tenant_issuer = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    # Entra's discovery document for /organizations/ names a placeholder, never a real issuer.
    templated = "https://login.microsoftonline.com/{tenantid}/v2.0"
    assert issuer_matches(ENTRA_ISSUER, tenant_issuer, metadata_issuer=templated, tid=TENANT)
    common = "https://login.microsoftonline.com/common/v2.0"
    assert issuer_matches(common, tenant_issuer, tid=TENANT)
    # The tenant in `iss` must be the token's own `tid`.
    other = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert not issuer_matches(ENTRA_ISSUER, tenant_issuer, tid=other)
    # No `tid`, or one that is not a tenant id: refused.
    assert not issuer_matches(ENTRA_ISSUER, tenant_issuer)
    assert not issuer_matches(ENTRA_ISSUER, "https://login.microsoftonline.com/x/v2.0", tid="x")
    # Another host with the same shape is not Microsoft.
    assert not issuer_matches(ENTRA_ISSUER, f"https://evil.example.com/{TENANT}/v2.0", tid=TENANT)
    # The placeholder itself is never accepted as an issuer.
    assert not issuer_matches(ENTRA_ISSUER, templated, metadata_issuer=templated, tid=TENANT)
    # A single-tenant issuer does not take other tenants.
    single = f"https://login.microsoftonline.com/{other}/v2.0"
    assert not issuer_matches(single, tenant_issuer, tid=TENANT)
