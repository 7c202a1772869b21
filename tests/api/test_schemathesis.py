"""Property-based tests of the whole API against its own OpenAPI document (schemathesis).

Every operation in /api/openapi.json is called in-process through the WSGI application, with a
PCM's token, with generated inputs (valid and invalid): no call may answer 5xx, and every
response (status code, body) must be one the document declares. Half the generated
diagnostic references are replaced by the PCM's own diagnostic, so the calls reach past 404.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from peerdiag.accounts.models import ApiToken
from peerdiag.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Examples per operation: with ~35 operations this keeps the test well under a minute.
MAX_EXAMPLES = 12


@pytest.fixture(autouse=True)
def no_rate_limit(settings: Any) -> None:
    settings.PEERDIAG_API_RATE_PER_MINUTE = 1_000_000
    cache.clear()


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes old connections around each request, which would close the
    test's own transaction on PostgreSQL; Django's test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def pcm_token(world: Any) -> tuple[str, str]:
    _, raw = ApiToken.issue(world.pcm, "schemathesis")
    return raw, world.own.reference


# The document needs no database: it is read once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case: Any, pcm_token: tuple[str, str]) -> None:
    raw, reference = pcm_token
    if "ref" in case.path_parameters and zlib.crc32(str(case.path_parameters["ref"]).encode()) % 2:
        case.path_parameters["ref"] = reference
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=CHECKS)
