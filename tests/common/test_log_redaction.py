"""Finding 7 of issue 15: no token or query string reaches the logs, whichever logger writes.

Django's request logger writes the path of every 4xx and 5xx, and the development server writes
every request line; calendar-feed, survey, invitation and password-reset links carry their
secret in the path. Each test provokes those lines with made-up tokens and then searches
everything that was logged: the records as pytest captures them at the root (a handler
peerdiag never configured), and the text the configured handlers write, in the development
(text) and the production (JSON) formats.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client

from peerdiag.common.logging import JsonFormatter, redact

pytestmark = pytest.mark.django_db

CALENDAR = secrets.token_urlsafe(32)
SURVEY = secrets.token_urlsafe(32)
INVITATION = secrets.token_urlsafe(32)
RESET = "set-" + secrets.token_hex(8)
QUERY = "q" + secrets.token_hex(12)
SECRETS = [CALENDAR, SURVEY, INVITATION, RESET, QUERY]


def _handlers() -> list[logging.Handler]:
    # The handlers settings.LOGGING made: the root's, and the development server's.
    found = [*logging.getLogger().handlers, *logging.getLogger("django.server").handlers]
    return [h for h in found if isinstance(h, logging.StreamHandler) and h.filters]


@pytest.fixture
def written(request) -> Iterator[io.StringIO]:  # type: ignore[no-untyped-def]
    """What the configured handlers write, in the format given by the test's parameter."""
    out = io.StringIO()
    handlers = _handlers()
    assert len(handlers) == 2, handlers
    saved = [(h, h.setStream(out), h.formatter) for h in handlers]
    if getattr(request, "param", "text") == "json":
        for h in handlers:
            h.setFormatter(JsonFormatter())
    try:
        yield out
    finally:
        for h, stream, formatter in saved:
            h.setStream(stream)  # type: ignore[arg-type]
            h.setFormatter(formatter)


def _provoke() -> None:
    client = Client()
    for url in (
        f"/calendar/{CALENDAR}.ics?token={QUERY}",
        f"/survey/{SURVEY}/?from={QUERY}",
        f"/invitation/{INVITATION}/",
        f"/password-reset/MQ/{RESET}/",
    ):
        response = client.get(url)
        assert response.status_code in {200, 302, 404}, url
    # The feed and the survey are made-up tokens, so both are 404s (and Django logs them).
    assert client.get(f"/calendar/{CALENDAR}.ics").status_code == 404
    assert client.get(f"/survey/{SURVEY}/").status_code == 404
    # The development server's request line for the same feed (what `make run` prints).
    server = SimpleNamespace(request=object(), log_date_time_string=lambda: "06/Dec/2026 10:00:00")
    WSGIRequestHandler.log_message(
        server,  # type: ignore[arg-type]
        '"%s" %s %s',
        f"GET /calendar/{CALENDAR}.ics?token={QUERY} HTTP/1.1",
        "404",
        "179",
    )


def _everything(record: logging.LogRecord) -> str:
    return " ".join(
        [record.getMessage(), repr(record.args), repr(record.__dict__), record.exc_text or ""]
    )


@pytest.mark.parametrize("written", ["text", "json"], indirect=True)
def test_a_404_on_a_feed_or_survey_link_logs_no_token_anywhere(caplog, written, request):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    _provoke()
    records = caplog.records
    not_found = [r.getMessage() for r in records if r.name == "django.request"]
    # The lines were written (so the search below is not of nothing)...
    assert "Not Found: /calendar/[redacted].ics" in not_found
    assert "Not Found: /survey/[redacted]/" in not_found
    assert "Not Found: /invitation/[redacted]/" in not_found
    requests = {getattr(r, "request", None) for r in records if r.name == "django.request"}
    assert "GET /calendar/[redacted].ics" in requests
    output = written.getvalue()
    if request.node.callspec.params["written"] == "json":
        lines = [json.loads(line) for line in output.splitlines()]
        written_messages = [f"{line['logger']} {line['message']}" for line in lines]
    else:
        written_messages = output.splitlines()
    expected = [
        ("django.request", "Not Found: /calendar/[redacted].ics"),
        ("django.request", "Not Found: /survey/[redacted]/"),
        ("", '"GET /calendar/[redacted].ics HTTP/1.1" 404 179'),
    ]
    for logger, message in expected:
        assert any(logger in m and message in m for m in written_messages), (message, output)
    # ...and no secret is in any of them: message, arguments, extra fields or request.
    for token in SECRETS:
        assert token not in output
        for r in records:
            assert token not in _everything(r), (r.name, token)


def test_a_logged_exception_and_any_logger_are_redacted_too(caplog, written):  # type: ignore[no-untyped-def]
    # A library's own logger, a token split between the message and its argument, an extra
    # field, and a traceback whose text holds a feed address.
    log = logging.getLogger("some.library")
    try:
        raise ValueError(f"could not open /calendar/{CALENDAR}.ics")
    except ValueError:
        log.exception(
            "fetching /survey/%s/", SURVEY, extra={"url": f"https://x.example/a?k={QUERY}"}
        )
    record = caplog.records[-1]
    assert record.getMessage() == "fetching /survey/[redacted]/"
    assert record.args == ()
    assert record.url == "https://x.example/a"  # type: ignore[attr-defined]
    assert "/calendar/[redacted].ics" in (record.exc_text or "")
    output = written.getvalue()
    assert "Traceback" in output
    for token in SECRETS:
        assert token not in output and token not in _everything(record)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Not Found: /calendar/abc.ics", "Not Found: /calendar/[redacted].ics"),
        ("/account/calendar/new-address/", "/account/calendar/new-address/"),
        ("/invitation/abc/?next=/x", "/invitation/[redacted]/"),
        ("/password-reset/MQ/abc-123/", "/password-reset/[redacted]/[redacted]/"),
        ("/password-reset/sent/", "/password-reset/sent/"),
        ("Authorization: Bearer pd_abcdefghijkl", "Authorization: Bearer pd_[redacted]"),
        (f"/api/v1/things/{'A' * 43}/", "/api/v1/things/[redacted]/"),
        ("/diagnostics/RPD-2027-014/kloes/ab12cd/", "/diagnostics/RPD-2027-014/kloes/ab12cd/"),
        ("Is that right? Yes.", "Is that right? Yes."),
    ],
)
def test_what_is_redacted_and_what_stays_readable(raw: str, shown: str) -> None:
    assert redact(raw) == shown


ACCESS_LOG = ["--access-logfile", "-"]


def test_gunicorns_access_log_shows_no_token(tmp_path):  # type: ignore[no-untyped-def]
    # The production docs start gunicorn with --access-logfile -, a logger peerdiag does not
    # configure: it writes every request line, query string included.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PEERDIAG_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    } | {"PEERDIAG_VAR_DIR": str(tmp_path), "PEERDIAG_ALLOWED_HOSTS": "127.0.0.1"}
    migrated = subprocess.run(
        [sys.executable, "-m", "peerdiag", "migrate", "-v0"], env=env, capture_output=True
    )
    assert migrated.returncode == 0, migrated.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
            [str(gunicorn), "peerdiag.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", *ACCESS_LOG],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz/", timeout=5).close()  # noqa: S310
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        for path in (f"/calendar/{CALENDAR}.ics?token={QUERY}", f"/survey/{SURVEY}/"):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(base + path, timeout=5)  # noqa: S310 - our own server
            assert info.value.code == 404
    finally:
        server.terminate()
        server.wait(timeout=15)
    written = log.read_text()
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 404' in written, written
    assert '"GET /survey/[redacted]/ HTTP/1.1" 404' in written, written
    for token in SECRETS:
        assert token not in written
