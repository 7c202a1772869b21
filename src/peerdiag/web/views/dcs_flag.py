"""Saying whether someone named on a diagnostic is the Director of Children's Services (or
equivalent). The sponsor check reads this flag, never the job title (issue 17)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.directory.domain.people import set_dcs_flag
from peerdiag.directory.models import Person
from peerdiag.web.views.stale import posted_version


@login_required
@require_POST
def person_dcs_flag(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm="diagnostics.change_diagnostic")
    person = Person.objects.filter(code=code, council_roles__diagnostic=d).distinct().first()
    if person is None:
        raise Http404("Nobody with that code holds a council role on this diagnostic")
    value = request.POST.get("value") == "yes"
    try:
        set_dcs_flag(
            person,
            by=request.user,
            value=value,
            version=posted_version(request, "This page was out of date: check and try again"),
        )
    except StaleEdit as e:
        messages.error(
            request,
            f"{e.changed_by_name} changed {person}'s record at {when_text(e.changed_at)}, after "
            "you opened the page, so nothing has been saved. Check it and try again",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"{person} is {'now' if value else 'no longer'} marked as the Director of "
            "Children's Services (or equivalent)",
        )
    return redirect("web:council_roles", d.reference)
