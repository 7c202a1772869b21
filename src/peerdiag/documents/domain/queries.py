"""Permission-aware reads of key documents, always through their diagnostic."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from peerdiag.diagnostics.models import Diagnostic

from ..enums import OUTSTANDING, RequestStatus
from ..models import DocumentRequest, DocumentVersion


def requests_for(diagnostic: Diagnostic) -> QuerySet[DocumentRequest]:
    """Outstanding first (earliest due first), then supplied, then accepted."""
    order = Case(
        When(status__in=sorted(OUTSTANDING), then=Value(0)),
        When(status=RequestStatus.SUPPLIED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        DocumentRequest.objects.filter(diagnostic=diagnostic)
        .annotate(_rank=order)
        .prefetch_related("kloes", "versions")
        .order_by("_rank", "due_on", "title")
    )


def get_request(diagnostic: Diagnostic, code: str) -> DocumentRequest:
    ask = DocumentRequest.objects.filter(diagnostic=diagnostic, code=code).first()
    if ask is None:
        raise Http404("No such document request")
    ask.diagnostic = diagnostic  # the permission-checked object
    return ask


def get_version(diagnostic: Diagnostic, code: str) -> DocumentVersion:
    version = (
        DocumentVersion.objects.select_related("request")
        .filter(request__diagnostic=diagnostic, code=code)
        .first()
    )
    if version is None:
        raise Http404("No such document")
    version.request.diagnostic = diagnostic
    return version


def is_overdue(ask: DocumentRequest, today: date) -> bool:
    return ask.status in OUTSTANDING and ask.due_on is not None and ask.due_on < today


def outstanding_count(diagnostic: Diagnostic) -> int:
    return DocumentRequest.objects.filter(
        diagnostic=diagnostic, status__in=sorted(OUTSTANDING)
    ).count()


def latest_version(ask: Any) -> DocumentVersion | None:
    versions = list(ask.versions.all())  # prefetched by requests_for
    return max(versions, key=lambda v: v.version) if versions else None
