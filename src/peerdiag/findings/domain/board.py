"""The drafting-day board: findings and recommendations in the LGA format, put in order and
approved by the lead peer (or the PCM standing in).

Findings are ordered within their kind (strengths, areas for consideration) and
recommendations on their own. An item can be approved only when it stands on something: a
finding on at least one supporting note, a recommendation on at least one finding. Approving the
whole board is all or nothing.

Every action names the version of what it acts on (approve-all, a fingerprint of every item's
version), so nobody approves words they have not read: if a finding was reworded after the board
was drawn, the action is refused and says who changed it. Approving and moving change no words,
so they check the version without moving it on (a team member's open edit page stays current).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import rules
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic

from ..enums import FindingKind, Stance
from ..models import Finding, FindingEvidence, KitDigest, Quote, Recommendation
from .common import refuse_if_ended
from .findings import Corroboration, corroboration_of
from .notes import usable_quotes

LEAD = "findings.lead"
DIRECTIONS = ("up", "down")

Item = Finding | Recommendation


class BoardNotReady(DomainError):
    """approve_board refused: `blocking` lists each item that cannot be approved yet."""

    def __init__(self, blocking: list[str]) -> None:
        count = len(blocking)
        super().__init__(
            f"Nothing was approved: {count} item{'s' if count != 1 else ''} cannot be approved yet"
        )
        self.blocking = blocking


class BoardChanged(DomainError):
    """approve_board refused: the board changed after it was drawn. `changes` says who changed
    what (nothing was approved)."""

    def __init__(self, changes: list[str]) -> None:
        super().__init__(
            "Nothing was approved: the board changed after you opened it. Read the changes "
            "below, then approve the board again"
        )
        self.changes = changes


@dataclass(frozen=True)
class Readiness:
    messages: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.messages


@dataclass(frozen=True)
class _Note:
    pk: int
    source_type: str
    session_id: int | None


@dataclass(frozen=True)
class _Link:
    stance: str
    note: _Note


@dataclass
class BoardFinding:
    """A finding on the board: its corroboration, and the usable quotes of the notes that
    support it (with how many were kept out under the small-group rule)."""

    finding: Finding
    corroboration: Corroboration
    supported: bool
    quotes: list[Quote] = field(default_factory=list)
    withheld: int = 0


def findings_on_board(diagnostic: Diagnostic, *, quotes: bool = False) -> list[BoardFinding]:
    """Every finding in board order (kind, order) with its KLOE and corroboration, and, when
    asked, its usable quotes. Three queries at most, whatever the size.

    The evidence is read as plain rows rather than model objects: at 2,000 notes and 150
    findings this keeps the board fast, and it avoids prefetching notes by id, which under
    Django 5.2 on SQLite fails beyond about a thousand notes ("Expression tree is too large",
    which findings_with_evidence avoids by joining the notes to the links).
    """
    found = list(
        Finding.objects.filter(diagnostic=diagnostic)
        .select_related("kloe")
        .order_by("kind", "order", "pk")
    )
    links: dict[int, list[_Link]] = {f.pk: [] for f in found}
    rows = FindingEvidence.objects.filter(finding__diagnostic=diagnostic).values_list(
        "finding_id", "stance", "note_id", "note__source_type", "note__session_id"
    )
    for finding_id, stance, note_id, source_type, session_id in rows.order_by("pk"):
        links[finding_id].append(_Link(stance, _Note(note_id, source_type, session_id)))
    said: dict[int, list[Quote]] = {}
    if quotes:
        supporting = FindingEvidence.objects.filter(
            finding__diagnostic=diagnostic, stance=Stance.SUPPORTS
        ).values("note_id")
        for q in Quote.objects.filter(note_id__in=supporting).order_by("created_at", "pk"):
            said.setdefault(q.note_id, []).append(q)
    out = []
    for f in found:
        mine = links[f.pk]
        heard = [
            q
            for note_id in dict.fromkeys(x.note.pk for x in mine if x.stance == Stance.SUPPORTS)
            for q in said.get(note_id, [])
        ]
        usable = usable_quotes(heard)
        out.append(
            BoardFinding(
                finding=f,
                corroboration=corroboration_of(mine),  # type: ignore[arg-type]
                supported=any(x.stance == Stance.SUPPORTS for x in mine),
                quotes=usable,
                withheld=len(heard) - len(usable),
            )
        )
    return out


def _refuse_unless_lead(diagnostic: Diagnostic, by: User | None) -> None:
    # The rule itself: a superuser's blanket has_perm must not approve as the lead peer.
    if by is None or not rules.has_perm(LEAD, by, diagnostic):
        raise DomainError("Only the lead peer or the peer challenge manager can do this")


def _label(item: Item) -> str:
    if isinstance(item, Finding):
        return f"the {item.get_kind_display().lower()} ‘{item.statement[:100]}’"
    return f"the recommendation ‘{item.text[:100]}’"


def item_label(item: Item) -> str:
    """How a message names an item: its kind and the start of its words."""
    return _label(item)


def _hold(item: Item, *, version: int | None) -> None:
    """Lock `item`'s row for this transaction if it is still at `version`, without moving the
    version on (approving and moving change no words). Raises StaleEdit, naming who changed it,
    when it has moved on; `version=None` (internal callers) only takes the lock."""
    model = type(item)
    rows = model._default_manager.filter(pk=item.pk)  # type: ignore[attr-defined]
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version")):
        current = model._default_manager.select_related("changed_by").filter(pk=item.pk).first()  # type: ignore[attr-defined]
        if current is None:
            raise DomainError("That item is no longer on the board")
        raise StaleEdit(current, noun=_label(current))


def board_fingerprint(items: Iterable[Item]) -> str:
    """The versions of every item on the board as drawn (`code.version`, by code), which the
    approve-all button sends back."""
    return " ".join(sorted(f"{i.code}.{i.version}" for i in items))


def _shown(fingerprint: str) -> dict[str, int]:
    shown: dict[str, int] = {}
    for part in fingerprint.split():
        code, _, version = part.rpartition(".")
        if not code or not version.isdigit():
            raise DomainError("This page is out of date: open the board again")
        shown[code] = int(version)
    return shown


def _changes_since(fingerprint: str, items: list[Item]) -> list[str]:
    """Who changed, added or removed what since the board was drawn, in words."""
    shown = _shown(fingerprint)
    out = []
    for item in items:
        who = _person(item.changed_by)
        when = when_text(item.changed_at)
        if item.code not in shown:
            out.append(f"{who} added {_label(item)} at {when}")
        elif shown[item.code] != item.version:
            out.append(f"{who} changed {_label(item)} at {when}")
    gone = len(set(shown) - {i.code for i in items})
    if gone:
        out.append(
            f"{gone} item{'s' if gone != 1 else ''} you saw on the board "
            f"{'have' if gone != 1 else 'has'} since been removed"
        )
    return out


def _person(user: User | None) -> str:
    if user is None:
        return "Someone"
    return (user.get_full_name() or "").strip() or user.email


def why_not_approvable(item: Item) -> str:
    """Why `item` cannot be approved, or '' when it can (R33: findings rest on evidence and
    recommendations follow from findings). Uses prefetched links/findings when present."""
    if isinstance(item, Finding):
        if not any(link.stance == Stance.SUPPORTS for link in item.links.all()):
            return f"No evidence supports the finding ‘{item.statement[:80]}’"
        return ""
    if not item.findings.all():
        return f"The recommendation ‘{item.text[:80]}’ follows from no finding"
    return ""


def _siblings(item: Item) -> list[Item]:
    if isinstance(item, Finding):
        return list(
            Finding.objects.select_for_update()
            .filter(diagnostic_id=item.diagnostic_id, kind=item.kind)
            .order_by("order", "pk")
        )
    return list(
        Recommendation.objects.select_for_update()
        .filter(diagnostic_id=item.diagnostic_id)
        .order_by("order", "pk")
    )


def move_on_board(item: Item, *, by: User | None, direction: str, version: int | None) -> bool:
    """Swap `item` with its neighbour above or below, within its kind (findings) or among the
    recommendations. Returns False when it is already first (or last) and nothing moved.

    Refused with StaleEdit when the item changed after `version` (nothing moves).
    Side effects: renumbers the section's order densely from 1; audit entry when it moved.
    """
    d = item.diagnostic
    refuse_if_ended(d)
    _refuse_unless_lead(d, by)
    if direction not in DIRECTIONS:
        raise DomainError("Choose to move the item up or down", field="direction")
    with transaction.atomic():
        _hold(item, version=version)
        items = _siblings(item)
        at = next(i for i, other in enumerate(items) if other.pk == item.pk)
        to = at - 1 if direction == "up" else at + 1
        if not 0 <= to < len(items):
            return False
        items[at], items[to] = items[to], items[at]
        changed = []
        for n, other in enumerate(items, start=1):
            if other.order != n:
                other.order = n
                changed.append(other)
        if isinstance(item, Finding):
            Finding.objects.bulk_update([c for c in changed if isinstance(c, Finding)], ["order"])
        else:
            Recommendation.objects.bulk_update(
                [c for c in changed if isinstance(c, Recommendation)], ["order"]
            )
        item.order = to + 1
        audit.record(d, by=by, action="board", summary=f"Moved {_label(item)} {direction}")
    return True


def approve_item(item: Item, *, by: User | None, version: int | None) -> Item:
    """The lead peer approves one finding or recommendation for the presentation, as it was at
    `version` (the words they read).

    Refused when the finding has no supporting evidence or the recommendation no finding, and
    with StaleEdit (naming who) when its words changed after `version`.
    Side effects: approved_at/approved_by; audit entry.
    """
    d = item.diagnostic
    refuse_if_ended(d)
    _refuse_unless_lead(d, by)
    reason = why_not_approvable(item)
    if reason:
        raise DomainError(reason)
    with transaction.atomic():
        _hold(item, version=version)
        item.approved_at = timezone.now()
        item.approved_by = by
        item.save(update_fields=["approved_at", "approved_by", "updated_at"])
        audit.record(d, by=by, action="board", summary=f"Approved {_label(item)}")
    return item


def unapprove(item: Item, *, by: User | None, version: int | None) -> Item:
    """Take back an approval (the item goes back to draft). Refused with StaleEdit when the
    item changed after `version`. Side effects: audit entry."""
    d = item.diagnostic
    refuse_if_ended(d)
    _refuse_unless_lead(d, by)
    with transaction.atomic():
        _hold(item, version=version)
        if item.approved_at is None:
            return item
        item.approved_at = None
        item.approved_by = None
        item.save(update_fields=["approved_at", "approved_by", "updated_at"])
        audit.record(d, by=by, action="board", summary=f"Withdrew the approval of {_label(item)}")
    return item


def approve_board(diagnostic: Diagnostic, *, by: User | None, fingerprint: str | None) -> int:
    """Approve every finding and recommendation at once, or nothing at all.

    `fingerprint` is board_fingerprint() of the board the lead peer read; when any item was
    changed, added or removed since, raises BoardChanged saying who did what (None: internal
    callers, no comparison). Raises BoardNotReady (listing each item that blocks) when any item
    cannot be approved. Returns how many items were newly approved.
    Side effects: approvals; one audit entry.
    """
    refuse_if_ended(diagnostic)
    _refuse_unless_lead(diagnostic, by)
    with transaction.atomic():
        # Lock every item first (a write lock on SQLite), so none can change between the
        # comparison and the approval.
        Finding.objects.filter(diagnostic=diagnostic).update(version=F("version"))
        Recommendation.objects.filter(diagnostic=diagnostic).update(version=F("version"))
        findings = list(
            Finding.objects.select_for_update(of=("self",))
            .filter(diagnostic=diagnostic)
            .select_related("changed_by")
            .prefetch_related("links")
            .order_by("kind", "order", "pk")
        )
        recs = list(
            Recommendation.objects.select_for_update(of=("self",))
            .filter(diagnostic=diagnostic)
            .select_related("changed_by")
            .prefetch_related("findings")
            .order_by("order", "pk")
        )
        everything: list[Item] = [*findings, *recs]
        if fingerprint is not None:
            changes = _changes_since(fingerprint, everything)
            if changes:
                raise BoardChanged(changes)
        if not findings and not recs:
            raise DomainError("There is nothing on the board to approve yet")
        blocking = [r for r in (why_not_approvable(i) for i in everything) if r]
        if blocking:
            raise BoardNotReady(blocking)
        now = timezone.now()
        fresh_f = [f for f in findings if f.approved_at is None]
        fresh_r = [r for r in recs if r.approved_at is None]
        for f in fresh_f:
            f.approved_at, f.approved_by = now, by
        for r in fresh_r:
            r.approved_at, r.approved_by = now, by
        Finding.objects.bulk_update(fresh_f, ["approved_at", "approved_by"])
        Recommendation.objects.bulk_update(fresh_r, ["approved_at", "approved_by"])
        count = len(fresh_f) + len(fresh_r)
        audit.record(
            diagnostic,
            by=by,
            action="board",
            summary=f"Approved the whole drafting board ({count} item{'s' if count != 1 else ''}"
            " newly approved)",
        )
    return count


def board_recommendations(diagnostic: Diagnostic) -> list[Recommendation]:
    """Recommendations in board order with the findings they follow from (two queries)."""
    return list(
        Recommendation.objects.filter(diagnostic=diagnostic)
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("kind", "order", "pk"))
        )
        .order_by("order", "pk")
    )


def board_readiness(
    diagnostic: Diagnostic,
    *,
    findings: list[BoardFinding] | None = None,
    recommendations: list[Recommendation] | None = None,
) -> Readiness:
    """What the findings gate (drafting to feedback given) still needs, whatever the stage now:
    the same messages, in the same order, as gate.findings_blockers gives at drafting
    (tests/findings/test_board.py holds the two together). Pass what the page has loaded
    already to spare the queries; one more query asks for the KIT preview.
    """
    found = findings_on_board(diagnostic) if findings is None else findings
    recs = board_recommendations(diagnostic) if recommendations is None else recommendations
    out = [
        f"The presentation has no {kind.label.lower()}"
        for kind in FindingKind
        if not any(b.finding.kind == kind for b in found)
    ]
    if not recs:
        out.append("There are no recommendations")
    out += [
        f"No evidence supports the finding ‘{b.finding.statement[:80]}’"
        for b in found
        if not b.supported
    ]
    out += [
        f"The recommendation ‘{r.text[:80]}’ follows from no finding"
        for r in recs
        if not r.findings.all()
    ]
    unapproved = sum(1 for b in found if b.finding.approved_at is None) + sum(
        1 for r in recs if r.approved_at is None
    )
    if unapproved:
        out.append(
            f"The lead peer has not yet approved {unapproved} item"
            f"{'s' if unapproved != 1 else ''} on the drafting board"
        )
    previewed = KitDigest.objects.filter(
        diagnostic=diagnostic, shared_at__isnull=False, previews_final_messages=True
    ).exists()
    if not previewed:
        out.append("No KIT meeting is recorded as previewing the final messages with the sponsor")
    return Readiness(out)
