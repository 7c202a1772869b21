"""The PCM's requests for key documents and their review (R18, decision 10).

Each request goes requested → supplied → accepted, or back to the council as returned with a
comment, after which a new version makes it supplied again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NoReturn

from django.db import transaction

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, claim, created_by, with_version_fields
from peerdiag.common.workdays import add_working_days
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.domain.keydates import DOCUMENTS_DUE_BEFORE
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic, Kloe

from ..enums import EVERY_TYPE, Category, RequestStatus
from ..models import DocumentRequest, DocumentTemplateItem

TITLE_MAX = 200


def standard_list(diagnostic_type: str) -> list[DocumentTemplateItem]:
    """The standard key documents for a type of diagnostic: those for every type and those for
    this type, in the order the LGA set (kept in the admin site as `DocumentTemplateItem`)."""
    items = DocumentTemplateItem.objects.filter(type__in=[EVERY_TYPE, diagnostic_type])
    return list(items.order_by("order", "title", "pk"))


def default_due_on(diagnostic: Diagnostic) -> date | None:
    """The key documents due date: 15 working days before day 1, once day 1 is set."""
    if diagnostic.day1 is None:
        return None
    return add_working_days(diagnostic.day1, -DOCUMENTS_DUE_BEFORE)


def _open(diagnostic: Diagnostic) -> None:
    if diagnostic.stage in ENDED:
        raise DomainError("A closed or cancelled diagnostic cannot be changed", field="stage")


def _kloes(diagnostic: Diagnostic, kloes: Iterable[Kloe]) -> list[Kloe]:
    chosen = list(kloes)
    if any(k.diagnostic_id != diagnostic.pk for k in chosen):
        raise DomainError("A key line of enquiry belongs to another diagnostic", field="kloes")
    return chosen


def request_document(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    title: str,
    category: str = Category.OTHER,
    due_on: date | None = None,
    notes: str = "",
    kloes: Iterable[Kloe] = (),
) -> DocumentRequest:
    """Ask the council for a document; without `due_on`, it is due on the key documents date.

    Side effects: audit entry.
    """
    _open(diagnostic)
    title = title.strip()
    if not title:
        raise DomainError("Enter the document's title", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(
            f"The document's title must be {TITLE_MAX} characters or fewer", field="title"
        )
    if category not in Category.values:
        raise DomainError("Choose a category", field="category")
    if DocumentRequest.objects.filter(diagnostic=diagnostic, title__iexact=title).exists():
        raise DomainError("This document has already been requested", field="title")
    chosen = _kloes(diagnostic, kloes)
    with transaction.atomic():
        ask = DocumentRequest.objects.create(
            diagnostic=diagnostic,
            title=title,
            category=category,
            notes=notes.strip(),
            due_on=due_on or default_due_on(diagnostic),
            requested_by=by,
            **created_by(by),
        )
        ask.kloes.set(chosen)
        audit.record(diagnostic, by=by, action="document", summary=f"Requested ‘{ask.title}’")
    return ask


def seed_standard_requests(diagnostic: Diagnostic, *, by: User | None) -> list[DocumentRequest]:
    """Request every document of the standard list for the diagnostic's type (see
    `standard_list`) not already requested; returns the new ones.

    Refused when the LGA keeps no standard list for the type. Side effects: one audit entry.
    """
    return request_standard_documents(diagnostic, by=by)


def requested_titles(diagnostic: Diagnostic) -> set[str]:
    """The titles already requested for the diagnostic, in lower case."""
    titles = DocumentRequest.objects.filter(diagnostic=diagnostic).values_list("title", flat=True)
    return {t.lower() for t in titles}


def request_standard_documents(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    chosen: Iterable[int] | None = None,
    due_on: date | None = None,
    notes: str = "",
) -> list[DocumentRequest]:
    """Request, in one step, the documents of the type's standard list with their ids in
    `chosen` (every one when None) that are not requested yet; returns the new ones.

    Each is due on `due_on`, or on the key documents date when it is None, and carries `notes`.
    Documents already requested are skipped, so sending the same choice twice (a double click,
    two people at once) makes each request once. Refused when the LGA keeps no standard list
    for the type, or when `chosen` names nothing of it. Side effects: one audit entry.
    """
    _open(diagnostic)
    items = standard_list(diagnostic.type)
    if not items:
        raise DomainError(
            f"There is no standard list of key documents for {diagnostic.type_label.lower()} "
            "diagnostics: request each document instead, or ask an LGA administrator to add one"
        )
    if chosen is not None:
        wanted = set(chosen)
        items = [item for item in items if item.pk in wanted]
        if not items:
            raise DomainError("Choose at least one document to request", field="items")
    notes = notes.strip()
    due = due_on or default_due_on(diagnostic)
    made = []
    with transaction.atomic():
        # Locked, so two requests of the list at once cannot both add the same document.
        Diagnostic.objects.select_for_update().filter(pk=diagnostic.pk).first()
        have = requested_titles(diagnostic)
        for item in items:
            if item.title.lower() in have:
                continue
            have.add(item.title.lower())
            made.append(
                DocumentRequest.objects.create(
                    diagnostic=diagnostic,
                    title=item.title,
                    category=item.category,
                    notes=notes,
                    due_on=due,
                    requested_by=by,
                    **created_by(by),
                )
            )
        if made:
            audit.record(
                diagnostic,
                by=by,
                action="document",
                summary=f"Requested the standard key documents ({len(made)})",
            )
    return made


NOUN = "this document request"


def _refuse(ask: DocumentRequest, version: int | None, message: str) -> NoReturn:
    """Refuse to review a request that is not supplied: as a stale edit when it changed after
    `version` (someone else reviewed it first), so the page says who did and when."""
    if version is not None:
        current = DocumentRequest.objects.select_related("changed_by").get(pk=ask.pk)
        if current.version != version:
            raise StaleEdit(current, noun=NOUN)
    raise DomainError(message, field="status")


def accept_document(
    ask: DocumentRequest, *, by: User | None, version: int | None
) -> DocumentRequest:
    """Accept the latest version supplied.

    Refused with StaleEdit (nothing saved) when the request changed after `version`, for
    example when the council uploaded another file or someone else returned it: the person
    accepts only what they looked at. Side effects: audit entry.
    """
    _open(ask.diagnostic)
    if ask.status != RequestStatus.SUPPLIED:
        _refuse(ask, version, "Only a supplied document can be accepted")
    with transaction.atomic():
        claim(ask, version=version, by=by, noun=NOUN)
        ask.status = RequestStatus.ACCEPTED
        ask.return_comment = ""
        ask.save(update_fields=with_version_fields(["status", "return_comment", "updated_at"]))
        audit.record(ask.diagnostic, by=by, action="document", summary=f"Accepted ‘{ask.title}’")
    return ask


def return_document(
    ask: DocumentRequest, *, by: User | None, comment: str, version: int | None
) -> DocumentRequest:
    """Send a supplied document back to the council, saying what is needed instead.

    Refused with StaleEdit (nothing saved) when the request changed after `version`.
    Side effects: audit entry.
    """
    _open(ask.diagnostic)
    comment = comment.strip()
    if not comment:
        raise DomainError("Say what the council needs to change", field="comment")
    if ask.status != RequestStatus.SUPPLIED:
        _refuse(ask, version, "Only a supplied document can be returned")
    with transaction.atomic():
        claim(ask, version=version, by=by, noun=NOUN)
        ask.status = RequestStatus.RETURNED
        ask.return_comment = comment
        ask.save(update_fields=with_version_fields(["status", "return_comment", "updated_at"]))
        audit.record(
            ask.diagnostic,
            by=by,
            action="document",
            summary=f"Returned ‘{ask.title}’ to the council: {comment}",
        )
    return ask
