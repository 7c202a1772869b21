"""Permission-aware reads: everything outside this app reaches a diagnostic through here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import Diagnostic


def diagnostics_for_user(user: Any) -> QuerySet[Diagnostic]:
    """The diagnostics `user` may see: all for LGA admins, else their team's and council's."""
    qs = Diagnostic.objects.select_related("host_council")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_staff:
        return qs
    person = getattr(user, "person", None)
    if person is None:
        return qs.none()
    visible = Q(pk__in=Diagnostic.objects.filter(team__person=person).values("pk"))
    if person.organisation.kind == "council":
        visible |= Q(host_council_id=person.organisation_id)
    return qs.filter(visible)


def get_diagnostic_for_user(
    user: Any, reference: str, *, perm: str = "diagnostics.view_diagnostic"
) -> Diagnostic:
    """The diagnostic, if `user` may see it and holds `perm` on it.

    404 to anyone who may not see it at all (so outsiders learn nothing of its existence);
    403 to someone who may see it but not do `perm`.
    """
    diagnostic = (
        Diagnostic.objects.select_related("host_council").filter(reference=reference).first()
    )
    if diagnostic is None or not user.has_perm("diagnostics.view_diagnostic", diagnostic):
        raise Http404("No such diagnostic")
    if perm != "diagnostics.view_diagnostic" and not user.has_perm(perm, diagnostic):
        raise PermissionDenied
    return diagnostic
