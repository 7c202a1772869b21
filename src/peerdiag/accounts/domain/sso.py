"""Single sign-on (OpenID Connect): who a provider's sign-in lets in, and what it proves.

The web app runs the protocol (web/views/sso.py, with Authlib: state, PKCE, nonce, the ID
token's signature, issuer, audience and expiry). What the checked claims then mean is decided
here, in our own words:

- `match_sign_in`: an address the provider has verified, at a domain the provider is trusted
  for, signs in the active login with that address, or accepts that login's open invitation.
  Nobody else gets in, and no login is ever created by signing in.
- `counts_as_two_factor`: the provider is configured as enforcing MFA, or the ID token's `amr`
  says "mfa". Nothing else counts (not "otp", "hwk", "fido" or the like on their own: their
  meaning differs between providers, and "mfa" is the one Microsoft Entra ID and others use for
  "more than one factor"). Keep it strict.
- `password_allowed`: no provider with `passwords: false` is trusted for the address's domain.
- `issuer_matches`: the `iss` rule, including Microsoft's multi-tenant issuers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from peerdiag.common.errors import DomainError

from ..models import Invitation, User
from ..sso_config import SsoProvider, providers
from .invitations import accept_invitation_by_sso

log = logging.getLogger("peerdiag.accounts")

# Why a sign-in was refused, as the refusal page says it (the code goes to the log).
REFUSALS = {
    "no_email": "The organisation that signed you in did not tell peerdiag your e-mail address.",
    "unverified": "The organisation that signed you in has not confirmed your e-mail address.",
    "untrusted_domain": (
        "This way of signing in cannot be used for e-mail addresses at {domain}: peerdiag only "
        "accepts it for the organisations it has been set up for."
    ),
    "no_account": (
        "There is no peerdiag account for {email}, or it has been switched off. peerdiag "
        "accounts are made by the LGA team, who then send an invitation."
    ),
}

# Microsoft's multi-tenant issuers stand for any organisation; tokens name the tenant instead.
_MULTI_TENANT = ("/organizations/", "/common/")
_TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class SsoRefused(Exception):
    """A sign-in through a provider that peerdiag does not accept.

    `code` is one of REFUSALS' keys (for the log and for tests); `reason` is the plain-English
    text shown to the person.
    """

    def __init__(self, code: str, **details: str) -> None:
        self.code = code
        self.reason = REFUSALS[code].format(**details)
        super().__init__(f"{code}: {self.reason}")


def email_domain(email: str) -> str:
    """The domain of an e-mail address, in lower case ("" when there is no @)."""
    _, at, domain = email.strip().rpartition("@")
    return domain.lower() if at else ""


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the claims say the provider verified the e-mail address."""
    # `xms_edov` is Microsoft Entra ID's "the e-mail domain is verified by the tenant" claim,
    # which Entra sends instead of `email_verified` (docs/operations.md).
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


def match_sign_in(
    provider: SsoProvider, claims: Mapping[str, Any], *, now: datetime | None = None
) -> User:
    """The login that a checked ID token (its claims) signs in, or SsoRefused saying why not.

    Rules, in order: the claims must hold an `email` and say it is verified (`email_verified`
    true, or Entra's `xms_edov` true); its domain must be one of the provider's `domains`
    ("untrusted_domain" otherwise); then an active login with that address (in any case) signs
    in; a login switched off that has an open invitation gets the invitation accepted
    (invitations.accept_invitation_by_sso: switched on, still no usable password); anyone else
    is refused ("no_account") and nothing is created. Logs who signed in through which provider,
    and every refusal, to the "peerdiag.accounts" logger.
    """
    now = now or timezone.now()
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise _refused(provider, "no_email")
    email = email.strip()
    if not email_is_verified(claims):
        raise _refused(provider, "unverified", email=email)
    domain = email_domain(email)
    if not provider.trusts(domain):
        raise _refused(provider, "untrusted_domain", domain=domain, email=email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_active:
        log.info("user %s signed in through single sign-on (%s)", user.pk, provider.key)
        return user
    if user is not None and Invitation.objects.open(now).filter(user=user).exists():
        try:
            return accept_invitation_by_sso(user, provider_key=provider.key, now=now)
        except DomainError:
            pass  # used or replaced a moment ago, by another request
    raise _refused(provider, "no_account", email=email)


def _refused(provider: SsoProvider, code: str, **details: str) -> SsoRefused:
    log.warning(
        "single sign-on (%s) refused: %s (domain %s)",
        provider.key,
        code,
        email_domain(details.get("email", "")) or details.get("domain", "-"),
    )
    return SsoRefused(code, **details)


def counts_as_two_factor(provider: SsoProvider, claims: Mapping[str, Any]) -> bool:
    """Whether this sign-in proves a second factor: the provider enforces MFA (its
    `enforces_mfa` setting), or the ID token's `amr` list holds "mfa". Nothing else counts."""
    if provider.enforces_mfa:
        return True
    amr = claims.get("amr")
    return isinstance(amr, list) and "mfa" in amr


def password_allowed(email: str) -> bool:
    """False when a provider with `passwords: false` is trusted for the address's domain: such
    addresses sign in through that provider only (no password sign-in, no reset link)."""
    domain = email_domain(email)
    return not any(not p.passwords and p.trusts(domain) for p in providers())


def provider_instead_of_password(email: str) -> SsoProvider | None:
    """The provider that replaces passwords for this address (see `password_allowed`), or None."""
    domain = email_domain(email)
    return next((p for p in providers() if not p.passwords and p.trusts(domain)), None)


def issuer_matches(
    configured: str, iss: Any, *, metadata_issuer: str = "", tid: Any = None
) -> bool:
    """Whether an ID token's `iss` is the provider's.

    Accepted: the configured issuer, or the issuer the discovery document names (both without
    a trailing slash). For Microsoft's multi-tenant issuers (the configured issuer contains
    "/organizations/" or "/common/"), tokens carry their own tenant's issuer instead,
    https://login.microsoftonline.com/{tid}/v2.0: accepted when the token's `tid` is a tenant
    id and `iss` is exactly the configured issuer with that part replaced by the `tid`.
    """
    if not isinstance(iss, str) or not iss:
        return False
    wanted = {configured.rstrip("/")}
    if metadata_issuer and "{" not in metadata_issuer:
        wanted.add(metadata_issuer.rstrip("/"))
    if iss.rstrip("/") in wanted:
        return True
    if not isinstance(tid, str) or not _TENANT_ID.match(tid):
        return False
    for part in _MULTI_TENANT:
        if part in configured and iss.rstrip("/") == configured.rstrip("/").replace(
            part, f"/{tid}/", 1
        ):
            return True
    return False
