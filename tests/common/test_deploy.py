"""Deployment: the production profile, security headers, the health check, JSON logs, gunicorn.

Settings are read once, at start-up, so the production profile is tried in subprocesses
(`peerdiag check --deploy`, and gunicorn serving real requests); the rest runs in-process.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.db import OperationalError, connection
from django.test import Client

from peerdiag.common.logging import JsonFormatter, RequestIdFilter

PYTHON = sys.executable
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: none of the caller's peerdiag settings, SQLite in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PEERDIAG_")
        # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process only)
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["PEERDIAG_VAR_DIR"] = str(tmp_path)
    return env | extra


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return _env(
        tmp_path,
        PEERDIAG_PROFILE="production",
        PEERDIAG_SECRET_KEY=secrets.token_urlsafe(50),
        PEERDIAG_ALLOWED_HOSTS="peerdiag.example.org,127.0.0.1",
        PEERDIAG_CASE_KEYS=Fernet.generate_key().decode(),
        **extra,
    )


def _peerdiag(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [PYTHON, "-m", "peerdiag", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- The production profile -------------------------------------------------------------


def test_check_deploy_is_clean_in_production(tmp_path):  # type: ignore[no-untyped-def]
    done = _peerdiag(_production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_check_deploy_warns_without_the_profile(tmp_path):  # type: ignore[no-untyped-def]
    # The same command on the development defaults: the check above can fail.
    done = _peerdiag(_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W009"):
        assert warning in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PEERDIAG_SECRET_KEY": ""}, "PEERDIAG_SECRET_KEY must be set"),
        ({"PEERDIAG_SECRET_KEY": "dev-only-not-secret-peerdiag"}, "PEERDIAG_SECRET_KEY must be"),
        ({"PEERDIAG_ALLOWED_HOSTS": ""}, "PEERDIAG_ALLOWED_HOSTS must name"),
        ({"PEERDIAG_ALLOWED_HOSTS": "*"}, "may not be *"),
        ({"PEERDIAG_CASE_KEYS": ""}, "PEERDIAG_CASE_KEYS must be set"),
        ({"PEERDIAG_DEBUG": "true"}, "PEERDIAG_DEBUG must be off"),
        ({"PEERDIAG_PROFILE": "prod"}, "PEERDIAG_PROFILE must be development or production"),
        ({"PEERDIAG_LOG_FORMAT": "xml"}, "PEERDIAG_LOG_FORMAT must be text or json"),
        ({"PEERDIAG_CACHE": "redis"}, "PEERDIAG_CACHE must be local or database"),
    ],
)
def test_production_refuses_to_start_half_configured(tmp_path, change, message):  # type: ignore[no-untyped-def]
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [PYTHON, "-c", "import peerdiag.settings"],
        env=_production(tmp_path) | change,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert message in done.stderr


def test_production_profile_settings(tmp_path):  # type: ignore[no-untyped-def]
    script = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS, "
        "s.SECURE_REFERRER_POLICY, s.CACHES['default']['BACKEND'], "
        "s.STORAGES['staticfiles']['BACKEND'], s.SECURE_PROXY_SSL_HEADER]))"
    )
    env = _production(tmp_path, DJANGO_SETTINGS_MODULE="peerdiag.settings")
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [PYTHON, "-c", script], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        True,
        31_536_000,
        True,
        True,
        True,
        "DENY",
        "same-origin",
        "django.core.cache.backends.db.DatabaseCache",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        None,  # X-Forwarded-Proto is believed only with PEERDIAG_BEHIND_PROXY=true
    ]


# --- Headers on every response ----------------------------------------------------------


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy():  # type: ignore[no-untyped-def]
    response = Client().get("/sign-in/")
    assert response.status_code == 200
    policy = _policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # Inline <style> only with this response's nonce, which templates get as csp_nonce.
    nonce = response.context["csp_nonce"]
    assert len(nonce) >= 20
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    again = Client().get("/sign-in/")
    assert again.context["csp_nonce"] != nonce
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/sign-in/", "/api/docs"])
def test_pages_need_no_inline_script_or_other_origin(url):  # type: ignore[no-untyped-def]
    body = Client().get(url).content.decode()
    tags = _SCRIPT_TAG.findall(body)
    assert tags
    for attrs in tags:
        # A script either comes from our static files or is data, which browsers never run.
        assert 'src="/static/' in attrs or 'type="application/json"' in attrs, attrs
    assert "https://" not in " ".join(re.findall(r'(?:src|href)="[^"]*"', body))


@pytest.mark.django_db
def test_report_only_mode_sends_the_policy_without_enforcing_it(settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_CSP_REPORT_ONLY = True
    response = Client().get("/sign-in/")
    assert "Content-Security-Policy" not in response
    assert _policy(response["Content-Security-Policy-Report-Only"])["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_each_response_has_a_request_id():  # type: ignore[no-untyped-def]
    first = Client().get("/healthz/")["X-Request-ID"]
    second = Client().get("/healthz/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second
    # A proxy's id is kept, so one id follows the request through every log; junk is not.
    assert Client().get("/healthz/", HTTP_X_REQUEST_ID="lb-7f3a.2")["X-Request-ID"] == "lb-7f3a.2"
    junk = Client().get("/healthz/", HTTP_X_REQUEST_ID="a b<script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", junk)


# --- The health check -------------------------------------------------------------------


@pytest.mark.django_db
def test_health_check_answers_without_sign_in():  # type: ignore[no-untyped-def]
    response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_reports_a_database_that_does_not_answer(caplog):  # type: ignore[no-untyped-def]
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
    assert "gone" not in response.content.decode()
    assert any("database did not answer" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_health_check_only_reads():  # type: ignore[no-untyped-def]
    response = Client().post("/healthz/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# --- Structured logs --------------------------------------------------------------------


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Captures the peerdiag.request logger as the production JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("peerdiag.request")
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)


@pytest.mark.django_db
def test_request_log_is_json_with_the_request_id(json_log):  # type: ignore[no-untyped-def]
    Client().get("/healthz/", HTTP_X_REQUEST_ID="probe-42")
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["request_id"] == "probe-42"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "peerdiag.request"
    assert entry["message"] == "GET healthz 200"
    assert entry["route"] == "healthz"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])


def test_json_formatter_writes_exceptions_and_extra_fields():  # type: ignore[no-untyped-def]
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("job",), None)
        record.exc_info = sys.exc_info()
    record.diagnostic = "PD-1"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed job"
    assert entry["request_id"] is None
    assert entry["diagnostic"] == "PD-1"
    assert "ValueError: broken" in entry["exception"]


# --- gunicorn ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(_NoRedirect)
    assert url.startswith("http://127.0.0.1:")
    host = {"Host": "peerdiag.example.org"}
    request = urllib.request.Request(url, headers=host | headers)  # noqa: S310 - checked above
    try:
        with opener.open(request, timeout=5) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


@pytest.mark.own_database  # its own SQLite file
def test_gunicorn_serves_the_production_profile(tmp_path):  # type: ignore[no-untyped-def]
    env = _production(tmp_path, PEERDIAG_BEHIND_PROXY="true", PEERDIAG_LOG_FORMAT="json")
    env["PEERDIAG_LOG_LEVEL"] = "INFO"
    collected = _peerdiag(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
            [str(GUNICORN), "peerdiag.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "-t", "30"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = _get(f"{base}/healthz/", **{"X-Request-ID": "t-1"})
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text()
                time.sleep(0.2)
        # Probes reach the health check over plain HTTP; it is not redirected.
        assert status == 200, body
        assert json.loads(body) == {"status": "ok", "database": "ok"}
        assert headers["X-Request-ID"] == "t-1"
        # Any other plain-HTTP page is sent to HTTPS.
        status, headers, _ = _get(f"{base}/sign-in/")
        assert status == 301
        assert headers["Location"] == "https://peerdiag.example.org/sign-in/"
        # Through the TLS proxy: the page, with static files from WhiteNoise, HSTS and cookies
        # for HTTPS only.
        status, headers, body = _get(f"{base}/sign-in/", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        hsts = headers["Strict-Transport-Security"]
        assert hsts == "max-age=31536000; includeSubDomains; preload"
        assert "Secure" in headers["Set-Cookie"] and "SameSite=Lax" in headers["Set-Cookie"]
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        css = re.search(r'href="(/static/peerdiag/app\.[0-9a-f]{12}\.css)"', body)
        assert css, "static file names are content-hashed"
        status, headers, _ = _get(base + css.group(1), **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=15)
    # The application's own log lines are JSON, with the request id.
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert {"logger": "peerdiag.request", "route": "healthz", "request_id": "t-1"}.items() <= next(
        e for e in entries if e.get("request_id") == "t-1"
    ).items()


def test_env_example_lists_every_setting():  # type: ignore[no-untyped-def]
    root = Path(__file__).resolve().parents[2]
    settings_py = (root / "src" / "peerdiag" / "settings.py").read_text()
    used = set(re.findall(r'"(PEERDIAG_[A-Z0-9_]+)"', settings_py))
    listed = set(
        re.findall(r"^#? ?(PEERDIAG_[A-Z0-9_]+)=", (root / ".env.example").read_text(), re.M)
    )
    assert {"PEERDIAG_PROFILE", "PEERDIAG_LOG_FORMAT", "PEERDIAG_CACHE"} <= used
    assert used - listed == set()
