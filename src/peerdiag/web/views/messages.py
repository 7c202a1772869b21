"""The messages thread of a diagnostic: the council's sponsor and organiser and the LGA team.

Oldest first, newest last, 50 to a page (the last page by default); the same number of queries
whatever the number of messages. Opening a page marks its messages read for the person.
Permissions are the rules themselves (`messaging.use_thread`, `messaging.hide_message`).
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.messaging.domain.threads import (
    EDIT_MINUTES,
    PAGE_SIZE,
    WARNING,
    ChildDataRefused,
    edit_message,
    hide_message,
    mark_read,
    may_edit,
    post_message,
    side_of,
    thread_page,
)
from peerdiag.messaging.models import Message
from peerdiag.web.forms.messages import EditMessageForm, HideMessageForm, MessageForm

USE = "messaging.use_thread"
HIDE = "messaging.hide_message"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _diagnostic(request: HttpRequest, ref: str, perm: str) -> Diagnostic:
    """404 for anyone who may not see the diagnostic; 403 without the rule (no superuser
    short cut)."""
    d = get_diagnostic_for_user(request.user, ref)
    if not rules.has_perm(perm, request.user, d):
        raise PermissionDenied
    return d


def _message(d: Diagnostic, code: str) -> Message:
    message = (
        Message.objects.filter(diagnostic=d, code=code)
        .select_related("author", "hidden_by")
        .first()
    )
    if message is None:
        raise Http404("No such message")
    message.diagnostic = d
    return message


def _forget(form: Any, error: ChildDataRefused) -> None:
    """Put the refusal on the form and empty the box it names: words that could identify a
    child are never sent back to the browser."""
    data = form.data.copy()
    data[form.add_prefix(error.field or "text")] = ""
    form.data = data
    form.add_domain_error(error)


def _page_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() else None


@login_required
def thread(request: HttpRequest, ref: str) -> HttpResponse:
    d = _diagnostic(request, ref, USE)
    user = _user(request)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post_message(d, by=user, text=form.cleaned_data["text"])
        except ChildDataRefused as e:
            _forget(form, e)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            flash.success(request, "Your message is sent")
            return redirect(reverse("web:messages", args=[d.reference]) + "#latest")
    page = thread_page(d, _page_number(request))
    if page.messages:
        mark_read(d, user, max(m.pk for m in page.messages))
    rows: list[dict[str, Any]] = [
        {"m": m, "mine": m.author_id == user.pk, "editable": may_edit(m, user)}
        for m in page.messages
    ]
    context = {
        "d": d,
        "form": form,
        "rows": rows,
        "page": page,
        "previous": page.number - 1 if page.number > 1 else None,
        "next": page.number + 1 if page.number < page.pages else None,
        "page_size": PAGE_SIZE,
        "warning": WARNING,
        "side": side_of(user, d),
        "can_hide": rules.has_perm(HIDE, user, d),
        "edit_minutes": EDIT_MINUTES,
    }
    return render(request, "web/messages/thread.html", context, status=400 if form.errors else 200)


@login_required
def message_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """The author changes their own message, within the minutes allowed."""
    d = _diagnostic(request, ref, USE)
    message = _message(d, code)
    user = _user(request)
    if message.author_id != user.pk:
        raise PermissionDenied
    form = EditMessageForm(
        request.POST or None, initial={"text": message.text}, initial_version=message.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            edit_message(
                message, by=user, text=form.cleaned_data["text"], version=form.sent_version()
            )
        except StaleEdit as e:
            form.show_conflict(e, current={"text": e.current.text})  # type: ignore[attr-defined]
            message.refresh_from_db()
        except ChildDataRefused as e:
            _forget(form, e)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            flash.success(request, "Your message is changed")
            return redirect("web:messages", d.reference)
    return render(
        request,
        "web/messages/edit.html",
        {
            "d": d,
            "message": message,
            "form": form,
            "open": may_edit(message, user),
            "edit_minutes": EDIT_MINUTES,
            "warning": WARNING,
        },
        status=400 if form.errors else 200,
    )


@login_required
def message_hide(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """The PCM hides a message, with a reason kept in the audit trail."""
    d = _diagnostic(request, ref, HIDE)
    message = _message(d, code)
    form = HideMessageForm(request.POST or None, initial_version=message.version)
    if request.method == "POST" and form.is_valid():
        try:
            hide_message(
                message,
                by=_user(request),
                reason=form.cleaned_data["reason"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            form.show_conflict(e, current={"reason": e.current.hidden_reason})  # type: ignore[attr-defined]
            message.refresh_from_db()
        except ChildDataRefused as e:
            _forget(form, e)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            flash.success(request, "The message is hidden")
            return redirect("web:messages", d.reference)
    return render(
        request,
        "web/messages/hide.html",
        {"d": d, "message": message, "form": form},
        status=400 if form.errors else 200,
    )
