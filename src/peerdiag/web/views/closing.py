"""Closing a diagnostic: the PCM (or an LGA administrator) destroys the case content, peer notes
and the rest of the working data now instead of on the destroy-by date, so that the diagnostic
can close (evaluation/domain/closing.py does the work). The evaluation → closed gate links here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.domain.retention import destroy_by
from peerdiag.diagnostics.enums import Stage
from peerdiag.evaluation.domain import closing
from peerdiag.web.forms.closing import DestroyEarlyForm

MANAGE = "evaluation.manage"


@login_required
def closing_destroy(request: HttpRequest, ref: str) -> HttpResponse:
    """GET: what goes, what stays, and the typed confirmation. POST: destroy it now."""
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    form = DestroyEarlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = closing.destroy_working_data_now(
                d,
                by=request.user,  # type: ignore[arg-type]
                confirmation=form.cleaned_data["confirmation"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if not result.repeated:
                messages.success(request, f"The working data of {d.reference} has been destroyed")
            return redirect("web:closing_destroy", d.reference)
    done = None
    if d.destroyed_early_at is not None:
        done = d.audit.filter(action=closing.ACTION).select_related("actor").first()
    return render(
        request,
        "web/closing/destroy.html",
        {
            "d": d,
            "form": form,
            "refusal": closing.refusal(d),
            "done": done,
            "destroy_by": destroy_by(d),
            "can_close": d.stage == Stage.EVALUATION,
        },
    )
