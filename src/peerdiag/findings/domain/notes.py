"""Evidence notes and quotes.

A peer's note of a session starts pre-filled with who was there (by role or group, never a name)
and the session's lines of enquiry. Notes save as the peer types: each save says which revision
it was based on, and a save based on an older one (another tab, a lost connection) is refused
rather than losing words. Two peers in one session each keep their own note.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, with_version_fields
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.documents.models import DocumentRequest
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Session

from ..enums import SMALL_GROUP, Polarity, SourceType
from ..models import EvidenceNote, Quote
from .common import kloes_of, member_for, refuse_if_ended

SESSION_SOURCES = {
    SessionType.INTERVIEW: SourceType.INTERVIEW,
    SessionType.FOCUS_GROUP: SourceType.FOCUS_GROUP,
    SessionType.CASE_DISCUSSION: SourceType.CASE_REVIEW,
    SessionType.PRACTITIONER: SourceType.CASE_REVIEW,
}
MAX_BODY = 50_000
MAX_TITLE = 200
MAX_HEARD_FROM = 300
MAX_QUOTE = 2000
MAX_GROUP = 120
# How long the page that made each revision is remembered (see save_note).
EDITOR_MEMORY_SECONDS = 24 * 60 * 60
# A page may catch up over at most this many of its own saves (autosaves between two clicks).
EDITOR_CATCH_UP = 50


def refuse_if_too_long(value: str, *, limit: int, field: str, what: str) -> None:
    """Refuse (never cut) text longer than `limit` characters, naming the limit."""
    if len(value) > limit:
        raise DomainError(
            f"{what} can be up to {limit:,} characters; it is {len(value):,}. "
            "Shorten it and save again",
            field=field,
        )


def heard_from(session: Session) -> str:
    """Who took part, by role or group: "Social workers (4)", never a person's name."""
    groups: dict[str, int] = {}
    for a in session.attendees.all():
        groups[a.group or "Other"] = groups.get(a.group or "Other", 0) + 1
    if not groups and session.group:
        return session.group + (f" ({session.head_count})" if session.head_count else "")
    return ", ".join(f"{g} ({n})" for g, n in sorted(groups.items()))


def note_for_session(session: Session, *, by: User | None) -> EvidenceNote:
    """The acting peer's note of `session`, made (pre-filled) the first time they open it.

    Side effects: the note on first use; audit entry then.
    """
    d = session.diagnostic
    refuse_if_ended(d)
    author = member_for(d, by)
    found = EvidenceNote.objects.filter(session=session, author=author).first()
    if found is not None:
        return found
    with transaction.atomic():
        note, made = EvidenceNote.objects.get_or_create(
            session=session,
            author=author,
            defaults={
                "diagnostic": d,
                "source_type": SESSION_SOURCES.get(
                    SessionType(session.type), SourceType.OBSERVATION
                ),
                "title": session.title,
                "heard_from": heard_from(session),
            },
        )
        if made:
            note.kloes.set(session.kloes.all())
            audit.record(
                d, by=by, action="evidence", summary=f"Started a note of ‘{session.title}’"
            )
    return note


def add_note(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    source_type: str,
    title: str,
    body: str = "",
    kloes: list[Kloe] | None = None,
    polarity: str = Polarity.NEUTRAL,
    heard_from: str = "",
    document: DocumentRequest | None = None,
) -> EvidenceNote:
    """A note not tied to a session: a document, data, an observation or the case review.

    Side effects: the note; audit entry.
    """
    refuse_if_ended(diagnostic)
    author = member_for(diagnostic, by)
    if source_type not in SourceType.values:
        raise DomainError("Choose where the evidence comes from", field="source_type")
    title = title.strip()
    if not title:
        raise DomainError("Give the note a title", field="title")
    if polarity not in Polarity.values:
        raise DomainError("Choose strength, concern or neutral", field="polarity")
    if document is not None and document.diagnostic_id != diagnostic.pk:
        raise DomainError("Choose a document of this diagnostic", field="document")
    heard_from = heard_from.strip()
    refuse_if_too_long(title, limit=MAX_TITLE, field="title", what="A title")
    refuse_if_too_long(heard_from, limit=MAX_HEARD_FROM, field="heard_from", what="Heard from")
    refuse_if_too_long(body, limit=MAX_BODY, field="body", what="A note")
    chosen = kloes_of(diagnostic, kloes)
    with transaction.atomic():
        note = EvidenceNote.objects.create(
            diagnostic=diagnostic,
            author=author,
            source_type=source_type,
            title=title,
            body=body,
            polarity=polarity,
            heard_from=heard_from,
            document=document,
        )
        note.kloes.set(chosen)
        # The note's code, not its title: titles are encrypted at rest and destroyed on the
        # destroy-by date, and the audit trail is kept.
        audit.record(diagnostic, by=by, action="evidence", summary=f"Added the note {note.code}")
    return note


@dataclass(frozen=True)
class Saved:
    revision: int
    saved_at: object


def _editor_key(note_pk: int, revision: int) -> str:
    return f"note-editor:{note_pk}:{revision}"


def _saved_by_editor(note_pk: int, since: int, upto: int, editor: str) -> bool:
    """Whether every revision after `since`, up to `upto`, was saved from the page `editor`."""
    if not editor or upto - since > EDITOR_CATCH_UP:
        return False
    keys = [_editor_key(note_pk, r) for r in range(since + 1, upto + 1)]
    found = cache.get_many(keys)
    return all(found.get(k) == editor for k in keys)


def _same_as_stored(
    note: EvidenceNote,
    *,
    body: str | None,
    polarity: str | None,
    heard_from: str | None,
    kloe_ids: set[int] | None,
) -> bool:
    return (
        (body is None or body == note.body)
        and (polarity is None or polarity == note.polarity)
        and (heard_from is None or heard_from == note.heard_from)
        and (kloe_ids is None or kloe_ids == set(note.kloes.values_list("pk", flat=True)))
    )


def save_note(
    note: EvidenceNote,
    *,
    by: User | None,
    revision: int,
    body: str | None = None,
    kloes: list[Kloe] | None = None,
    polarity: str | None = None,
    heard_from: str | None = None,
    editor: str = "",
) -> Saved:
    """Save what the author typed, if it is based on the latest revision.

    The autosave and the page's Save button share one revision sequence. A save based on an
    older revision is still taken, because it cannot lose anything, when
    - what it sends is exactly what is stored (a repeat: nothing is written), or
    - every revision since the one it was based on was saved from the same open page
      (`editor`, a random value each page carries): the button was pressed while the autosave
      was still on its way back, so the words are that page's own newer state.
    Otherwise it is refused and nothing is saved: another tab or device saved other words in
    between, and the page offers to reload without losing the typing. Also refused: someone
    else's note, a destroyed note, text over its limit (never cut).
    No audit entry per keystroke: notes are the peers' working papers.
    """
    refuse_if_ended(note.diagnostic)
    if note.destroyed_at is not None:
        raise DomainError("This note was destroyed under the retention rules")
    if note.author is None or note.author.person.user_id != getattr(by, "pk", None):
        raise DomainError("Only the peer who wrote a note can change it")
    if polarity is not None and polarity not in Polarity.values:
        raise DomainError("Choose strength, concern or neutral", field="polarity")
    if body is not None:
        refuse_if_too_long(body, limit=MAX_BODY, field="body", what="A note")
    if heard_from is not None:
        heard_from = heard_from.strip()
        refuse_if_too_long(heard_from, limit=MAX_HEARD_FROM, field="heard_from", what="Heard from")
    chosen = kloes_of(note.diagnostic, kloes) if kloes is not None else None
    fields: dict[str, object] = {"revision": F("revision") + 1, "updated_at": timezone.now()}
    if body is not None:
        fields["body"] = body
    if polarity is not None:
        fields["polarity"] = polarity
    if heard_from is not None:
        fields["heard_from"] = heard_from
    with transaction.atomic():
        changed = EvidenceNote.objects.filter(pk=note.pk, revision=revision).update(**fields)
        if not changed:
            current = EvidenceNote.objects.select_for_update().get(pk=note.pk)
            if _same_as_stored(
                current,
                body=body,
                polarity=polarity,
                heard_from=heard_from,
                kloe_ids={k.pk for k in chosen} if chosen is not None else None,
            ):
                return Saved(current.revision, current.updated_at)
            if revision < current.revision and _saved_by_editor(
                note.pk, revision, current.revision, editor
            ):
                changed = EvidenceNote.objects.filter(pk=note.pk, revision=current.revision).update(
                    **fields
                )
        if not changed:
            raise DomainError(
                "This note was changed somewhere else since you opened it. Copy your latest "
                "words, reload the note and add them again",
                field="body",
            )
        if chosen is not None:
            note.kloes.set(chosen)
        note.refresh_from_db(fields=["revision", "updated_at", "body", "polarity", "heard_from"])
        if editor:
            cache.set(_editor_key(note.pk, note.revision), editor, EDITOR_MEMORY_SECONDS)
    return Saved(note.revision, note.updated_at)


def add_quote(
    note: EvidenceNote, *, by: User | None, text: str, group: str, group_size: int
) -> Quote:
    """Flag words as a quote, attributed to a role group. Side effects: the quote; audit entry."""
    refuse_if_ended(note.diagnostic)
    member_for(note.diagnostic, by)
    text, group = text.strip(), group.strip()
    if not text:
        raise DomainError("Enter the words that were said", field="text")
    if not group:
        raise DomainError("Say which role group said it (never a name)", field="group")
    if group_size < 1:
        raise DomainError("Enter how many people are in that group", field="group_size")
    refuse_if_too_long(text, limit=MAX_QUOTE, field="text", what="A quote")
    refuse_if_too_long(group, limit=MAX_GROUP, field="group", what="A role group")
    with transaction.atomic():
        quote = Quote.objects.create(note=note, text=text, group=group, group_size=group_size)
        small = " (small group: kept out of outputs)" if group_size < SMALL_GROUP else ""
        audit.record(
            note.diagnostic, by=by, action="evidence", summary=f"Quoted {quote.group}{small}"
        )
    return quote


def override_quote(quote: Quote, *, by: User | None, reason: str, version: int | None) -> Quote:
    """Let a small group's quote into the outputs, with the PCM's reason. Refused with
    StaleEdit (nothing saved) when someone changed the quote after `version` (for instance
    another PCM allowed it with a reason of their own). Side effects: audit."""
    refuse_if_ended(quote.note.diagnostic)
    if not quote.small_group:
        raise DomainError("Only a quote from a group of fewer than three needs an override")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason it is safe to use this quote", field="reason")
    with transaction.atomic():
        claim(quote, version=version, by=by, noun="this quote")
        quote.override_reason = reason
        quote.overridden_by = by if by is not None and by.is_authenticated else None
        quote.overridden_at = timezone.now()
        quote.save(
            update_fields=with_version_fields(["override_reason", "overridden_by", "overridden_at"])
        )
        audit.record(
            quote.note.diagnostic,
            by=by,
            action="evidence",
            summary=f"Allowed a quote from {quote.group} into the outputs: {reason}"[:300],
        )
    return quote


def usable_quotes(quotes: list[Quote]) -> list[Quote]:
    """The quotes that may appear in any output (slides, report, digest, meeting pack)."""
    return [q for q in quotes if q.usable]
