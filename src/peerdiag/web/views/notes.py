"""Evidence notes: the week's sessions to take notes in, the team's notes, one note (saving as
the peer types), quotes and the small-group rule, notes from documents, data or observation,
and the case review's themes.

Every peer on the team reads every note; only a note's author changes it. The council never
sees any of it (findings.view); writing needs a place on the team (findings.write).
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import time
from typing import Any
from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerdiag.casereview.models import CaseReview
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.casereview_themes import pull_case_review_themes
from peerdiag.findings.domain.notes import (
    add_note,
    add_quote,
    note_for_session,
    override_quote,
    save_note,
)
from peerdiag.findings.models import EvidenceNote, Quote
from peerdiag.timetable.domain.problem import planned_sessions
from peerdiag.timetable.domain.week import day_dates
from peerdiag.timetable.models import Session
from peerdiag.web.forms.notes import (
    AddNoteForm,
    NoteFilterForm,
    NoteForm,
    OverrideForm,
    QuoteForm,
)

from .common import is_htmx

VIEW = "findings.view"
WRITE = "findings.write"
OVERRIDE = "findings.override_quote"
PAGE_SIZE = 50


def _diagnostic(request: HttpRequest, ref: str, perm: str) -> Diagnostic:
    """The diagnostic, for a team member who holds `perm` by the rules themselves.

    Django lets superusers pass every permission; writing notes needs a place on the team (each
    note has a peer as its author) and overriding the small-group rule is the PCM's alone, so
    those are asked of the rules directly: an LGA admin without a team place gets 403.
    """
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    if perm != VIEW and not rules.has_perm(perm, request.user, d):
        raise PermissionDenied
    return d


def _may(request: HttpRequest, perm: str, d: Diagnostic) -> bool:
    return d.stage not in ENDED and rules.has_perm(perm, request.user, d)


def _is_author(note: EvidenceNote, user: Any) -> bool:
    # The rule itself, not user.has_perm: a superuser is no note's author.
    return bool(rules.has_perm("findings.change_note", user, note))


def _get_note(d: Diagnostic, code: str) -> EvidenceNote:
    note = (
        EvidenceNote.objects.select_related("author__person", "session", "document")
        .filter(diagnostic=d, code=code, destroyed_at__isnull=True)
        .first()
    )
    if note is None:
        raise Http404("No such note")
    note.diagnostic = d
    return note


def note_url(note: EvidenceNote) -> str:
    return reverse("web:note_edit", args=[note.diagnostic.reference, note.code])


def _groups(session: Session | None) -> dict[str, int]:
    """The session's attendees by group, with how many of each came (never names)."""
    if session is None:
        return {}
    counts = Counter(a.group or "Other" for a in session.attendees.all())
    if not counts and session.group:
        return {session.group: session.head_count or 1}
    return dict(sorted(counts.items()))


# The team's notes ----------------------------------------------------------------------------


def _week(d: Diagnostic) -> list[dict[str, Any]]:
    """The planned sessions grouped by day (unplaced last), each with its count of notes."""
    sessions = planned_sessions(d)
    counts = dict(
        EvidenceNote.objects.filter(diagnostic=d, session__isnull=False, destroyed_at__isnull=True)
        .values_list("session")
        .annotate(n=Count("pk"))
        .values_list("session", "n")
    )
    dates = day_dates(d)
    days: dict[int | None, list[dict[str, Any]]] = {}
    for s in sorted(
        sessions, key=lambda s: (not s.placed, s.day or 0, s.start or time.min, s.title)
    ):
        day = s.day if s.placed else None
        days.setdefault(day, []).append({"s": s, "notes": counts.get(s.pk, 0)})
    return [
        {"day": day, "date": dates.get(day) if day else None, "rows": rows}
        for day, rows in days.items()
    ]


@login_required
def notes(request: HttpRequest, ref: str) -> HttpResponse:
    """The week's sessions to take notes in, then every note of the team, with filters."""
    d = _diagnostic(request, ref, VIEW)
    kloes = list(d.kloes.all())
    filters = NoteFilterForm(request.GET or None, kloes=kloes)
    qs = (
        EvidenceNote.objects.filter(diagnostic=d, destroyed_at__isnull=True)
        .select_related("author__person", "session")
        .prefetch_related("kloes")
        .annotate(
            quote_count=Count("quotes", distinct=True),
            finding_count=Count("links", distinct=True),
        )
        .order_by("-updated_at", "pk")
    )
    chosen: dict[str, str] = {}
    if filters.is_valid():
        chosen = {k: v for k, v in filters.cleaned_data.items() if v}
        if "kloe" in chosen:
            qs = qs.filter(kloes__code=chosen["kloe"])
        if "polarity" in chosen:
            qs = qs.filter(polarity=chosen["polarity"])
        if "source" in chosen:
            qs = qs.filter(source_type=chosen["source"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_write = _may(request, WRITE, d)
    return render(
        request,
        "web/notes/list.html",
        {
            "d": d,
            "week": _week(d),
            "filters": filters,
            "filtered": bool(chosen),
            "page": page,
            "query": urlencode(chosen),
            "can_write": can_write,
            "has_case_review": can_write and CaseReview.objects.filter(diagnostic=d).exists(),
        },
    )


@login_required
@require_POST
def notes_pull_case_review(request: HttpRequest, ref: str) -> HttpResponse:
    d = _diagnostic(request, ref, WRITE)
    try:
        made = pull_case_review_themes(d, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, f"The case review's themes are in {len(made)} notes, without case references"
        )
    return redirect(reverse("web:notes", args=[d.reference]) + "?source=case_review")


# One note ------------------------------------------------------------------------------------


def _note_form(note: EvidenceNote, kloes: list[Any], data: Any = None) -> NoteForm:
    initial = {
        "revision": note.revision,
        # Names this open page, so its own saves never count as a conflict (see save_note).
        "editor": secrets.token_urlsafe(12),
        "heard_from": note.heard_from,
        "kloes": [k.code for k in note.kloes.all()],
        "polarity": note.polarity,
        "body": note.body,
    }
    return NoteForm(data, initial=initial, diagnostic=note.diagnostic, kloes=kloes)


def _note_page(
    request: HttpRequest,
    d: Diagnostic,
    note: EvidenceNote,
    *,
    form: NoteForm | None = None,
    quote_form: QuoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    kloes = list(d.kloes.all())
    editable = d.stage not in ENDED and _is_author(note, request.user)
    groups = _groups(note.session)
    others: list[EvidenceNote] = []
    if note.session_id is not None:
        others = list(
            EvidenceNote.objects.filter(session_id=note.session_id, destroyed_at__isnull=True)
            .exclude(pk=note.pk)
            .select_related("author__person")
            .prefetch_related("kloes", "quotes")
            .order_by("pk")
        )
    return render(
        request,
        "web/notes/note.html",
        {
            "d": d,
            "note": note,
            "editable": editable,
            "form": form or _note_form(note, kloes),
            "quote_form": quote_form or QuoteForm(groups=groups),
            "can_quote": _may(request, WRITE, d),
            "can_override": _may(request, OVERRIDE, d),
            "quotes": list(note.quotes.all()),
            "note_kloes": list(note.kloes.all()),
            "others": others,
            "findings": note.links.count(),
            "date": day_dates(d).get(note.session.day)
            if note.session and note.session.day
            else None,
        },
        status=status,
    )


@login_required
def session_note(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """The acting peer's own note of a session (made, pre-filled, on first opening)."""
    d = _diagnostic(request, ref, WRITE)
    session = Session.objects.filter(diagnostic=d, code=code).first()
    if session is None:
        raise Http404("No such session")
    session.diagnostic = d
    try:
        note = note_for_session(session, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("web:notes", d.reference)
    return _note_page(request, d, _get_note(d, note.code))


@login_required
def note_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """One note: its author edits it (saving as they type); the rest of the team reads it."""
    d = _diagnostic(request, ref, VIEW)
    return _note_page(request, d, _get_note(d, code))


def _status(request: HttpRequest, *, saved: Any = None, error: str = "") -> HttpResponse:
    return render(request, "web/notes/_save_status.html", {"saved": saved, "error": error})


@login_required
@require_POST
def note_save(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Save the author's typing. From htmx: a small status fragment (with the new revision sent
    out of band); without JavaScript: back to the note with a message, or the page with the
    error and the typed words kept."""
    d = _diagnostic(request, ref, WRITE)
    note = _get_note(d, code)
    if not _is_author(note, request.user):
        raise PermissionDenied
    kloes = list(d.kloes.all())
    form = _note_form(note, kloes, request.POST)
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_note(
                note,
                by=request.user,  # type: ignore[arg-type]
                revision=data["revision"],
                body=data["body"],
                kloes=form.chosen_kloes(),
                polarity=data["polarity"],
                heard_from=data["heard_from"],
                editor=data["editor"],
            )
        except DomainError as e:
            form.add_domain_error(e)
    if is_htmx(request):
        if saved is not None:
            return _status(request, saved=saved)
        errors = [str(m) for field in form.errors.values() for m in field]
        return _status(request, error=" ".join(errors) or "The note could not be saved")
    if saved is not None:
        messages.success(request, "Note saved")
        return redirect(note_url(note))
    return _note_page(request, d, note, form=form)


# Quotes --------------------------------------------------------------------------------------


@login_required
@require_POST
def quote_add(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _diagnostic(request, ref, WRITE)
    note = _get_note(d, code)
    form = QuoteForm(request.POST, groups=_groups(note.session))
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote = add_quote(
                note,
                by=request.user,  # type: ignore[arg-type]
                text=data["text"],
                group=data["role_group"],
                group_size=data["group_size"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            extra = (
                " It is from a small group, so it is kept out of outputs."
                if (quote.small_group)
                else ""
            )
            messages.success(request, f"Quote from {quote.group} added.{extra}")
            return redirect(note_url(note) + "#quotes")
    return _note_page(request, d, note, quote_form=form)


@login_required
def quote_override(request: HttpRequest, ref: str, code: str, pk: int) -> HttpResponse:
    """The PCM lets a small group's quote into the outputs, giving the reason."""
    d = _diagnostic(request, ref, OVERRIDE)
    note = _get_note(d, code)
    quote = Quote.objects.filter(note=note, pk=pk).first()
    if quote is None:
        raise Http404("No such quote")
    quote.note = note
    form = OverrideForm(request.POST or None, initial_version=quote.version)
    if request.method == "POST" and form.is_valid():
        try:
            override_quote(
                quote,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current={"reason": e.current.override_reason})  # type: ignore[attr-defined]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"The quote from {quote.group} may now be used in outputs")
            return redirect(note_url(note) + "#quotes")
    return render(
        request,
        "web/notes/quote_override.html",
        {"d": d, "note": note, "quote": quote, "form": form},
    )


# Notes outside sessions ----------------------------------------------------------------------


@login_required
def note_add(request: HttpRequest, ref: str) -> HttpResponse:
    """A note from a document, data, an observation or the case review."""
    d = _diagnostic(request, ref, WRITE)
    form = AddNoteForm(request.POST or None, diagnostic=d)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = add_note(
                d,
                by=request.user,  # type: ignore[arg-type]
                source_type=data["source_type"],
                title=data["title"],
                body=data["body"],
                kloes=form.chosen_kloes(),
                polarity=data["polarity"],
                heard_from=data["heard_from"],
                document=form.chosen_document(),
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"‘{note.title}’ added to the team's notes")
            return redirect(note_url(note))
    return render(request, "web/notes/add.html", {"d": d, "form": form})
