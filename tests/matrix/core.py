"""Entries for the foundation: core pages, the admin site, the diagnostics API."""

from __future__ import annotations

from typing import Any

from peerdiag.common.models import new_code
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import PersonFactory

from . import (
    A_ADD,
    A_INTERNAL,
    A_PUBLIC,
    A_SIGNED_IN,
    A_VIEW,
    ADD,
    CHANGE,
    CHANGE_POST,
    INTERNAL,
    PUBLIC,
    RC,
    SIGNED_IN,
    VIEW,
    Case,
    R,
    a_change,
    rel,
)


def _invitee(d: Any) -> dict[str, str]:
    person = PersonFactory(organisation=d.host_council, email=f"{new_code()}@example.org")
    d.council_roles.create(person=person, role="partner_rep")
    return {"code": person.code}


def _details_change(d: Any) -> dict[str, Any]:
    # Every role edits the same diagnostic, so each sends the version saved now.
    return {"version": Diagnostic.objects.get(pk=d.pk).version, "title": "Renamed"}


def _new_partner(d: Any) -> dict[str, Any]:
    return {"person": PersonFactory().code, "role": "partner_rep"}


ENTRIES: dict[str, Case] = {
    "web:dashboard": Case(SIGNED_IN),
    "web:login": Case(rel(anon=200, admin=302, pcm=302, team=302, council=302, none=302)),
    "web:logout": Case(
        rel(anon=302, admin=302, pcm=302, team=302, council=302, none=302), method="POST"
    ),
    "web:accessibility": Case(PUBLIC),
    "web:password_reset": Case(PUBLIC),
    "web:password_reset_done": Case(PUBLIC),
    "web:password_reset_confirm": Case(PUBLIC, kwargs=("uidb64", "token")),
    "web:password_reset_complete": Case(PUBLIC),
    "web:diagnostic_create": Case(ADD),
    "web:diagnostic_overview": Case(VIEW, kwargs=R),
    "web:diagnostic_edit": Case(CHANGE, kwargs=R),
    "web:diagnostic_dates": Case(CHANGE, kwargs=R),
    "web:diagnostic_audit": Case(INTERNAL, kwargs=R),
    "web:kloe_list": Case(VIEW, kwargs=R),
    "web:kloe_add_suggestion": Case(CHANGE_POST, method="POST", kwargs=R),
    "web:kloe_edit": Case(CHANGE, kwargs=RC),
    "web:kloe_move": Case(
        CHANGE_POST, method="POST", data={"direction": "up", "version": 1}, kwargs=RC
    ),
    "web:kloe_delete": Case(CHANGE, kwargs=RC),
    "web:council_roles": Case(VIEW, kwargs=R),
    "web:invite_person": Case(CHANGE_POST, method="POST", kwargs=RC, make=_invitee),
    "web:council_role_remove": Case(CHANGE, kwargs=RC),
    "web:endorsement_edit": Case(CHANGE, kwargs=("ref", "role")),
    "web:scoping": Case(CHANGE, kwargs=R),
    "web:advance": Case(CHANGE, kwargs=("ref", "to")),
    "web:postpone": Case(CHANGE, kwargs=R),
    "web:resume": Case(CHANGE, kwargs=R),
    "web:cancel": Case(CHANGE, kwargs=R),
    "admin:index": Case(rel(anon=302, admin=200, pcm=302, team=302, council=302, none=302)),
    # The HTTP API (bearer tokens).
    "api:api-root": Case(
        rel(anon=404, admin=404, pcm=404, team=404, council=404, none=404), api=True
    ),
    "api:openapi-json": Case(A_PUBLIC, api=True),
    "api:openapi-view": Case(A_PUBLIC, api=True),
    "api:me": Case(A_SIGNED_IN, api=True),
    "api:diagnostic_list": Case(A_SIGNED_IN, api=True),
    "api:diagnostic_create": Case(
        A_ADD,
        method="POST",
        data=lambda d: {"host_council": d.host_council.code, "title": "New", "type": "send"},
        api=True,
    ),
    "api:diagnostic_detail": Case(A_VIEW, kwargs=R, api=True),
    "api:diagnostic_update": Case(
        a_change(200), method="PATCH", data=_details_change, kwargs=R, api=True
    ),
    "api:kloe_list": Case(A_VIEW, kwargs=R, api=True),
    "api:kloe_create": Case(
        a_change(201), method="POST", data={"text": "How well?"}, kwargs=R, api=True
    ),
    "api:kloe_update": Case(
        a_change(200),
        method="PATCH",
        data={"version": 1, "text": "How far?"},  # each call edits a new KLOE
        kwargs=RC,
        api=True,
    ),
    "api:kloe_delete": Case(a_change(204), method="DELETE", kwargs=RC, api=True),
    "api:council_role_list": Case(A_VIEW, kwargs=R, api=True),
    "api:council_role_create": Case(
        a_change(201), method="POST", data=_new_partner, kwargs=R, api=True
    ),
    "api:council_role_delete": Case(a_change(204), method="DELETE", kwargs=RC, api=True),
    "api:gate_check": Case(A_INTERNAL, kwargs=("ref", "to_stage"), api=True),
    "api:diagnostic_advance": Case(
        a_change(409), method="POST", data={"to_stage": "scoping_scheduled"}, kwargs=R, api=True
    ),
    "api:diagnostic_postpone": Case(
        a_change(200), method="POST", data={"reason": "Council asked"}, kwargs=R, api=True
    ),
    "api:diagnostic_resume": Case(a_change(400), method="POST", kwargs=R, api=True),
    "api:diagnostic_cancel": Case(
        a_change(200), method="POST", data={"reason": "Council asked"}, kwargs=R, api=True
    ),
}
