"""Small helpers shared by the page views."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from peerdiag.diagnostics.domain.capabilities import FIX_PAGES
from peerdiag.diagnostics.models import Diagnostic


def fix_url(diagnostic: Diagnostic, fix: str) -> str:
    name = FIX_PAGES.get(fix)
    return reverse(name, args=[diagnostic.reference]) if name else ""


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
