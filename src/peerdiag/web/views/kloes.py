"""Key lines of enquiry: list, add (fresh or from suggestions), edit, move, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain import kloes as domain
from peerdiag.diagnostics.domain.kloe_suggestions import suggestions_for_diagnostic
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.web.forms.diagnostics import KloeEditForm, KloeForm
from peerdiag.web.views.stale import posted_version

CHANGE = "diagnostics.change_diagnostic"


def _stale_message(e: StaleEdit, kloe: Kloe, what: str) -> str:
    return (
        f"{e.changed_by_name} changed key line of enquiry {kloe.order} at "
        f"{when_text(e.changed_at)}, after you opened this page, so it has not been {what}. "
        "Check it below and try again"
    )


OUT_OF_DATE = "This page was out of date: check the key lines of enquiry and try again"


def _kloe(d: Diagnostic, code: str) -> Kloe:
    kloe = d.kloes.filter(code=code).first()
    if kloe is None:
        raise Http404("No such key line of enquiry")
    return kloe


@login_required
def kloe_list(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref)
    can_change = request.user.has_perm(CHANGE, d) and domain.kloes_editable(d)
    form = KloeForm(request.POST or None)
    if request.method == "POST":
        d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
        if form.is_valid():
            try:
                domain.add_kloe(d, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, "Key line of enquiry added")
                return redirect("web:kloe_list", d.reference)
    existing = {k.text for k in d.kloes.all()}
    suggestions = [
        {"theme": theme, "text": text, "index": i}
        for i, (theme, text) in enumerate(suggestions_for_diagnostic(d))
        if text not in existing
    ]
    return render(
        request,
        "web/diagnostics/kloes.html",
        {
            "d": d,
            "form": form,
            "kloes": d.kloes.all(),
            "can_change": can_change,
            "suggestions": suggestions if can_change else [],
        },
    )


@login_required
@require_POST
def kloe_add_suggestion(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    options = suggestions_for_diagnostic(d)
    try:
        theme, text = options[int(request.POST.get("index", ""))]
    except (ValueError, IndexError):
        messages.error(request, "That suggestion is no longer on the list")
        return redirect("web:kloe_list", d.reference)
    try:
        domain.add_kloe(d, by=request.user, text=text, theme=theme)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Suggested key line of enquiry added")
    return redirect("web:kloe_list", d.reference)


@login_required
def kloe_edit(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    kloe = _kloe(d, code)
    form = KloeEditForm(
        request.POST or None,
        initial={"text": kloe.text, "theme": kloe.theme},
        initial_version=kloe.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            domain.edit_kloe(
                kloe,
                by=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                theme=form.cleaned_data["theme"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            saved: Kloe = e.current  # type: ignore[assignment]
            form.show_conflict(e, current={"text": saved.text, "theme": saved.theme})
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Key line of enquiry {kloe.order} saved")
            return redirect("web:kloe_list", d.reference)
    # The page's heading is built here: the template's `add` filter cannot join text and a
    # number, and gave an empty <h1>.
    page_title = f"Change key line of enquiry {kloe.order}"
    return render(
        request,
        "web/diagnostics/kloe_edit.html",
        {"d": d, "kloe": kloe, "form": form, "page_title": page_title},
    )


@login_required
@require_POST
def kloe_move(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    kloe = _kloe(d, code)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        domain.move_kloe(
            kloe,
            by=request.user,  # type: ignore[arg-type]
            to_order=kloe.order + step,
            version=posted_version(request, OUT_OF_DATE),
        )
    except StaleEdit as e:
        messages.error(request, _stale_message(e, kloe, "moved"))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("web:kloe_list", d.reference)


@login_required
def kloe_delete(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=CHANGE)
    kloe = _kloe(d, code)
    if request.method == "POST":
        try:
            domain.remove_kloe(
                kloe,
                by=request.user,  # type: ignore[arg-type]
                version=posted_version(request, OUT_OF_DATE),
            )
        except StaleEdit as e:
            messages.error(request, _stale_message(e, kloe, "removed"))
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"Key line of enquiry {kloe.order} removed")
        return redirect("web:kloe_list", d.reference)
    return render(
        request,
        "web/diagnostics/confirm.html",
        {
            "d": d,
            "title": f"Remove key line of enquiry {kloe.order}?",
            "body": kloe.text,
            "button": "Yes, remove it",
            "back": "web:kloe_list",
            "version": kloe.version,
        },
    )
