"""Seeing the whole: the evidence heat map, search, the peer team meeting pack and the KIT
digests.

All but the digests are internal to the peer team (findings.view: never the council). The
digests are read by the team in full; the council (findings.view_shared_digest without
findings.view) sees only shared digests and only their shared items. Drafting, editing and
sharing a digest is for the lead peer or the PCM (findings.lead).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.coverage import LEVELS, evidence_coverage
from peerdiag.findings.domain.digest import (
    DigestItemsStale,
    add_digest_item,
    all_digests,
    draft_kit_digest,
    mark_digest_shared,
    next_kit_meeting,
    remove_digest_item,
    save_digest_items,
    shared_digests,
)
from peerdiag.findings.domain.pack import peer_team_pack
from peerdiag.findings.domain.search import search
from peerdiag.findings.enums import SourceType
from peerdiag.findings.models import DigestItem, KitDigest
from peerdiag.web.forms.insight import (
    DigestItemForm,
    DigestItemsForm,
    SearchForm,
    ShareDigestForm,
)
from peerdiag.web.views.stale import posted_version

VIEW = "findings.view"
LEAD = "findings.lead"
SHARED = "findings.view_shared_digest"


def _notes_url(d: Diagnostic) -> str:
    return reverse("web:notes", args=[d.reference])


@login_required
def evidence_coverage_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The heat map of KLOEs by source type, with the sessions still to come per KLOE."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    rows = evidence_coverage(d)
    notes = _notes_url(d)
    table = [
        {
            "row": row,
            "cells": [
                {
                    "cell": c,
                    "href": (
                        f"{notes}?{urlencode({'kloe': row.kloe.code, 'source': c.source_type})}"
                        if notes and c.count
                        else ""
                    ),
                }
                for c in row.cells
            ],
        }
        for row in rows
    ]
    return render(
        request,
        "web/insight/coverage.html",
        {
            "d": d,
            "table": table,
            "sources": [str(t.label) for t in SourceType],
            "levels": list(LEVELS.items()),
            "notes_url": notes,
        },
    )


_TARGETS = {
    "note": "web:note_edit",
    "finding": "web:finding_detail",
    "recommendation": "web:recommendation_edit",
}


@login_required
def evidence_search(request: HttpRequest, ref: str) -> HttpResponse:
    """Search the team's notes, findings and recommendations (?q=)."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = []
    for r in search(d, query) if query else []:
        href = reverse(_TARGETS[r.kind], args=[d.reference, r.code])
        results.append({"r": r, "href": href})
    return render(
        request,
        "web/insight/search.html",
        {"d": d, "form": form, "query": query, "results": results},
    )


@login_required
def peer_team_pack_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The printable pack for the peer team meeting."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    return render(
        request,
        "web/insight/pack.html",
        {"d": d, "pack": peer_team_pack(d), "notes_url": _notes_url(d)},
    )


def _team_view(request: HttpRequest, d: Diagnostic) -> bool:
    return bool(request.user.has_perm(VIEW, d))


def _can_lead(request: HttpRequest, d: Diagnostic) -> bool:
    return d.stage not in ENDED and bool(request.user.has_perm(LEAD, d))


def _digest_row(digest: KitDigest) -> dict[str, Any]:
    items: list[DigestItem] = digest.visible  # type: ignore[attr-defined]
    return {"g": digest, "items": len(items), "shared": len([i for i in items if i.shared])}


@login_required
def kit_digests(request: HttpRequest, ref: str) -> HttpResponse:
    """The team: every digest, drafts and shared. The council: the shared ones only."""
    d = get_diagnostic_for_user(request.user, ref, perm=SHARED)
    team = _team_view(request, d)
    digests = all_digests(d) if team else shared_digests(d)
    kit = next_kit_meeting(d) if team else None
    return render(
        request,
        "web/insight/digests.html",
        {
            "d": d,
            "rows": [_digest_row(g) for g in digests],
            "team": team,
            "can_lead": team and _can_lead(request, d),
            "next_kit": kit,
            "has_draft": any(g.shared_at is None for g in digests),
        },
    )


@login_required
@require_POST
def kit_digest_draft(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=LEAD)
    try:
        digest = draft_kit_digest(d, by=request.user, session=next_kit_meeting(d))  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("web:kit_digests", d.reference)
    messages.success(request, "Digest drafted: edit the items and tick what you share")
    return redirect("web:kit_digest", d.reference, digest.code)


def _digest(d: Diagnostic, code: str, *, shared_only: bool) -> KitDigest:
    qs = KitDigest.objects.filter(diagnostic=d, code=code).select_related("session", "created_by")
    if shared_only:
        qs = qs.filter(shared_at__isnull=False)
    found = qs.first()
    if found is None:
        raise Http404("No such digest")
    return found


def _digest_page(
    request: HttpRequest,
    d: Diagnostic,
    digest: KitDigest,
    *,
    items_form: DigestItemsForm | None = None,
    add_form: DigestItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    items = list(digest.items.all())
    editable = digest.shared_at is None and _can_lead(request, d)
    return render(
        request,
        "web/insight/digest.html",
        {
            "d": d,
            "digest": digest,
            "team": True,
            "items": items,
            "shared_items": [i for i in items if i.shared],
            "editable": editable,
            "items_form": items_form or DigestItemsForm(items=items),
            "add_form": add_form or DigestItemForm(),
        },
        status=status,
    )


@login_required
def kit_digest(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=SHARED)
    if not _team_view(request, d):
        digest = _digest(d, code, shared_only=True)
        return render(
            request,
            "web/insight/digest.html",
            {
                "d": d,
                "digest": digest,
                "team": False,
                "shared_items": list(digest.items.filter(shared=True)),
            },
        )
    return _digest_page(request, d, _digest(d, code, shared_only=False))


def _sent_items(request: HttpRequest) -> set[int]:
    """The items the page showed, by the fields it sent."""
    out = set()
    for key in request.POST:
        prefix, _, pk = key.partition("_")
        if prefix in ("text", "version") and pk.isdigit():
            out.add(int(pk))
    return out


@login_required
@require_POST
def kit_digest_items(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Save the words of every item and which were shared: only what the person changed, and
    only from the versions they saw (items added since are left as they are)."""
    d = get_diagnostic_for_user(request.user, ref, perm=LEAD)
    digest = _digest(d, code, shared_only=False)
    current = list(digest.items.all())
    sent = _sent_items(request)
    form = DigestItemsForm(
        request.POST,
        items=[i for i in current if i.pk in sent],
        removed=sorted(sent - {i.pk for i in current}),
    )
    status = 400
    if form.is_valid():
        try:
            save_digest_items(digest, by=request.user, edits=form.edits())  # type: ignore[arg-type]
        except DigestItemsStale as e:
            form.show_conflicts(e)
            status = 409
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Digest saved")
            return redirect("web:kit_digest", d.reference, digest.code)
    return _digest_page(request, d, digest, items_form=form, status=status)


@login_required
@require_POST
def kit_digest_item_add(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=LEAD)
    digest = _digest(d, code, shared_only=False)
    form = DigestItemForm(request.POST)
    if form.is_valid():
        try:
            add_digest_item(digest, by=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Item added")
            return redirect("web:kit_digest", d.reference, digest.code)
    return _digest_page(request, d, digest, add_form=form, status=400)


@login_required
def kit_digest_item_remove(request: HttpRequest, ref: str, code: str, item: int) -> HttpResponse:
    """Confirm, then take an item out of a draft digest (as the confirmation showed it)."""
    d = get_diagnostic_for_user(request.user, ref, perm=LEAD)
    digest = _digest(d, code, shared_only=False)
    found = DigestItem.objects.filter(digest=digest, pk=item).first()
    if found is None:
        raise Http404("No such item")
    error = ""
    if request.method == "POST":
        try:
            version = posted_version(
                request, "This page is out of date: read the item again before you remove it"
            )
        except DomainError as e:
            error = e.message
        else:
            try:
                remove_digest_item(found, by=request.user, version=version)  # type: ignore[arg-type]
            except StaleEdit as e:
                found.refresh_from_db()
                error = (
                    f"{e.changed_by_name} changed this item at {when_text(e.changed_at)}, "
                    "after you opened this page, so it has not been removed. It now reads as "
                    "shown below: remove it only if you still mean to"
                )
            except DomainError as e:
                messages.error(request, e.message)
                return redirect("web:kit_digest", d.reference, digest.code)
            else:
                messages.success(request, "Item removed")
                return redirect("web:kit_digest", d.reference, digest.code)
    return render(
        request,
        "web/insight/digest_item_remove.html",
        {"d": d, "digest": digest, "item": found, "error": error},
        status=409 if error else 200,
    )


@login_required
def kit_digest_share(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Confirm what was shared with the sponsor; the digest is then fixed."""
    d = get_diagnostic_for_user(request.user, ref, perm=LEAD)
    digest = _digest(d, code, shared_only=False)
    if digest.shared_at is not None and request.method != "POST":
        messages.info(request, "This digest was already shared")
        return redirect("web:kit_digest", d.reference, digest.code)
    form = ShareDigestForm(request.POST or None, initial_version=digest.version)
    if request.method == "POST" and form.is_valid():
        try:
            mark_digest_shared(
                digest,
                by=request.user,  # type: ignore[arg-type]
                previews_final_messages=form.cleaned_data["previews_final_messages"],
                sponsor_response=form.cleaned_data["sponsor_response"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            now: KitDigest = e.current  # type: ignore[assignment]
            form.show_conflict(
                e,
                current={
                    "previews_final_messages": now.previews_final_messages,
                    "sponsor_response": now.sponsor_response,
                },
            )
            digest = now
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Recorded as shared with the sponsor")
            return redirect("web:kit_digest", d.reference, digest.code)
    return render(
        request,
        "web/insight/digest_share.html",
        {
            "d": d,
            "digest": digest,
            "form": form,
            "shared_items": list(digest.items.filter(shared=True)),
        },
    )
