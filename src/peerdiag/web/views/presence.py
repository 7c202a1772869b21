"""Who else has a page open (see peerdiag.common.presence): the fragment an open page polls.

The URL names the kind of object and its code; the kind must be one of KINDS, each of which
checks the same permission as the page that shows the line (and, for a poll from an editing
page, the editing page's). Nothing else is looked up by name: no model is chosen from the URL.
The answer is the line alone; when it says the same as the line the page already shows (the
`seen` fingerprint it sends), the answer is 204 and htmx leaves the page, and screen readers,
alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from peerdiag.common.presence import POLL_SECONDS, describe, fingerprint, seen_here
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.models import Finding
from peerdiag.reports.models import ReportParagraph

BOARD = "board"


@dataclass(frozen=True)
class Kind:
    """How to check a poll about one kind of object: the permission of the page that shows it,
    the (strict) permission of its editing page, and whether the code names one."""

    page_perm: str
    edit_perm: str
    exists: Callable[[Diagnostic, str], bool]


def _finding(d: Diagnostic, code: str) -> bool:
    return Finding.objects.filter(diagnostic=d, code=code).exists()


def _section(d: Diagnostic, key: str) -> bool:
    return ReportParagraph.objects.filter(written__diagnostic=d, key=key).exists()


def _board(d: Diagnostic, code: str) -> bool:
    return code == BOARD


# The allow-list: kind in the URL → how to check it. Mirrors the pages' own checks
# (web/views/findings.py: findings.view to read, findings.write strictly to edit;
# web/views/reports.py: reports.edit_written for a section's pages).
KINDS: dict[str, Kind] = {
    "finding": Kind("findings.view", "findings.write", _finding),
    "section": Kind("reports.edit_written", "reports.edit_written", _section),
    BOARD: Kind("findings.view", "findings.view", _board),
}


def presence_key(kind: str, ref: str, code: str) -> str:
    return f"{kind}:{ref}:{code}"


def here_now(
    request: HttpRequest, *, kind: str, ref: str, code: str, editing: bool
) -> dict[str, Any]:
    """Record the person on the object and say who else is there: what the include shows.
    The caller has already checked that the person may see the page."""
    others = seen_here(presence_key(kind, ref, code), request.user, editing=editing)
    line = describe(others)
    return {
        "kind": kind,
        "code": code,
        "url": reverse("web:presence", args=[ref, kind, code]),
        "editing": editing,
        "line": line,
        "seen": fingerprint(line),
        "id": f"presence-{kind}-{code}",
        "every": POLL_SECONDS,
    }


def _allowed(request: HttpRequest, kind: Kind, d: Diagnostic, editing: bool) -> bool:
    if kind.page_perm != kind.edit_perm and editing:
        return bool(rules.has_perm(kind.edit_perm, request.user, d))
    return True


@login_required
@require_GET
def presence(request: HttpRequest, ref: str, kind: str, code: str) -> HttpResponse:
    """The presence line of one object, for its page to poll (a fragment, never a page)."""
    k = KINDS.get(kind)
    if k is None:
        raise Http404("No such kind of page")
    d = get_diagnostic_for_user(request.user, ref, perm=k.page_perm)
    editing = request.GET.get("editing") == "1"
    if not _allowed(request, k, d, editing):
        raise PermissionDenied
    if not k.exists(d, code):
        raise Http404("No such page")
    here = here_now(request, kind=kind, ref=d.reference, code=code, editing=editing)
    if request.GET.get("seen") == here["seen"]:
        return HttpResponse(status=204)
    return render(request, "web/includes/presence.html#line", {"here": here, "fragment": True})
