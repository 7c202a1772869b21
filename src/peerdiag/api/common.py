"""What every API module shares: who is calling, path parameters, the errors each kind of
operation declares, OpenAPI links and paging.

The rule for the API's files: `api/<area>.py` holds one router and its handlers; the request and
response shapes of that area live in `api/schemas/<area>.py`; shapes used by several areas (base
classes, text types, errors) live in `api/schemas/common.py`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, PathEx, QueryEx
from ninja.pagination import PageNumberPagination
from ninja.params import P

from peerdiag.accounts.models import User
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.models import Diagnostic

from .schemas.common import (
    CODE_PATTERN,
    REF_PATTERN,
    FieldErrors,
    InputSchema,
    Message,
    StaleVersion,
)

PAGE_SIZE = 50

Ref = PathEx[str, P(pattern=REF_PATTERN, description="The diagnostic's reference")]
Code = PathEx[str, P(pattern=CODE_PATTERN, description="The item's public code")]
# A removal may name the version the caller read: if it has changed since, nothing is removed.
IfVersion = QueryEx[
    int | None,
    P(ge=1, le=2_147_483_647, description="The version you read; if it has changed since, 409"),
]

# What can go wrong, per kind of operation; the OpenAPI document lists each.
LIST_ERRORS: dict[int, Any] = {401: Message, 422: FieldErrors}
READ_ERRORS: dict[int, Any] = {**LIST_ERRORS, 404: Message}
# A read that some who may see the diagnostic may still not make (the peer team's own notes).
GUARDED_READ_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: Message}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 400: FieldErrors, 403: Message}
# Changing something several people can edit: the body carries `version`, and a stale one is 409.
EDIT_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 409: StaleVersion}

# OpenAPI link parameters: the reference of a diagnostic just made, or of the one in the path.
NEW_REF = {"ref": "$response.body#/reference"}
SAME_REF = "$request.path.ref"


def caller(request: HttpRequest) -> User:
    """The person the bearer token belongs to (BearerToken has checked it)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def diagnostic_for(
    request: HttpRequest, ref: str, perm: str = "diagnostics.view_diagnostic"
) -> Diagnostic:
    """The diagnostic `ref` if the caller holds `perm` on it: 404 to those who may not see it,
    403 to those who may see it but not do this."""
    return get_diagnostic_for_user(caller(request), ref, perm=perm)


def links(status: int, **targets: dict[str, str]) -> dict[str, Any]:
    """OpenAPI links from a response to the operations it makes callable (for clients and
    for the stateful fuzzer, which follows them to reach real diagnostics)."""
    found = {op: {"operationId": op, "parameters": params} for op, params in targets.items()}
    return {"responses": {status: {"links": found}}}


class Pages(PageNumberPagination):
    """Fixed pages of 50; the page number is capped so the offset always fits the database."""

    class Input(InputSchema):
        page: int = Field(1, ge=1, le=100_000)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * self.page_size
        return {"items": queryset[offset : offset + self.page_size], "count": queryset.count()}
