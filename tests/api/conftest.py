"""Helpers for the API tests: a client that signs every request with a user's token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peerdiag.accounts.models import ApiToken, User


class ApiClient:
    """Calls /api/ as one user, with a freshly issued bearer token."""

    def __init__(self, user: User | None, *, token: str | None = None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.user = user
        if token is None and user is not None:
            _, token = ApiToken.issue(user, "tests")
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api" + path, params, headers=self._headers())

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        return self._send("post", path, body, raw)

    def patch(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        return self._send("patch", path, body, raw)

    def delete(self, path: str) -> Any:
        return self.client.delete("/api" + path, headers=self._headers())

    def _send(self, method: str, path: str, body: Any, raw: str | None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        send = getattr(self.client, method)
        return send("/api" + path, data, content_type="application/json", headers=self._headers())


@pytest.fixture
def as_user(db: None) -> Callable[[User], ApiClient]:
    return ApiClient


@pytest.fixture
def anonymous(db: None) -> ApiClient:
    return ApiClient(None)


def iso(value: Any) -> Any:
    """A date or datetime as the API writes it (milliseconds, 'Z' for UTC)."""
    from django.core.serializers.json import DjangoJSONEncoder

    return None if value is None else DjangoJSONEncoder().default(value)
