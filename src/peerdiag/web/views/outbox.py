"""A diagnostic's outbox (issue 18): every e-mail the service sent about it, and sending an
invitation, reminder or survey link again.

Only the diagnostic's PCM and the LGA administrators (`diagnostics.view_outbox`,
`diagnostics.resend_email`); everyone else, the peers and the council included, gets 404. The
list is newest first, PAGE_SIZE to a page, filtered by kind, in a constant number of queries.
"""

from __future__ import annotations

from urllib.parse import urlencode

import rules
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind, MailStatus, OutboxMessage
from peerdiag.diagnostics.domain.outbox import PAGE_SIZE, may_resend, outbox_for, resend
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.models import Diagnostic

VIEW = "diagnostics.view_outbox"
RESEND = "diagnostics.resend_email"


def _diagnostic(request: HttpRequest, ref: str, perm: str) -> Diagnostic:
    """404 for anyone without the rule: the outbox's existence is not the peers' business."""
    d = get_diagnostic_for_user(request.user, ref)
    if not rules.has_perm(perm, request.user, d):
        raise Http404("No such page")
    return d


def _row(d: Diagnostic, code: str) -> OutboxMessage:
    row = (
        OutboxMessage.objects.filter(diagnostic=d, code=code)
        .select_related("sent_by", "resent_from")
        .first()
    )
    if row is None:
        raise Http404("No such e-mail")
    row.diagnostic = d
    return row


@login_required
def outbox(request: HttpRequest, ref: str) -> HttpResponse:
    d = _diagnostic(request, ref, VIEW)
    kind = request.GET.get("kind", "")
    if kind not in MailKind.values:
        kind = ""
    paginator = Paginator(outbox_for(d, kind=kind), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [{"m": m, "resendable": may_resend(m)} for m in page.object_list]
    context = {
        "d": d,
        "page": page,
        "rows": rows,
        "kind": kind,
        "kinds": MailKind.choices,
        "query": urlencode({"kind": kind}) if kind else "",
        "can_resend": rules.has_perm(RESEND, request.user, d),
        "failed": MailStatus.FAILED,
    }
    return render(request, "web/outbox/list.html", context)


@login_required
def outbox_message(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = _diagnostic(request, ref, VIEW)
    row = _row(d, code)
    context = {
        "d": d,
        "m": row,
        "resends": list(row.resends.order_by("-sent_at", "-pk")),
        "resendable": may_resend(row) and rules.has_perm(RESEND, request.user, d),
        "failed": MailStatus.FAILED,
    }
    return render(request, "web/outbox/message.html", context)


@login_required
def outbox_resend(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """Asks first (GET); sends the stored copy again on POST. The form carries a one-time
    token, so a double click sends once."""
    d = _diagnostic(request, ref, RESEND)
    row = _row(d, code)
    error = ""
    if request.method == "POST":
        user: User = request.user  # type: ignore[assignment]
        try:
            new = resend(row, by=user)
        except DomainError as e:
            error = e.message
        else:
            if new.status == MailStatus.SENT:
                flash.success(request, "The e-mail was sent again")
            else:
                flash.error(request, "The e-mail could not be sent again: see the error below")
            return redirect("web:outbox_message", d.reference, new.code)
    return render(
        request,
        "web/outbox/resend.html",
        {"d": d, "m": row, "resendable": may_resend(row), "error": error},
        status=400 if error else 200,
    )
