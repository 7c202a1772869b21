"""Evidence and findings over HTTP: the peer team's notes, findings and their evidence,
recommendations, the drafting-day board and its approvals, and KIT digests.

The same permissions (findings/rules.py) and domain functions as the pages
(web/views/notes.py, findings.py, insight.py). Everything here is the peer team's working
papers: the host council gets 403 on every operation but the KIT digests, where it sees the
shared digests and only their shared items. An LGA administrator reads but holds no place on
the team, so writes test the rule itself (a superuser passes every `has_perm`) and refuse it
with 403, as the pages do. A note is changed only by the peer who wrote it.
"""

from collections.abc import Iterable
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.documents.models import DocumentRequest
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
    move_on_board,
    unapprove,
)
from peerdiag.findings.domain.digest import all_digests, shared_digests
from peerdiag.findings.domain.findings import (
    Corroboration,
    add_finding,
    add_recommendation,
    corroboration_of,
    link_evidence,
    unlink_evidence,
    update_finding,
    update_recommendation,
)
from peerdiag.findings.domain.notes import add_note, save_note
from peerdiag.findings.enums import FindingKind, Stance
from peerdiag.findings.models import (
    DigestItem,
    EvidenceNote,
    Finding,
    FindingEvidence,
    KitDigest,
    Recommendation,
)

from .common import (
    EDIT_ERRORS,
    GUARDED_READ_ERRORS,
    PAGE_SIZE,
    WRITE_ERRORS,
    Code,
    Pages,
    Ref,
    caller,
    diagnostic_for,
)
from .errors import field_errors
from .schemas.common import StaleVersion
from .schemas.findings import (
    ApproveAllIn,
    ApprovedAllOut,
    BoardChangedOut,
    BoardNotReadyOut,
    BoardOut,
    DigestDetail,
    DigestSummary,
    FindingCreate,
    FindingDetail,
    FindingOut,
    FindingPatch,
    ItemVersionIn,
    LinkIn,
    MovedOut,
    MoveIn,
    NoteCreate,
    NoteDetail,
    NoteFilters,
    NotePatch,
    NoteSummary,
    RecommendationCreate,
    RecommendationOut,
    RecommendationPatch,
)

router = Router(tags=["findings"])

VIEW = "findings.view"
WRITE = "findings.write"
LEAD = "findings.lead"
SHARED = "findings.view_shared_digest"
NOT_THE_AUTHOR = "Only the peer who wrote a note can change it"

D = "/diagnostics/{ref}"
NOTES = D + "/notes"
FINDINGS = D + "/findings"
RECOMMENDATIONS = D + "/recommendations"
BOARD = D + "/board"
DIGESTS = D + "/kit-digests"

# Writes refused by the domain with a list (approve-all) answer 400 with what blocks.
APPROVE_ALL_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 400: BoardNotReadyOut, 409: BoardChangedOut}


def _for(request: HttpRequest, ref: str, perm: str) -> Diagnostic:
    """The diagnostic (404 to outsiders, 403 to the council), then 403 unless `perm`'s rule
    holds for the caller itself: no superuser short cut, as on the pages."""
    d = diagnostic_for(request, ref, VIEW)
    if perm != VIEW and not rules.has_perm(perm, caller(request), d):
        raise PermissionDenied
    return d


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    return (user.get_full_name() or "").strip() or user.email


def _by_codes(rows: QuerySet[Any], codes: Iterable[str], *, field: str, message: str) -> list[Any]:
    """The rows named by `codes`, in the order given; 400 on `field` if any is unknown."""
    wanted = list(dict.fromkeys(codes))
    found = {r.code: r for r in rows.filter(code__in=wanted)}
    if len(found) != len(wanted):
        raise DomainError(message, field=field)
    return [found[c] for c in wanted]


def _kloes(d: Diagnostic, codes: Iterable[str]) -> list[Kloe]:
    return _by_codes(
        d.kloes.all(), codes, field="kloes", message="Choose lines of enquiry of this diagnostic"
    )


def _live_notes(d: Diagnostic) -> QuerySet[EvidenceNote]:
    return EvidenceNote.objects.filter(diagnostic=d, destroyed_at__isnull=True)


# --- Evidence notes -------------------------------------------------------------------------


def _note(d: Diagnostic, code: str) -> EvidenceNote:
    note = (
        _live_notes(d)
        .filter(code=code)
        .select_related("author__person", "session", "document")
        .prefetch_related("kloes", "quotes")
        .first()
    )
    if note is None:
        raise Http404("No such note")
    note.diagnostic = d
    return note


@router.get(
    NOTES,
    response={200: list[NoteSummary], **GUARDED_READ_ERRORS},
    url_name="note_list",
    operation_id="listNotes",
    summary="The peer team's evidence notes, most recently changed first",
)
@paginate(Pages, page_size=PAGE_SIZE)
def note_list(request: HttpRequest, ref: Ref, filters: Query[NoteFilters]) -> Any:
    """50 to a page; filter by KLOE, polarity or source, as on the notes page."""
    d = _for(request, ref, VIEW)
    qs = (
        _live_notes(d)
        .select_related("author__person", "session", "document")
        .prefetch_related("kloes")
        .order_by("-updated_at", "pk")
    )
    if filters.kloe:
        qs = qs.filter(kloes__code=filters.kloe)
    if filters.polarity:
        qs = qs.filter(polarity=filters.polarity)
    if filters.source:
        qs = qs.filter(source_type=filters.source)
    return qs


@router.get(
    NOTES + "/{code}",
    response={200: NoteDetail, **GUARDED_READ_ERRORS},
    url_name="note_detail",
    operation_id="getNote",
    summary="One evidence note with its quotes",
)
def note_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """A note as the notes page shows it to the team, quotes from small groups included."""
    d = _for(request, ref, VIEW)
    return _note(d, code)


@router.post(
    NOTES,
    response={201: NoteDetail, **WRITE_ERRORS},
    url_name="note_create",
    operation_id="addNote",
    summary="Add a note from a document, data, an observation or the case review",
)
def note_create(request: HttpRequest, ref: Ref, payload: NoteCreate) -> Any:
    """A note outside the timetable, written by the caller (who must be on the team)."""
    d = _for(request, ref, WRITE)
    document = None
    if payload.document:
        document = DocumentRequest.objects.filter(diagnostic=d, code=payload.document).first()
        if document is None:
            raise DomainError("Choose a document of this diagnostic", field="document")
    note = add_note(
        d,
        by=caller(request),
        source_type=str(payload.source_type),
        title=payload.title,
        body=payload.body,
        kloes=_kloes(d, payload.kloes),
        polarity=str(payload.polarity),
        heard_from=payload.heard_from,
        document=document,
    )
    return Status(201, _note(d, note.code))


def _stale_note(note: EvidenceNote) -> dict[str, Any]:
    """409 for a save based on an older revision (another tab or device saved other words)."""
    author = note.author.person.full_name if note.author else "Someone"
    return {
        "detail": field_errors(
            "version",
            "This note was changed somewhere else since you read it, so nothing has been "
            "saved. Read it again, add your words to what is saved now and send the new version",
        ),
        "current_version": note.revision,
        "changed_by": author,
        "changed_at": note.updated_at,
    }


@router.patch(
    NOTES + "/{code}",
    response={200: NoteDetail, **WRITE_ERRORS, 409: StaleVersion},
    url_name="note_update",
    operation_id="updateNote",
    summary="Change your own note: its words, who spoke, polarity or KLOEs",
)
def note_update(request: HttpRequest, ref: Ref, code: Code, payload: NotePatch) -> Any:
    """Only the fields sent change. `version` is the note's revision as you read it: if it was
    saved since with other words, the answer is 409 and nothing is saved (sending exactly what
    is saved already is taken as a repeat)."""
    d = _for(request, ref, WRITE)
    note = _note(d, code)
    user = caller(request)
    if not rules.has_perm("findings.change_note", user, note):
        raise PermissionDenied(NOT_THE_AUTHOR)
    try:
        save_note(
            note,
            by=user,
            revision=payload.version,
            body=payload.body,
            kloes=_kloes(d, payload.kloes) if payload.kloes is not None else None,
            polarity=str(payload.polarity) if payload.polarity is not None else None,
            heard_from=payload.heard_from,
        )
    except DomainError:
        current = _note(d, code)
        if current.revision != payload.version:
            return Status(409, _stale_note(current))
        raise
    return _note(d, code)


# --- Findings -------------------------------------------------------------------------------


def _findings(d: Diagnostic) -> QuerySet[Finding]:
    links = FindingEvidence.objects.select_related("note").order_by("pk")
    return (
        Finding.objects.filter(diagnostic=d)
        .select_related("kloe", "approved_by")
        .prefetch_related(Prefetch("links", queryset=links))
        .order_by("kind", "order", "pk")
    )


def _corroboration(c: Corroboration) -> dict[str, Any]:
    return {
        "strength": c.strength,
        "source_types": list(c.source_types),
        "sessions": c.sessions,
        "voices": c.voices,
        "supporting": c.supporting,
        "contradicting": c.contradicting,
        "warnings": c.warnings,
    }


def _finding_out(f: Finding) -> dict[str, Any]:
    links = list(f.links.all())
    return {
        "code": f.code,
        "version": f.version,
        "kind": f.kind,
        "statement": f.statement,
        "kloe": f.kloe.code if f.kloe_id and f.kloe else None,
        "order": f.order,
        "approved_at": f.approved_at,
        "approved_by": _name(f.approved_by),
        "supporting_notes": [x.note.code for x in links if x.stance == Stance.SUPPORTS],
        "contradicting_notes": [x.note.code for x in links if x.stance == Stance.CONTRADICTS],
        "corroboration": _corroboration(corroboration_of(links)),
    }


def _finding(d: Diagnostic, code: str) -> Finding:
    found = _findings(d).filter(code=code).first()
    if found is None:
        raise Http404("No such finding")
    found.diagnostic = d
    return found


def _finding_detail(d: Diagnostic, code: str) -> dict[str, Any]:
    f = _finding(d, code)
    return {
        **_finding_out(f),
        "evidence": [
            {
                "note": x.note.code,
                "title": x.note.title,
                "source_type": x.note.source_type,
                "stance": x.stance,
            }
            for x in f.links.all()
        ],
        "recommendations": list(
            f.recommendations.order_by("order", "pk").values_list("code", flat=True)
        ),
    }


def _kloe(d: Diagnostic, code: str | None) -> Kloe | None:
    if not code:
        return None
    kloe = d.kloes.filter(code=code).first()
    if kloe is None:
        raise DomainError("Choose a line of enquiry of this diagnostic", field="kloe")
    return kloe


@router.get(
    FINDINGS,
    response={200: list[FindingOut], **GUARDED_READ_ERRORS},
    url_name="finding_list",
    operation_id="listFindings",
    summary="Strengths, then areas for consideration, each with its corroboration",
)
def finding_list(request: HttpRequest, ref: Ref) -> Any:
    """Every finding in board order, with the codes of the notes for and against it."""
    d = _for(request, ref, VIEW)
    return [_finding_out(f) for f in _findings(d)]


@router.get(
    FINDINGS + "/{code}",
    response={200: FindingDetail, **GUARDED_READ_ERRORS},
    url_name="finding_detail",
    operation_id="getFinding",
    summary="One finding: its evidence, corroboration and recommendations",
)
def finding_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """One finding with its linked notes (code, title, source, stance)."""
    d = _for(request, ref, VIEW)
    return _finding_detail(d, code)


@router.post(
    FINDINGS,
    response={201: FindingDetail, **WRITE_ERRORS},
    url_name="finding_create",
    operation_id="addFinding",
    summary="Record a finding, optionally with the notes that support it",
)
def finding_create(request: HttpRequest, ref: Ref, payload: FindingCreate) -> Any:
    """A new finding at the end of its kind, with the notes given as support."""
    d = _for(request, ref, WRITE)
    notes = _by_codes(
        _live_notes(d),
        payload.evidence,
        field="evidence",
        message="Choose evidence of this diagnostic",
    )
    finding = add_finding(
        d,
        by=caller(request),
        kind=str(payload.kind),
        statement=payload.statement,
        kloe=_kloe(d, payload.kloe),
        evidence=notes,
    )
    return Status(201, _finding_detail(d, finding.code))


@router.patch(
    FINDINGS + "/{code}",
    response={200: FindingDetail, **EDIT_ERRORS},
    url_name="finding_update",
    operation_id="updateFinding",
    summary="Change a finding's words, kind or KLOE (an approved one goes back for approval)",
)
def finding_update(request: HttpRequest, ref: Ref, code: Code, payload: FindingPatch) -> Any:
    """Only the fields sent change; a stale `version` is 409 and changes nothing."""
    d = _for(request, ref, WRITE)
    f = _finding(d, code)
    update_finding(
        f,
        by=caller(request),
        kind=str(payload.kind) if payload.kind is not None else f.kind,
        statement=payload.statement if payload.statement is not None else f.statement,
        kloe=f.kloe if payload.kloe is None else _kloe(d, payload.kloe),
        version=payload.version,
    )
    return _finding_detail(d, code)


@router.post(
    FINDINGS + "/{code}/evidence",
    response={200: FindingDetail, **WRITE_ERRORS},
    url_name="finding_link",
    operation_id="linkEvidence",
    summary="Link a note to a finding as supporting or contradicting it",
)
def finding_link(request: HttpRequest, ref: Ref, code: Code, payload: LinkIn) -> Any:
    """A note linked already changes its stance."""
    d = _for(request, ref, WRITE)
    f = _finding(d, code)
    note = _live_notes(d).filter(code=payload.note).first()
    if note is None:
        raise DomainError("Choose evidence of this diagnostic", field="note")
    link_evidence(f, note, by=caller(request), stance=str(payload.stance))
    return _finding_detail(d, code)


@router.delete(
    FINDINGS + "/{code}/evidence/{note_code}",
    response={204: None, **WRITE_ERRORS},
    url_name="finding_unlink",
    operation_id="unlinkEvidence",
    summary="Unlink a note from a finding",
)
def finding_unlink(request: HttpRequest, ref: Ref, code: Code, note_code: Code) -> Any:
    """404 when the note is not linked to the finding."""
    d = _for(request, ref, WRITE)
    f = _finding(d, code)
    link = next((x for x in f.links.all() if x.note.code == note_code), None)
    if link is None:
        raise Http404("That note is not linked to this finding")
    unlink_evidence(f, link.note, by=caller(request))
    return Status(204, None)


# --- Recommendations ------------------------------------------------------------------------


def _recommendations(d: Diagnostic) -> QuerySet[Recommendation]:
    in_board_order = Finding.objects.order_by("kind", "order", "pk")
    return (
        Recommendation.objects.filter(diagnostic=d)
        .select_related("approved_by")
        .prefetch_related(Prefetch("findings", queryset=in_board_order))
        .order_by("order", "pk")
    )


def _recommendation(d: Diagnostic, code: str) -> Recommendation:
    rec = _recommendations(d).filter(code=code).first()
    if rec is None:
        raise Http404("No such recommendation")
    rec.diagnostic = d
    return rec


def _recommendation_out(rec: Recommendation) -> dict[str, Any]:
    return {
        "code": rec.code,
        "version": rec.version,
        "text": rec.text,
        "findings": [f.code for f in rec.findings.all()],
        "order": rec.order,
        "approved_at": rec.approved_at,
        "approved_by": _name(rec.approved_by),
    }


def _chosen_findings(d: Diagnostic, codes: Iterable[str]) -> list[Finding]:
    return _by_codes(
        Finding.objects.filter(diagnostic=d),
        codes,
        field="findings",
        message="Choose findings of this diagnostic",
    )


@router.get(
    RECOMMENDATIONS,
    response={200: list[RecommendationOut], **GUARDED_READ_ERRORS},
    url_name="recommendation_list",
    operation_id="listRecommendations",
    summary="The recommendations in board order, with the findings they follow from",
)
def recommendation_list(request: HttpRequest, ref: Ref) -> Any:
    """Every recommendation with the codes of the findings it follows from."""
    d = _for(request, ref, VIEW)
    return [_recommendation_out(r) for r in _recommendations(d)]


@router.post(
    RECOMMENDATIONS,
    response={201: RecommendationOut, **WRITE_ERRORS},
    url_name="recommendation_create",
    operation_id="addRecommendation",
    summary="Add a recommendation that follows from one or more findings",
)
def recommendation_create(request: HttpRequest, ref: Ref, payload: RecommendationCreate) -> Any:
    """A recommendation at the end of the list, following from the findings given."""
    d = _for(request, ref, WRITE)
    rec = add_recommendation(
        d, by=caller(request), text=payload.text, findings=_chosen_findings(d, payload.findings)
    )
    return Status(201, _recommendation_out(_recommendation(d, rec.code)))


@router.patch(
    RECOMMENDATIONS + "/{code}",
    response={200: RecommendationOut, **EDIT_ERRORS},
    url_name="recommendation_update",
    operation_id="updateRecommendation",
    summary="Change a recommendation's words or findings (it goes back for approval)",
)
def recommendation_update(
    request: HttpRequest, ref: Ref, code: Code, payload: RecommendationPatch
) -> Any:
    """Only the fields sent change; a stale `version` is 409 and changes nothing."""
    d = _for(request, ref, WRITE)
    rec = _recommendation(d, code)
    findings = (
        list(rec.findings.all())
        if payload.findings is None
        else _chosen_findings(d, payload.findings)
    )
    update_recommendation(
        rec,
        by=caller(request),
        text=payload.text if payload.text is not None else rec.text,
        findings=findings,
        version=payload.version,
    )
    return _recommendation_out(_recommendation(d, code))


# --- The drafting board ---------------------------------------------------------------------


def _approvers(items: list[Finding | Recommendation]) -> dict[int, str | None]:
    ids = {i.approved_by_id for i in items if i.approved_by_id}
    return {u.pk: _name(u) for u in User.objects.filter(pk__in=ids)}


def _board_finding(b: BoardFinding, position: int, approvers: dict[int, Any]) -> dict[str, Any]:
    f = b.finding
    return {
        "code": f.code,
        "version": f.version,
        "position": position,
        "text": f.statement,
        "kloe": f.kloe.code if f.kloe_id and f.kloe else None,
        "approved_at": f.approved_at,
        "approved_by": approvers.get(f.approved_by_id) if f.approved_by_id else None,
        "approvable": b.supported,
        "corroboration": _corroboration(b.corroboration),
        "quotes": [
            {"text": q.text, "group": q.group, "group_size": q.group_size} for q in b.quotes
        ],
        "withheld_quotes": b.withheld,
        "findings": [],
    }


def _board_recommendation(
    r: Recommendation, position: int, approvers: dict[int, Any]
) -> dict[str, Any]:
    findings = list(r.findings.all())
    return {
        "code": r.code,
        "version": r.version,
        "position": position,
        "text": r.text,
        "kloe": None,
        "approved_at": r.approved_at,
        "approved_by": approvers.get(r.approved_by_id) if r.approved_by_id else None,
        "approvable": bool(findings),
        "corroboration": None,
        "quotes": [],
        "withheld_quotes": 0,
        "findings": [f.code for f in findings],
    }


def _board(d: Diagnostic) -> dict[str, Any]:
    """The board as the page draws it: each section in order, the readiness panel and the
    fingerprint that approving the whole board sends back."""
    found = findings_on_board(d, quotes=True)
    recs = board_recommendations(d)
    items: list[Finding | Recommendation] = [*(b.finding for b in found), *recs]
    approvers = _approvers(items)

    def section(kind: str) -> list[dict[str, Any]]:
        mine = [b for b in found if b.finding.kind == kind]
        return [_board_finding(b, n, approvers) for n, b in enumerate(mine, start=1)]

    readiness = board_readiness(d, findings=found, recommendations=recs)
    return {
        "strengths": section(FindingKind.STRENGTH),
        "areas": section(FindingKind.AREA),
        "recommendations": [
            _board_recommendation(r, n, approvers) for n, r in enumerate(recs, start=1)
        ],
        "approved": sum(1 for i in items if i.approved_at is not None),
        "items": len(items),
        "ready": readiness.ready,
        "readiness": readiness.messages,
        "fingerprint": board_fingerprint(items),
    }


def _item(d: Diagnostic, code: str) -> Finding | Recommendation:
    item: Finding | Recommendation | None = (
        Finding.objects.filter(diagnostic=d, code=code).prefetch_related("links").first()
        or Recommendation.objects.filter(diagnostic=d, code=code)
        .prefetch_related("findings")
        .first()
    )
    if item is None:
        raise Http404("No such finding or recommendation")
    item.diagnostic = d
    return item


@router.get(
    BOARD,
    response={200: BoardOut, **GUARDED_READ_ERRORS},
    url_name="board_detail",
    operation_id="getBoard",
    summary="The drafting board: each section in order, approvals and what the gate needs",
)
def board_detail(request: HttpRequest, ref: Ref) -> Any:
    """The board as the lead peer sees it: strengths, areas, recommendations, readiness."""
    d = _for(request, ref, VIEW)
    return _board(d)


@router.post(
    BOARD + "/{code}/approve",
    response={200: BoardOut, **EDIT_ERRORS},
    url_name="board_item_approve",
    operation_id="approveBoardItem",
    summary="Approve one finding or recommendation, as it was at `version`",
)
def board_item_approve(request: HttpRequest, ref: Ref, code: Code, payload: ItemVersionIn) -> Any:
    """The lead peer (or the PCM) approves the words they read; answers with the board."""
    d = _for(request, ref, LEAD)
    approve_item(_item(d, code), by=caller(request), version=payload.version)
    return _board(d)


@router.post(
    BOARD + "/{code}/withdraw",
    response={200: BoardOut, **EDIT_ERRORS},
    url_name="board_item_withdraw",
    operation_id="withdrawApproval",
    summary="Take back the approval of one item (it goes back to draft)",
)
def board_item_withdraw(request: HttpRequest, ref: Ref, code: Code, payload: ItemVersionIn) -> Any:
    """The item goes back to draft; answers with the board."""
    d = _for(request, ref, LEAD)
    unapprove(_item(d, code), by=caller(request), version=payload.version)
    return _board(d)


@router.post(
    BOARD + "/{code}/move",
    response={200: MovedOut, **EDIT_ERRORS},
    url_name="board_item_move",
    operation_id="moveBoardItem",
    summary="Swap an item with its neighbour above or below in its section",
)
def board_item_move(request: HttpRequest, ref: Ref, code: Code, payload: MoveIn) -> Any:
    """Moving changes no words, so the item keeps its version; answers with the board."""
    d = _for(request, ref, LEAD)
    moved = move_on_board(
        _item(d, code), by=caller(request), direction=payload.direction, version=payload.version
    )
    return {"moved": moved, "board": _board(d)}


@router.post(
    BOARD + "/approve-all",
    response={200: ApprovedAllOut, **APPROVE_ALL_ERRORS},
    url_name="board_approve_all",
    operation_id="approveBoard",
    summary="Approve every item at once, as you read the board, or nothing",
    description="Send the board's `fingerprint`. If anything was changed, added or removed "
    "since, the answer is 409 listing who changed what; if any item cannot be approved yet, "
    "400 listing each. Either way nothing is approved.",
)
def board_approve_all(request: HttpRequest, ref: Ref, payload: ApproveAllIn) -> Any:
    """All or nothing, as the lead peer read the board."""
    d = _for(request, ref, LEAD)
    try:
        count = approve_board(d, by=caller(request), fingerprint=payload.fingerprint)
    except BoardChanged as e:
        return Status(409, {"detail": field_errors("fingerprint", e.message), "changes": e.changes})
    except BoardNotReady as e:
        return Status(400, {"detail": field_errors(None, e.message), "blocking": e.blocking})
    return {"newly_approved": count, "board": _board(d)}


# --- KIT digests ----------------------------------------------------------------------------


def _team(request: HttpRequest, d: Diagnostic) -> bool:
    """The team (and the LGA) read every digest in full; the council only what was shared."""
    return bool(caller(request).has_perm(VIEW, d))


@router.get(
    DIGESTS,
    response={200: list[DigestSummary], **GUARDED_READ_ERRORS},
    url_name="kit_digest_list",
    operation_id="listKitDigests",
    summary="KIT digests: every one for the team, the shared ones for the council",
)
def kit_digest_list(request: HttpRequest, ref: Ref) -> Any:
    """Newest first; the council gets the shared digests, counting shared items only."""
    d = diagnostic_for(request, ref, SHARED)
    digests = all_digests(d) if _team(request, d) else shared_digests(d)
    out = []
    for g in digests:
        items: list[DigestItem] = g.visible  # type: ignore[attr-defined]
        out.append(
            {
                "code": g.code,
                "shared_at": g.shared_at,
                "items": len(items),
                "shared_items": sum(1 for i in items if i.shared),
            }
        )
    return out


@router.get(
    DIGESTS + "/{code}",
    response={200: DigestDetail, **GUARDED_READ_ERRORS},
    url_name="kit_digest_detail",
    operation_id="getKitDigest",
    summary="One KIT digest: the council sees a shared one's shared items and the response",
)
def kit_digest_detail(request: HttpRequest, ref: Ref, code: Code) -> Any:
    """A draft is not found for the council; a shared one shows only its shared items."""
    d = diagnostic_for(request, ref, SHARED)
    team = _team(request, d)
    qs = KitDigest.objects.filter(diagnostic=d, code=code).select_related("session")
    if not team:
        qs = qs.filter(shared_at__isnull=False)
    digest = qs.first()
    if digest is None:
        raise Http404("No such digest")
    items = digest.items.all() if team else digest.items.filter(shared=True)
    shared = digest.shared_at is not None
    return {
        "code": digest.code,
        "shared_at": digest.shared_at,
        "sponsor_response": digest.sponsor_response if shared else "",
        "items": [{"text": i.text, "shared": i.shared, "order": i.order} for i in items],
        "version": digest.version if team else None,
        "created_at": digest.created_at if team else None,
        "since": digest.since if team else None,
        "meeting": digest.session.title if team and digest.session else None,
        "previews_final_messages": digest.previews_final_messages if team and shared else None,
    }
