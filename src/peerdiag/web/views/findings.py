"""Findings and recommendations, with how well each finding stands up, and the drafting-day
board the lead peer puts in order and approves.

None of these pages is ever open to the council (`findings.view` leaves it out). Writing needs
a place on the peer team (`findings.write`); ordering and approving the board needs the lead
peer or the PCM (`findings.lead`). An LGA administrator reads but does not write: it has no
place on the team, so writes test the rule itself (a superuser passes every `has_perm`) and
refuse it with 403.

Every edit names the version it was drawn from (see peerdiag.common.versioning). The history
of a finding or a recommendation lists every saved version; reading it needs `findings.view`,
putting a version back (a new version, refused from a stale page like any edit) needs
`findings.write`.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.models import Revision
from peerdiag.common.versioning import StaleEdit, revisions_of, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.findings.domain.board import (
    BoardChanged,
    BoardFinding,
    BoardNotReady,
    approve_board,
    approve_item,
    board_fingerprint,
    board_readiness,
    board_recommendations,
    findings_on_board,
    item_label,
    move_on_board,
    unapprove,
)
from peerdiag.findings.domain.findings import (
    Corroboration,
    add_finding,
    add_recommendation,
    corroboration_of,
    finding_text,
    link_evidence,
    recommendation_text,
    restore_finding,
    restore_recommendation,
    unlink_evidence,
    update_finding,
    update_recommendation,
)
from peerdiag.findings.enums import FindingKind, Polarity, SourceType, Stance
from peerdiag.findings.models import EvidenceNote, Finding, FindingEvidence, Recommendation
from peerdiag.web.forms.findings import (
    FindingEditForm,
    FindingForm,
    LinkEvidenceForm,
    RecommendationEditForm,
    RecommendationForm,
    RestoreForm,
)
from peerdiag.web.views.stale import posted_version

VIEW = "findings.view"
WRITE = "findings.write"
LEAD = "findings.lead"

# The gauge's verdict, always in words (the tag colour only repeats it).
STRENGTH = {
    "none": ("No support", "govuk-tag--red"),
    "thin": ("Thin", "govuk-tag--yellow"),
    "corroborated": ("Corroborated", "govuk-tag--green"),
}
POLARITY_TAG = {
    Polarity.STRENGTH: "govuk-tag--green",
    Polarity.CONCERN: "govuk-tag--orange",
    Polarity.NEUTRAL: "govuk-tag--grey",
}


def _gauge(c: Corroboration) -> dict[str, Any]:
    label, colour = STRENGTH[c.strength]
    return {
        "c": c,
        "types": [SourceType(t).label for t in c.source_types],
        "label": label,
        "colour": colour,
        "warnings": c.warnings,
    }


def _may(request: HttpRequest, perm: str, d: Diagnostic) -> bool:
    """The rule itself, without the superuser's blanket pass: writing needs a team place."""
    return bool(rules.has_perm(perm, request.user, d))


def _for(request: HttpRequest, ref: str, perm: str) -> Diagnostic:
    """The diagnostic (404 outsiders, 403 the council), then 403 unless `perm`'s rule holds."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    if perm != VIEW and not _may(request, perm, d):
        raise PermissionDenied
    return d


def _can(request: HttpRequest, d: Diagnostic) -> dict[str, bool]:
    open_ = d.stage not in ENDED
    return {
        "can_write": open_ and _may(request, WRITE, d),
        "can_lead": open_ and _may(request, LEAD, d),
    }


def _kloe_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        f = row["f"]
        groups.setdefault(f.kloe_id, {"kloe": f.kloe, "rows": []})["rows"].append(row)
    return sorted(
        groups.values(), key=lambda g: (g["kloe"] is None, g["kloe"].order if g["kloe"] else 0)
    )


@login_required
def findings(request: HttpRequest, ref: str) -> HttpResponse:
    """Strengths, then areas for consideration, grouped by KLOE, each with its gauge; then the
    recommendations with the findings they follow from."""
    d = _for(request, ref, VIEW)
    rows: list[dict[str, Any]] = [
        {"f": b.finding, "g": _gauge(b.corroboration)} for b in findings_on_board(d)
    ]
    sections = [
        {
            "kind": kind,
            "count": sum(1 for r in rows if r["f"].kind == kind),
            "groups": _kloe_groups([r for r in rows if r["f"].kind == kind]),
        }
        for kind in (FindingKind.STRENGTH, FindingKind.AREA)
    ]
    return render(
        request,
        "web/findings/list.html",
        {
            "d": d,
            "sections": sections,
            "total": len(rows),
            "recommendations": board_recommendations(d),
            **_can(request, d),
        },
    )


def _notes(d: Diagnostic) -> list[EvidenceNote]:
    return list(
        EvidenceNote.objects.filter(diagnostic=d, destroyed_at__isnull=True)
        .prefetch_related("kloes")
        .order_by("-updated_at", "-pk")
    )


def _first_kloe(note: EvidenceNote) -> Kloe | None:
    kloes = sorted(note.kloes.all(), key=lambda k: k.order)
    return kloes[0] if kloes else None


def _note_groups(notes: list[EvidenceNote], checked: set[str]) -> list[dict[str, Any]]:
    """Notes under their first KLOE (KLOE order; notes most recent first), for checkboxes."""
    groups: dict[int | None, dict[str, Any]] = {}
    for i, n in enumerate(notes):
        k = _first_kloe(n)
        groups.setdefault(k.pk if k else None, {"kloe": k, "notes": []})["notes"].append(
            {
                "n": n,
                "index": i,
                "checked": n.code in checked,
                "polarity_tag": POLARITY_TAG.get(n.polarity, "govuk-tag--grey"),  # type: ignore[call-overload]
            }
        )
    return sorted(
        groups.values(), key=lambda g: (g["kloe"] is None, g["kloe"].order if g["kloe"] else 0)
    )


def _prefill(request: HttpRequest, d: Diagnostic, notes: list[EvidenceNote]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    note = next((n for n in notes if n.code == request.GET.get("note")), None)
    if note is not None:
        initial["evidence"] = [note.code]
        kloe = _first_kloe(note)
        if kloe is not None:
            initial["kloe"] = kloe.code
        if note.polarity == Polarity.STRENGTH:
            initial["kind"] = FindingKind.STRENGTH
        elif note.polarity == Polarity.CONCERN:
            initial["kind"] = FindingKind.AREA
    wanted = request.GET.get("kloe")
    if wanted and any(k.code == wanted for k in d.kloes.all()):
        initial["kloe"] = wanted
    return initial


@login_required
def finding_add(request: HttpRequest, ref: str) -> HttpResponse:
    """A new finding; ?note=<code> starts it from that note (its KLOE, linked as support)."""
    d = _for(request, ref, WRITE)
    notes = _notes(d)
    form = FindingForm(
        request.POST or None, diagnostic=d, notes=notes, initial=_prefill(request, d, notes)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = add_finding(
                d,
                by=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                statement=data["statement"],
                kloe=form.chosen_kloe(),
                evidence=form.chosen_notes(),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{finding.get_kind_display()} added")
            return redirect("web:finding_detail", d.reference, finding.code)
    chosen = form["evidence"].value() or []
    return render(
        request,
        "web/findings/finding_form.html",
        {
            "d": d,
            "form": form,
            "adding": True,
            "note_groups": _note_groups(notes, {str(c) for c in chosen}),
        },
    )


def _finding(d: Diagnostic, code: str) -> Finding:
    found = (
        Finding.objects.filter(diagnostic=d, code=code)
        .select_related("kloe", "approved_by")
        .prefetch_related(
            Prefetch(
                "links",
                queryset=FindingEvidence.objects.select_related("note__session").order_by(
                    "-linked_at", "-pk"
                ),
            ),
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("order", "pk")),
        )
        .first()
    )
    if found is None:
        raise Http404("No such finding")
    found.diagnostic = d
    return found


def _detail(
    request: HttpRequest,
    d: Diagnostic,
    finding: Finding,
    *,
    link_form: LinkEvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    links = list(finding.links.all())
    linked = {link.note_id for link in links}
    candidates = [n for n in _notes(d) if n.pk not in linked]
    return render(
        request,
        "web/findings/detail.html",
        {
            "d": d,
            "f": finding,
            "g": _gauge(corroboration_of(finding.links.all())),
            "supporting": [link for link in links if link.stance == Stance.SUPPORTS],
            "contradicting": [link for link in links if link.stance == Stance.CONTRADICTS],
            "link_form": link_form or LinkEvidenceForm(notes=candidates),
            "recommendations": list(finding.recommendations.all()),
            **_can(request, d),
        },
        status=status,
    )


@login_required
def finding_detail(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _for(request, ref, VIEW)
    return _detail(request, d, _finding(d, code))


@login_required
@require_POST
def finding_link(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _for(request, ref, WRITE)
    finding = _finding(d, code)
    linked = {link.note_id for link in finding.links.all()}
    form = LinkEvidenceForm(request.POST, notes=[n for n in _notes(d) if n.pk not in linked])
    if form.is_valid():
        note = form.chosen_note()
        try:
            link_evidence(
                finding,
                note,
                by=request.user,  # type: ignore[arg-type]
                stance=form.cleaned_data["stance"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            verb = "supports" if form.cleaned_data["stance"] == Stance.SUPPORTS else "contradicts"
            messages.success(request, f"‘{note.title}’ linked: it {verb} the finding")
            return redirect("web:finding_detail", d.reference, finding.code)
    return _detail(request, d, finding, link_form=form)


@login_required
@require_POST
def finding_unlink(request: HttpRequest, ref: str, code: str, note_code: str) -> HttpResponse:
    d = _for(request, ref, WRITE)
    finding = _finding(d, code)
    link = next((x for x in finding.links.all() if x.note.code == note_code), None)
    if link is None:
        raise Http404("That note is not linked to this finding")
    try:
        unlink_evidence(finding, link.note, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"‘{link.note.title}’ is no longer linked to the finding")
    return redirect("web:finding_detail", d.reference, finding.code)


@login_required
def finding_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _for(request, ref, WRITE)
    finding = _finding(d, code)
    was_approved = finding.approved_at is not None
    form = FindingEditForm(
        request.POST or None,
        diagnostic=d,
        initial=finding_text(finding),
        initial_version=finding.version,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_finding(
                finding,
                by=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                statement=data["statement"],
                kloe=form.chosen_kloe(),
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current=finding_text(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if was_approved and finding.approved_at is None:
                messages.success(
                    request,
                    "Finding changed. It had been approved, so it now goes back to the lead "
                    "peer for approval",
                )
            else:
                messages.success(request, "Finding changed")
            return redirect("web:finding_detail", d.reference, finding.code)
    return render(
        request,
        "web/findings/finding_form.html",
        {"d": d, "form": form, "adding": False, "f": finding, "was_approved": was_approved},
    )


def _all_findings(d: Diagnostic) -> list[Finding]:
    return list(Finding.objects.filter(diagnostic=d).order_by("kind", "order", "pk"))


@login_required
def recommendation_add(request: HttpRequest, ref: str) -> HttpResponse:
    d = _for(request, ref, WRITE)
    initial = {"findings": [request.GET["finding"]]} if request.GET.get("finding") else {}
    form = RecommendationForm(request.POST or None, findings=_all_findings(d), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            add_recommendation(
                d,
                by=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                findings=form.chosen_findings(),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Recommendation added")
            return redirect(reverse("web:findings", args=[d.reference]) + "#recommendations")
    return render(
        request, "web/findings/recommendation_form.html", {"d": d, "form": form, "adding": True}
    )


def _recommendation(d: Diagnostic, code: str) -> Recommendation:
    rec = (
        Recommendation.objects.filter(diagnostic=d, code=code).prefetch_related("findings").first()
    )
    if rec is None:
        raise Http404("No such recommendation")
    rec.diagnostic = d
    return rec


@login_required
def recommendation_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _for(request, ref, WRITE)
    rec = _recommendation(d, code)
    was_approved = rec.approved_at is not None
    form = RecommendationEditForm(
        request.POST or None,
        findings=_all_findings(d),
        initial=recommendation_text(rec),
        initial_version=rec.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_recommendation(
                rec,
                by=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                findings=form.chosen_findings(),
                version=form.sent_version(),
            )
        except StaleEdit as e:
            _show_recommendation_conflict(form, e)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(
                request,
                "Recommendation changed"
                + (". It now goes back to the lead peer for approval" if was_approved else ""),
            )
            return redirect(reverse("web:findings", args=[d.reference]) + "#recommendations")
    return render(
        request,
        "web/findings/recommendation_form.html",
        {"d": d, "form": form, "adding": False, "rec": rec, "was_approved": was_approved},
    )


def _show_recommendation_conflict(form: RecommendationEditForm, e: StaleEdit) -> None:
    """The conflict panel, with the findings named in words rather than by their codes."""
    sent: Any = form.data
    mine = [str(c) for c in sent.getlist("findings")]
    current = recommendation_text(e.current)  # type: ignore[arg-type]
    form.show_conflict(e, current=current)
    if form.conflict is None:
        return
    for row in form.conflict.fields:
        if row.name == "findings":
            row.mine = form.finding_labels(mine)
            row.theirs = form.finding_labels(current["findings"])  # type: ignore[arg-type]


# History ------------------------------------------------------------------------------------


def _who(user: Any) -> str:
    if user is None:
        return "Not recorded"
    return (user.get_full_name() or "").strip() or user.email


def _finding_lines(d: Diagnostic, data: dict[str, Any]) -> list[tuple[str, str]]:
    kloes = {k.code: k for k in d.kloes.all()}
    kloe = kloes.get(str(data.get("kloe") or ""))
    if kloe is not None:
        kloe_text = f"{kloe.order}. {kloe.text}"
    elif data.get("kloe"):
        kloe_text = "A line of enquiry removed since"
    else:
        kloe_text = "None chosen"
    kind = str(data.get("kind") or "")
    return [
        ("Kind", str(FindingKind(kind).label) if kind in FindingKind.values else kind),
        ("Finding", str(data.get("statement") or "")),
        ("Key line of enquiry", kloe_text),
    ]


def _recommendation_lines(d: Diagnostic, data: dict[str, Any]) -> list[tuple[str, str]]:
    codes = [str(c) for c in data.get("findings") or []]
    found = {f.code: f for f in Finding.objects.filter(diagnostic=d, code__in=codes)}
    named = [
        f"{found[c].get_kind_display()}: {found[c].statement}"
        if c in found
        else "A finding removed since"
        for c in codes
    ]
    return [("Recommendation", str(data.get("text") or "")), ("Follows from", "\n".join(named))]


def _history(
    request: HttpRequest,
    d: Diagnostic,
    obj: Finding | Recommendation,
    *,
    error: str = "",
) -> HttpResponse:
    is_finding = isinstance(obj, Finding)
    revisions: list[Revision] = revisions_of(obj)
    lines = _finding_lines if is_finding else _recommendation_lines
    rows = [
        {
            "r": r,
            "who": _who(r.saved_by),
            "when": when_text(r.saved_at),
            "lines": lines(d, r.data),
            "current": r.version == obj.version,
            "restore_url": reverse(
                "web:finding_restore" if is_finding else "web:recommendation_restore",
                args=[d.reference, obj.code, r.version],
            ),
        }
        for r in revisions
    ]
    return render(
        request,
        "web/findings/history.html",
        {
            "d": d,
            "obj": obj,
            "is_finding": is_finding,
            "noun": "finding" if is_finding else "recommendation",
            "rows": rows,
            "error": error,
            **_can(request, d),
        },
    )


@login_required
def finding_history(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Every saved version of a finding, newest first, each of which can be put back."""
    d = _for(request, ref, VIEW)
    return _history(request, d, _finding(d, code))


@login_required
def recommendation_history(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Every saved version of a recommendation, newest first, each of which can be put back."""
    d = _for(request, ref, VIEW)
    return _history(request, d, _recommendation(d, code))


def _restore(
    request: HttpRequest, d: Diagnostic, obj: Finding | Recommendation, revision: int
) -> HttpResponse:
    noun = "finding" if isinstance(obj, Finding) else "recommendation"
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return _history(request, d, obj, error=str(form.errors["version"][0]))
    sent = form.cleaned_data["version"]
    try:
        if isinstance(obj, Finding):
            restore_finding(obj, by=request.user, revision=revision, version=sent)  # type: ignore[arg-type]
        else:
            restore_recommendation(obj, by=request.user, revision=revision, version=sent)  # type: ignore[arg-type]
    except StaleEdit as e:
        obj.refresh_from_db()
        return _history(
            request,
            d,
            obj,
            error=f"{e.changed_by_name} changed this {noun} at {when_text(e.changed_at)}, after "
            f"you opened its history, so version {revision} has not been put back. Their "
            "change is now at the top of the list: read it, then choose again",
        )
    except DomainError as e:
        return _history(request, d, obj, error=e.message)
    messages.success(
        request,
        f"Version {revision} is back as version {obj.version}. "
        "The text it replaced is kept in the history",
    )
    if isinstance(obj, Finding):
        return redirect("web:finding_detail", d.reference, obj.code)
    return redirect("web:recommendation_history", d.reference, obj.code)


@login_required
@require_POST
def finding_restore(request: HttpRequest, ref: str, code: str, version: int) -> HttpResponse:
    """Put back an earlier version of a finding as a new version (a stale page is refused)."""
    d = _for(request, ref, WRITE)
    return _restore(request, d, _finding(d, code), version)


@login_required
@require_POST
def recommendation_restore(request: HttpRequest, ref: str, code: str, version: int) -> HttpResponse:
    """Put back an earlier version of a recommendation as a new version."""
    d = _for(request, ref, WRITE)
    return _restore(request, d, _recommendation(d, code), version)


# The drafting-day board ------------------------------------------------------------------


def _board_rows(items: list[Any], noun: str) -> list[dict[str, Any]]:
    """Rows of one section; `noun` names each item for screen readers ("strength 2")."""
    rows = []
    for i, item in enumerate(items):
        row: dict[str, Any] = {
            "first": i == 0,
            "last": i == len(items) - 1,
            "position": i + 1,
            "name": f"{noun} {i + 1}",
        }
        if isinstance(item, BoardFinding):
            row |= {
                "item": item.finding,
                "g": _gauge(item.corroboration),
                "quotes": item.quotes,
                "withheld": item.withheld,
            }
        else:
            row["item"] = item
        rows.append(row)
    return rows


def _board(
    request: HttpRequest,
    d: Diagnostic,
    *,
    blocking: list[str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    found = findings_on_board(d, quotes=True)
    recs = board_recommendations(d)
    sections = [
        {
            "id": "strengths" if kind == FindingKind.STRENGTH else "areas",
            "title": "Strengths" if kind == FindingKind.STRENGTH else "Areas for consideration",
            "rows": _board_rows(
                [b for b in found if b.finding.kind == kind],
                "strength" if kind == FindingKind.STRENGTH else "area for consideration",
            ),
        }
        for kind in (FindingKind.STRENGTH, FindingKind.AREA)
    ]
    return render(
        request,
        "web/findings/board.html",
        {
            "d": d,
            "sections": sections,
            "recommendations": _board_rows(recs, "recommendation"),
            "readiness": board_readiness(d, findings=found, recommendations=recs),
            "approved": sum(1 for b in found if b.finding.approved_at is not None)
            + sum(1 for r in recs if r.approved_at is not None),
            "items": len(found) + len(recs),
            "blocking": blocking or [],
            "error": error,
            "fingerprint": board_fingerprint([*(b.finding for b in found), *recs]),
            **_can(request, d),
        },
        status=status,
    )


@login_required
def drafting_board(request: HttpRequest, ref: str) -> HttpResponse:
    """The board in the LGA format, with what the findings gate still needs."""
    d = _for(request, ref, VIEW)
    return _board(request, d)


def _item(d: Diagnostic, code: str) -> Finding | Recommendation:
    item: Finding | Recommendation | None = (
        Finding.objects.filter(diagnostic=d, code=code).first()
        or Recommendation.objects.filter(diagnostic=d, code=code).first()
    )
    if item is None:
        raise Http404("No such finding or recommendation")
    item.diagnostic = d
    return item


def _back_to_board(d: Diagnostic, item: Finding | Recommendation) -> HttpResponse:
    return redirect(reverse("web:drafting_board", args=[d.reference]) + f"#item-{item.code}")


OUT_OF_DATE = (
    "This page is out of date: nothing was changed. Read the board again and choose once more"
)


def _stale_on_board(e: StaleEdit, done: str) -> str:
    return (
        f"{e.changed_by_name} changed {item_label(e.current)} at {when_text(e.changed_at)}, "  # type: ignore[arg-type]
        f"after you opened the board, so it was not {done}. Read it again below before you "
        "choose"
    )


@login_required
@require_POST
def board_move(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _for(request, ref, LEAD)
    item = _item(d, code)
    try:
        moved = move_on_board(
            item,
            by=request.user,  # type: ignore[arg-type]
            direction=request.POST.get("direction", ""),
            version=posted_version(request, OUT_OF_DATE),
        )
    except StaleEdit as e:
        messages.error(request, _stale_on_board(e, "moved"))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        if not moved:
            messages.info(request, "It is already at that end of its section")
    return _back_to_board(d, item)


@login_required
@require_POST
def board_approve(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Approve one item, or (with action=withdraw) take its approval back; either names the
    version of the item the lead peer read."""
    d = _for(request, ref, LEAD)
    item = _item(d, code)
    withdraw = request.POST.get("action") == "withdraw"
    try:
        version = posted_version(request, OUT_OF_DATE)
        if withdraw:
            unapprove(item, by=request.user, version=version)  # type: ignore[arg-type]
        else:
            approve_item(item, by=request.user, version=version)  # type: ignore[arg-type]
    except StaleEdit as e:
        messages.error(
            request, _stale_on_board(e, "changed back to draft" if withdraw else "approved")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Approval withdrawn" if withdraw else "Approved")
    return _back_to_board(d, item)


@login_required
@require_POST
def board_approve_all(request: HttpRequest, ref: str) -> HttpResponse:
    """Approve the whole board as the lead peer read it, or nothing: what blocks it, or what
    changed since they opened it, is listed on the board."""
    d = _for(request, ref, LEAD)
    fingerprint = request.POST.get("fingerprint")
    if fingerprint is None:
        return _board(request, d, error=OUT_OF_DATE)
    try:
        count = approve_board(d, by=request.user, fingerprint=fingerprint)  # type: ignore[arg-type]
    except BoardChanged as e:
        return _board(request, d, blocking=e.changes, error=e.message)
    except BoardNotReady as e:
        return _board(request, d, blocking=e.blocking, error=e.message)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"Every item is approved ({count} newly approved)"
            if count
            else "Every item was already approved",
        )
    return redirect("web:drafting_board", d.reference)
