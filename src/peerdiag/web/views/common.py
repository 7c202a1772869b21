"""Small helpers shared by the page views."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from peerdiag.diagnostics.models import Diagnostic

# Where each kind of blocker is put right (see diagnostics/domain/capabilities.Blocker.fix).
FIX_PAGES = {
    "details": "web:diagnostic_edit",
    "dates": "web:diagnostic_dates",
    "kloes": "web:kloe_list",
    "roles": "web:council_roles",
    "endorsements": "web:council_roles",
    "scoping": "web:scoping",
    "scope": "web:scope",
    "team": "web:team",
    "briefing": "web:briefing",
    "confidentiality": "web:confidentiality",
    "access": "web:data_access",
    "documents": "web:document_list",
    "timetable": "web:timetable",
    "findings": "web:drafting_board",
    "kit": "web:kit_digests",
    "written": "web:written_feedback",
    "evaluation": "web:evaluation",
}


def fix_url(diagnostic: Diagnostic, fix: str) -> str:
    name = FIX_PAGES.get(fix)
    return reverse(name, args=[diagnostic.reference]) if name else ""


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
