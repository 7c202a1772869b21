"""Which OpenID Connect providers people may sign in with (single sign-on), from the settings.

`PEERDIAG_SSO_PROVIDERS` in the environment is a JSON list of objects (docs/operations.md,
"Single sign-on (OpenID Connect)"). settings.py checks it at start-up with `from_environment`
and keeps the checked entries as plain dicts in `settings.PEERDIAG_SSO_PROVIDERS`;
`providers()` reads that setting at every call, so a test that overrides the setting sees its
own providers. Pure parsing: no database, no network.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING = "PEERDIAG_SSO_PROVIDERS"
_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
_REQUIRED = ("key", "label", "issuer", "client_id", "client_secret", "domains")
_KNOWN = {*_REQUIRED, "enforces_mfa", "passwords"}
# Plain http is for the test provider on this machine only.
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class SsoProvider:
    """One OpenID Connect provider, as configured.

    `domains` are the e-mail domains it is trusted for (lower case, no wildcards);
    `enforces_mfa` says every sign-in through it counts as two-factor; `passwords` false
    switches password sign-in off for addresses of its domains.
    """

    key: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    domains: tuple[str, ...]
    enforces_mfa: bool = False
    passwords: bool = True

    @property
    def discovery_url(self) -> str:
        """Where the provider describes itself (OpenID Connect Discovery)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def name(self) -> str:
        """The label without a leading "Sign in with " ("your council account"), for sentences
        such as "Also sign out of your council account"."""
        prefix = "sign in with "
        if self.label.lower().startswith(prefix) and len(self.label) > len(prefix):
            return self.label[len(prefix) :]
        return self.label

    def trusts(self, domain: str) -> bool:
        """Whether this provider is trusted for e-mail addresses at `domain`."""
        return domain.lower() in self.domains

    def as_setting(self) -> dict[str, Any]:
        """The entry as a plain dict (what settings keep)."""
        entry = asdict(self)
        entry["domains"] = list(self.domains)
        return entry


def _fail(index: int, field: str, problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{SETTING}: provider {index + 1}, field {field!r}: {problem}")


def _text(entry: dict[str, Any], index: int, field: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise _fail(index, field, "must be a text that is not empty")
    return value.strip()


def _flag(entry: dict[str, Any], index: int, field: str, default: bool) -> bool:
    value = entry.get(field, default)
    if not isinstance(value, bool):
        raise _fail(index, field, "must be true or false")
    return value


def _issuer(entry: dict[str, Any], index: int) -> str:
    issuer = _text(entry, index, "issuer").rstrip("/")
    parts = urlsplit(issuer)
    secure = parts.scheme == "https"
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not parts.hostname or not (secure or local):
        raise _fail(index, "issuer", "must be an https:// address")
    return issuer


def _domains(entry: dict[str, Any], index: int) -> tuple[str, ...]:
    value = entry.get("domains")
    if not isinstance(value, list) or not value:
        raise _fail(index, "domains", "must be a list of one or more e-mail domains")
    domains: list[str] = []
    for item in value:
        if not isinstance(item, str) or "*" in item:
            raise _fail(index, "domains", f"{item!r} is not allowed: name each domain in full")
        domain = item.strip().lower().lstrip("@")
        if not _DOMAIN.match(domain):
            raise _fail(index, "domains", f"{item!r} is not an e-mail domain")
        domains.append(domain)
    return tuple(dict.fromkeys(domains))


def parse_entry(entry: Any, index: int = 0) -> SsoProvider:
    """Check one provider entry and return it; ImproperlyConfigured names the field at fault."""
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{SETTING}: provider {index + 1} must be a JSON object")
    for field in _REQUIRED:
        if field not in entry:
            raise _fail(index, field, "is missing")
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise _fail(index, unknown[0], "is not a field peerdiag knows")
    key = _text(entry, index, "key")
    if not _KEY.match(key):
        raise _fail(index, "key", "must be lower-case letters, digits and hyphens (it is in URLs)")
    return SsoProvider(
        key=key,
        label=_text(entry, index, "label"),
        issuer=_issuer(entry, index),
        client_id=_text(entry, index, "client_id"),
        client_secret=_text(entry, index, "client_secret"),
        domains=_domains(entry, index),
        enforces_mfa=_flag(entry, index, "enforces_mfa", False),
        passwords=_flag(entry, index, "passwords", True),
    )


def parse_providers(entries: Any) -> list[SsoProvider]:
    """Check a list of provider entries (already decoded from JSON); keys must be unique."""
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{SETTING} must be a JSON list of providers")
    parsed = [parse_entry(entry, i) for i, entry in enumerate(entries)]
    seen: set[str] = set()
    for i, provider in enumerate(parsed):
        if provider.key in seen:
            raise _fail(i, "key", f"{provider.key!r} is used by another provider")
        seen.add(provider.key)
    return parsed


def from_environment(raw: str | None) -> list[dict[str, Any]]:
    """The setting's value from the environment's JSON text: checked entries as plain dicts.

    Empty or unset: no providers. Bad JSON or a bad entry raises ImproperlyConfigured.
    """
    if raw is None or not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{SETTING} is not valid JSON: {exc}") from None
    return [provider.as_setting() for provider in parse_providers(data)]


def providers() -> list[SsoProvider]:
    """The configured providers, read from the settings now (tests may override them)."""
    return parse_providers(list(getattr(settings, SETTING, []) or []))


def provider(key: str) -> SsoProvider | None:
    """The provider with this key, or None."""
    return next((p for p in providers() if p.key == key), None)
