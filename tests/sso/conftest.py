"""A real OpenID provider for the single sign-on tests (issue 22).

`oidc_provider` (one per test session, so one per xdist worker) runs panva's `oidc-provider`
(`tests/sso/provider.mjs`, installed by `npm ci` as a devDependency) on a free loopback port, with
one confidential client, `peerdiag-test`, whose redirect URIs are peerdiag's callback for the key
"test" on `http://testserver` (Django's test client) and on 127.0.0.1 and localhost at any port
(the live server). The provider requires PKCE (S256), has no consent page, and signs people in
through its own HTML form: whatever e-mail address, name and `amr` values are typed there are
what it vouches for.

`running_provider` starts another one, for tests that need different options (for example a
short ID token lifetime).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
NODE_PACKAGE = ROOT / "node_modules" / "oidc-provider"

CLIENT_ID = "peerdiag-test"
CLIENT_SECRET = "peerdiag-test-secret-0123456789abcdef"
CALLBACK_PATH = "/sign-in/sso/test/callback/"
# On 127.0.0.1 and localhost the provider accepts these at any port (the live server's).
REDIRECT_URIS = tuple(
    f"http://{host}{CALLBACK_PATH}" for host in ("testserver", "127.0.0.1", "localhost")
)
# Any page on these origins may be the post-logout redirect (on loopback, at any port).
POST_LOGOUT_REDIRECT_URIS = ("http://testserver/", "http://127.0.0.1/", "http://localhost/")

READY_TIMEOUT = 20.0
HTTP_TIMEOUT = 10.0
MAX_HOPS = 10


class ProviderError(AssertionError):
    """The provider answered something other than a redirect or its login form."""


@dataclass
class Provider:
    """A running test OpenID provider and its one client."""

    issuer: str
    client_id: str
    client_secret: str
    discovery: dict[str, Any] = field(default_factory=dict, repr=False)
    # The provider's private signing key (a JWK), for tests that sign their own ID tokens.
    signing_key: dict[str, Any] = field(default_factory=dict, repr=False)

    def settings_entry(self, **overrides: Any) -> dict[str, Any]:
        """One PEERDIAG_SSO_PROVIDERS entry for this provider (key "test", domain council.test)."""
        entry: dict[str, Any] = {
            "key": "test",
            "label": "Sign in with your council account",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "domains": ["council.test"],
            "enforces_mfa": False,
            "passwords": True,
        }
        entry.update(overrides)
        return entry

    def end_session_url(self) -> str:
        """The provider's end-session (RP-initiated logout) endpoint, from discovery."""
        return str(self.discovery["end_session_endpoint"])

    def http(self) -> requests.Session:
        """A new `requests` session for talking to the provider (ignores proxy settings)."""
        session = requests.Session()
        session.trust_env = False
        return session

    def sign_in(
        self,
        authorize_url: str,
        *,
        email: str,
        email_verified: bool = True,
        name: str = "Test Person",
        amr: Sequence[str] = ("pwd",),
        session: requests.Session | None = None,
    ) -> str:
        """Follows `authorize_url` (our redirect to the provider) with `requests`, fills in the
        provider's login page with these claims, and returns the URL the provider sends the
        browser back to (our callback with `code` and `state`, or with `error`), unfetched.

        Each call uses a new provider session (cookies) unless `session` is given; with a
        session that is already signed in, the provider may answer without its login page.
        Raises ProviderError when the provider shows an error page instead of redirecting.
        """
        browser = session if session is not None else self.http()
        provider_origin = urlsplit(self.issuer).netloc
        url = authorize_url
        if urlsplit(url).netloc != provider_origin:
            raise ProviderError(f"{url} is not on the provider ({self.issuer})")
        response = browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        for _ in range(MAX_HOPS):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if urlsplit(url).netloc != provider_origin:
                    return url
                response = browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
                continue
            action = _Forms.parse(response.text).login_action() if response.ok else None
            if action is None:
                raise ProviderError(
                    f"the provider answered {response.status_code} at {url}:\n"
                    f"{_error_text(response.text)}"
                )
            data = {"email": email, "name": name, "amr": ",".join(amr)}
            if email_verified:
                data["email_verified"] = "true"
            url = urljoin(url, action)
            response = browser.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)
        raise ProviderError(f"more than {MAX_HOPS} redirects on the provider, last {url}")

    def sign_out(self, end_session_url: str, *, session: requests.Session | None = None) -> str:
        """Follows `end_session_url` (RP-initiated logout, e.g. with `id_token_hint` and
        `post_logout_redirect_uri`), answers "Yes, sign me out" on the provider's page, and
        returns where the provider sends the browser next: the post-logout redirect URI,
        unfetched, or the provider's own "Signed out" page when there is none.
        """
        browser = session if session is not None else self.http()
        provider_origin = urlsplit(self.issuer).netloc
        url = end_session_url
        response = browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        for _ in range(MAX_HOPS):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if urlsplit(url).netloc != provider_origin:
                    return url
                response = browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
                continue
            forms = _Forms.parse(response.text)
            if not response.ok or "op.logoutForm" not in forms.forms:
                if response.ok:
                    return url
                raise ProviderError(
                    f"the provider answered {response.status_code} at {url}:\n"
                    f"{_error_text(response.text)}"
                )
            data = {**forms.forms["op.logoutForm"], "logout": "yes"}
            url = urljoin(url, forms.actions["op.logoutForm"])
            response = browser.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)
        raise ProviderError(f"more than {MAX_HOPS} redirects on the provider, last {url}")


class _Forms(HTMLParser):
    """The forms in a page: their actions and hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}  # id or action -> hidden inputs
        self.actions: dict[str, str] = {}  # id or action -> action
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = values.get("id") or values.get("action", "")
            self.forms[self._current] = {}
            self.actions[self._current] = values.get("action", "")
        elif tag == "input" and self._current is not None and values.get("type") == "hidden":
            self.forms[self._current][values.get("name", "")] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None

    @classmethod
    def parse(cls, html: str) -> _Forms:
        parser = cls()
        parser.feed(html)
        return parser

    def login_action(self) -> str | None:
        """The action of the provider's login form (it posts to /interaction/<uid>)."""
        return next((a for a in self.actions.values() if "/interaction/" in a), None)


def _error_text(html: str) -> str:
    return html[:2000]


def _node() -> str:
    """The node executable, or a skip (locally) / failure (CI) when oidc-provider is missing."""
    if not (NODE_PACKAGE / "package.json").is_file():
        message = (
            "node_modules/oidc-provider is missing: run `make assets` (npm ci) to install the "
            "test OpenID provider"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH, so the test OpenID provider cannot start")
    return node


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextmanager
def running_provider(
    log_dir: Path,
    *,
    redirect_uris: Sequence[str] = REDIRECT_URIS,
    post_logout_redirect_uris: Sequence[str] = POST_LOGOUT_REDIRECT_URIS,
    id_token_ttl: int | None = None,
) -> Iterator[Provider]:
    """Starts `node tests/sso/provider.mjs` on a free loopback port and stops it on exit.

    Its stderr goes to `log_dir/provider.log`, shown when it fails to start.
    """
    node = _node()
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    signing_key = key.as_dict(private=True, alg="RS256", use="sig")
    command = [node, str(SCRIPT), "--port", "0", "--client-id", CLIENT_ID]
    command += ["--client-secret", CLIENT_SECRET]
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    for uri in post_logout_redirect_uris:
        command += ["--post-logout-redirect-uri", uri]
    if id_token_ttl is not None:
        command += ["--id-token-ttl", str(id_token_ttl)]
    env = {**os.environ, "OIDC_TEST_JWKS": json.dumps({"keys": [signing_key]})}
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "provider.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        try:
            assert process.stdout is not None
            lines: queue.Queue[str | None] = queue.Queue()
            threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
            issuer = _wait_for_ready(lines, log_path)
            provider = Provider(
                issuer=issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                signing_key=signing_key,
            )
            response = provider.http().get(
                f"{issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
            )
            response.raise_for_status()
            provider.discovery = response.json()
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_for_ready(lines: queue.Queue[str | None], log_path: Path) -> str:
    """The issuer from the provider's `READY <issuer>` line (other lines are its notices)."""
    deadline = time.monotonic() + READY_TIMEOUT
    seen: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith("READY "):
            return line.split()[1]
        seen.append(line)
    pytest.fail(
        f"the test OpenID provider did not start within {READY_TIMEOUT:.0f} s.\n"
        f"stdout:\n{''.join(seen)}\nstderr:\n{log_path.read_text()}"
    )


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The test OpenID provider, started once per test session (per xdist worker)."""
    with running_provider(tmp_path_factory.mktemp("oidc-provider")) as provider:
        yield provider
