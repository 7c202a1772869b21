"""The KIT digest: emerging themes the lead peer may share with the sponsor at a keeping-in-touch
meeting.

A draft is made from what emerged since the previous digest: each finding added or changed, and
per line of enquiry a one-line count of the new notes' polarity. It never carries a note's words,
a quote or a person's name (names of attendees, the team and council contacts are taken out of
any finding that mentions one, and words of a small group's quote are withheld). The lead peer
(or the PCM) edits the items, ticks those actually shared, and marks the digest shared with the
sponsor's response; from then on it cannot change, and the sponsor sees only the shared items.

Each item has its own version (its words and tick), and the digest's version moves whenever
anything in it changes, so the share page, which lists what the sponsor will see, is refused
when the list changed after it was drawn.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Max, Prefetch, Q
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, StaleEdit, claim, with_version_fields
from peerdiag.common.versioning import created_by as first_version
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session

from ..enums import Polarity
from ..models import DigestItem, EvidenceNote, Finding, KitDigest, Quote
from .common import refuse_if_ended
from .coverage import kloe_label

LEAD = "findings.lead"
MAX_ITEM = 2000
NAME_REMOVED = "[name removed]"
QUOTE_WITHHELD = "[words withheld: a small group]"


def _refuse_unless_lead(diagnostic: Diagnostic, by: User | None) -> None:
    if by is None or not by.has_perm(LEAD, diagnostic):
        raise DomainError("Only the lead peer or the peer challenge manager can change a digest")


def _refuse_if_shared(digest: KitDigest) -> None:
    if digest.shared_at is not None:
        raise DomainError("This digest was shared with the sponsor and can no longer change")


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError("Write the item", field="text")
    if len(text) > MAX_ITEM:
        raise DomainError(f"An item can hold up to {MAX_ITEM:,} characters", field="text")
    return text


def names_of(diagnostic: Diagnostic) -> list[str]:
    """People's names that must never reach a digest: attendees, the team, council contacts."""
    names = set(Attendee.objects.filter(diagnostic=diagnostic).values_list("name", flat=True))
    names |= set(diagnostic.team.values_list("person__full_name", flat=True))
    names |= set(diagnostic.council_roles.values_list("person__full_name", flat=True))
    return sorted((n.strip() for n in names if n and len(n.strip()) > 2), key=len, reverse=True)


def small_group_words(diagnostic: Diagnostic) -> list[str]:
    """The words of quotes from small groups that no one has allowed into the outputs."""
    return [
        q.text.strip()
        for q in Quote.objects.filter(note__diagnostic=diagnostic).select_related("note")
        if not q.usable and q.text.strip()
    ]


def scrub(text: str, *, names: list[str], withheld: list[str]) -> str:
    """`text` without people's names or the words of small groups' quotes."""
    for words in withheld:
        text = re.sub(re.escape(words), QUOTE_WITHHELD, text, flags=re.I)
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", NAME_REMOVED, text, flags=re.I)
    return text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def polarity_line(label: str, counts: Counter[str], *, since: datetime | None) -> str:
    parts = []
    if counts[Polarity.STRENGTH]:
        parts.append(_plural(counts[Polarity.STRENGTH], "strength", "strengths"))
    if counts[Polarity.CONCERN]:
        parts.append(_plural(counts[Polarity.CONCERN], "concern", "concerns"))
    if counts[Polarity.NEUTRAL]:
        parts.append(_plural(counts[Polarity.NEUTRAL], "other observation", "other observations"))
    joined = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    when = "since the last KIT meeting" if since is not None else "so far"
    return f"{label}: {joined} noted {when}"


def next_kit_meeting(diagnostic: Diagnostic) -> Session | None:
    """The first keeping-in-touch meeting not yet recorded as held."""
    return (
        Session.objects.filter(diagnostic=diagnostic, type=SessionType.KIT)
        .exclude(status=SessionStatus.HELD)
        .order_by("day", "start", "pk")
        .first()
    )


def draft_kit_digest(
    diagnostic: Diagnostic, *, by: User | None, session: Session | None = None
) -> KitDigest:
    """Draft a digest of what emerged since the previous one, for the lead peer to edit.

    Refused while another digest is still an unshared draft. Side effects: the digest and its
    items (none shared yet); audit entry.
    """
    refuse_if_ended(diagnostic)
    _refuse_unless_lead(diagnostic, by)
    if session is not None and (
        session.diagnostic_id != diagnostic.pk or session.type != SessionType.KIT
    ):
        raise DomainError("Choose a keeping-in-touch meeting of this diagnostic", field="session")
    previous = KitDigest.objects.filter(diagnostic=diagnostic).order_by("-created_at").first()
    if previous is not None and previous.shared_at is None:
        raise DomainError("A draft digest is waiting: share it or edit it before drafting another")
    since = previous.created_at if previous is not None else None
    texts = _themes(diagnostic, since)
    with transaction.atomic():
        digest = KitDigest.objects.create(
            diagnostic=diagnostic,
            session=session,
            since=since,
            created_by=by if by is not None and by.is_authenticated else None,
            **first_version(by),
        )
        DigestItem.objects.bulk_create(
            DigestItem(
                digest=digest, text=text, finding_id=finding_id, order=i, **first_version(by)
            )
            for i, (text, finding_id) in enumerate(texts, start=1)
        )
        audit.record(
            diagnostic,
            by=by,
            action="digest",
            summary=f"Drafted a KIT digest with {_plural(len(texts), 'item', 'items')}",
        )
    return digest


def _themes(diagnostic: Diagnostic, since: datetime | None) -> list[tuple[str, int | None]]:
    names = names_of(diagnostic)
    withheld = small_group_words(diagnostic)
    out: list[tuple[str, int | None]] = []
    findings = Finding.objects.filter(diagnostic=diagnostic)
    if since is not None:
        findings = findings.filter(Q(created_at__gte=since) | Q(updated_at__gte=since))
    for f in findings.order_by("kind", "order", "pk"):
        statement = scrub(f.statement, names=names, withheld=withheld)
        out.append((f"{f.get_kind_display()}: {statement}", f.pk))
    through = EvidenceNote.kloes.through
    rows = through.objects.filter(
        evidencenote__diagnostic=diagnostic, evidencenote__destroyed_at__isnull=True
    )
    if since is not None:
        rows = rows.filter(evidencenote__updated_at__gte=since)
    counts: dict[int, Counter[str]] = {}
    for kloe_id, polarity in rows.values_list("kloe_id", "evidencenote__polarity"):
        counts.setdefault(kloe_id, Counter())[polarity] += 1
    for k in Kloe.objects.filter(diagnostic=diagnostic).order_by("order", "pk"):
        if counts.get(k.pk):
            label = scrub(kloe_label(k), names=names, withheld=withheld)
            out.append((polarity_line(label, counts[k.pk], since=since), None))
    return out


def _item_label(item: DigestItem) -> str:
    """How the audit trail names an item: by its place, never its words (they are encrypted at
    rest and destroyed on the destroy-by date; the trail is kept)."""
    return f"digest item {item.order}"


def _touch(digest: KitDigest, *, by: User | None) -> None:
    """Move the digest to its next version: something in it changed."""
    claim(digest, version=UNCHECKED, by=by, noun="this digest")


def item_state(text: str, shared: bool) -> str:
    """A short fingerprint of an item's words and tick as a page showed them, so a save can
    tell an item the person left alone from one they changed."""
    return hashlib.sha256(f"{int(shared)}:{text}".encode()).hexdigest()[:16]


def edit_digest_item(
    item: DigestItem, *, by: User | None, text: str, version: int | None
) -> DigestItem:
    """Change an item's words. Refused once the digest is shared, and with StaleEdit when the
    item changed after `version`. Side effects: audit entry."""
    digest = item.digest
    refuse_if_ended(digest.diagnostic)
    _refuse_unless_lead(digest.diagnostic, by)
    _refuse_if_shared(digest)
    text = _clean_text(text)
    if text == item.text:
        return item
    with transaction.atomic():
        claim(item, version=version, by=by, noun="this item")
        item.text = text
        item.save(update_fields=with_version_fields(["text", "shared", "updated_at"]))
        _touch(digest, by=by)
        audit.record(
            digest.diagnostic, by=by, action="digest", summary=f"Changed {_item_label(item)}"
        )
    return item


def set_item_shared(
    item: DigestItem, *, by: User | None, shared: bool, version: int | None
) -> DigestItem:
    """Tick (or untick) an item as shared with the sponsor. Refused with StaleEdit when the item
    changed after `version`. Side effects: audit entry."""
    digest = item.digest
    refuse_if_ended(digest.diagnostic)
    _refuse_unless_lead(digest.diagnostic, by)
    _refuse_if_shared(digest)
    if item.shared == shared:
        return item
    with transaction.atomic():
        claim(item, version=version, by=by, noun="this item")
        item.shared = shared
        item.save(update_fields=with_version_fields(["text", "shared", "updated_at"]))
        _touch(digest, by=by)
        audit.record(
            digest.diagnostic,
            by=by,
            action="digest",
            summary=f"{'Will share' if shared else 'Will not share'} {_item_label(item)}",
        )
    return item


@dataclass(frozen=True)
class ItemEdit:
    """One item as the digest page sent it back: the words and tick, the version the page
    showed, and item_state() of what it showed."""

    pk: int
    text: str
    shared: bool
    version: int
    shown: str


class DigestItemsStale(DomainError):
    """save_digest_items refused (nothing saved): `stale` holds each item someone else changed
    after the page was drawn and the person changed too; `removed` the items (as sent) that
    someone took out meanwhile."""

    def __init__(self, stale: list[StaleEdit], removed: list[ItemEdit]) -> None:
        self.stale = stale
        self.removed = removed
        count = len(stale) + len(removed)
        super().__init__(
            f"{count} item{'s' if count != 1 else ''} changed after you opened the digest, so "
            "nothing has been saved. What is saved now is in the form; your own words are "
            "shown beside it. Copy across what you want to keep and save again",
            field="version",
        )


def save_digest_items(digest: KitDigest, *, by: User | None, edits: Iterable[ItemEdit]) -> int:
    """Save the words and ticks of the digest page, all or nothing. An item the person left as
    the page showed it is not written (someone else's newer words stay); an item they changed
    is written only if it is still at the version they saw. Items added since are left alone.

    Raises DigestItemsStale (nothing saved) listing what changed underneath. Returns how many
    items changed. Side effects: audit entry per item changed.
    """
    refuse_if_ended(digest.diagnostic)
    _refuse_unless_lead(digest.diagnostic, by)
    edits = list(edits)
    stale: list[StaleEdit] = []
    removed: list[ItemEdit] = []
    changed = 0
    with transaction.atomic():
        # Take the digest's row first (one save at a time) without moving its version on: a
        # save that changes nothing must not make anyone's open share page out of date.
        KitDigest.objects.filter(pk=digest.pk).update(version=F("version"))
        digest.refresh_from_db(fields=["shared_at"])
        _refuse_if_shared(digest)
        current = {i.pk: i for i in DigestItem.objects.filter(digest=digest)}
        for edit in edits:
            item = current.get(edit.pk)
            if item is None:
                removed.append(edit)
                continue
            if (edit.text.strip(), edit.shared) == (item.text, item.shared):
                continue
            if item_state(edit.text, edit.shared) == edit.shown:
                continue  # left alone by this person: whatever is saved now stays
            text = _clean_text(edit.text)
            try:
                claim(item, version=edit.version, by=by, noun="this item")
            except StaleEdit as e:
                stale.append(e)
                continue
            words = text != item.text
            item.text, item.shared = text, edit.shared
            item.save(update_fields=with_version_fields(["text", "shared", "updated_at"]))
            changed += 1
            summary = (
                f"Changed {_item_label(item)}"
                if words
                else f"{'Will share' if edit.shared else 'Will not share'} {_item_label(item)}"
            )
            audit.record(digest.diagnostic, by=by, action="digest", summary=summary)
        if stale or removed:
            raise DigestItemsStale(stale, removed)
        if changed:
            _touch(digest, by=by)
    return changed


def add_digest_item(digest: KitDigest, *, by: User | None, text: str) -> DigestItem:
    """Add an item of the lead peer's own. Refused once shared. Side effects: audit entry."""
    refuse_if_ended(digest.diagnostic)
    _refuse_unless_lead(digest.diagnostic, by)
    _refuse_if_shared(digest)
    text = _clean_text(text)
    with transaction.atomic():
        _touch(digest, by=by)
        last = digest.items.aggregate(n=Max("order"))["n"] or 0
        item = DigestItem.objects.create(
            digest=digest, text=text, order=last + 1, **first_version(by)
        )
        audit.record(
            digest.diagnostic, by=by, action="digest", summary=f"Added {_item_label(item)}"
        )
    return item


def remove_digest_item(item: DigestItem, *, by: User | None, version: int | None) -> None:
    """Take an item out of a draft digest, as it was at `version` (refused with StaleEdit when
    someone changed it since). Side effects: the item is deleted; audit entry."""
    digest = item.digest
    refuse_if_ended(digest.diagnostic)
    _refuse_unless_lead(digest.diagnostic, by)
    _refuse_if_shared(digest)
    with transaction.atomic():
        claim(item, version=version, by=by, noun="this item")
        _touch(digest, by=by)
        label = _item_label(item)
        item.delete()
        audit.record(digest.diagnostic, by=by, action="digest", summary=f"Removed {label}")


MAX_RESPONSE = MAX_ITEM * 5


def mark_digest_shared(
    digest: KitDigest,
    *,
    by: User | None,
    previews_final_messages: bool,
    sponsor_response: str,
    version: int | None,
) -> KitDigest:
    """Record that the ticked items were shared with the sponsor, whether the meeting previewed
    the final messages, and how the sponsor responded. The digest cannot change afterwards.

    Refused with no item ticked as shared, with a response over MAX_RESPONSE characters, and
    with StaleEdit when anything in the digest changed after `version` (the page listed what
    the sponsor sees). Side effects: shared_at set; audit entry.
    """
    refuse_if_ended(digest.diagnostic)
    _refuse_unless_lead(digest.diagnostic, by)
    response = sponsor_response.strip()
    if len(response) > MAX_RESPONSE:
        raise DomainError(
            f"The sponsor's response can be up to {MAX_RESPONSE:,} characters; yours has "
            f"{len(response):,}",
            field="sponsor_response",
        )
    with transaction.atomic():
        # Someone else's change (or their sharing it first) is StaleEdit, with their text.
        claim(digest, version=version, by=by, noun="this digest")
        _refuse_if_shared(digest)
        shared = digest.items.filter(shared=True).count()
        if not shared:
            raise DomainError("Tick at least one item as shared with the sponsor", field="items")
        digest.shared_at = timezone.now()
        digest.previews_final_messages = previews_final_messages
        digest.sponsor_response = response
        digest.save(
            update_fields=with_version_fields(
                ["shared_at", "previews_final_messages", "sponsor_response", "updated_at"]
            )
        )
        preview = " (previewing the final messages)" if previews_final_messages else ""
        audit.record(
            digest.diagnostic,
            by=by,
            action="digest",
            summary=f"Shared {_plural(shared, 'item', 'items')} with the sponsor{preview}",
        )
    return digest


def shared_digests(diagnostic: Diagnostic) -> list[KitDigest]:
    """Shared digests with only their shared items loaded: what the council may read."""
    return list(
        KitDigest.objects.filter(diagnostic=diagnostic, shared_at__isnull=False)
        .prefetch_related(
            Prefetch("items", queryset=DigestItem.objects.filter(shared=True), to_attr="visible")
        )
        .order_by("-shared_at")
    )


def all_digests(diagnostic: Diagnostic) -> list[KitDigest]:
    """Every digest, newest first, with all items loaded (for the team)."""
    return list(
        KitDigest.objects.filter(diagnostic=diagnostic)
        .select_related("session", "created_by")
        .prefetch_related(Prefetch("items", queryset=DigestItem.objects.all(), to_attr="visible"))
        .order_by("-created_at")
    )
