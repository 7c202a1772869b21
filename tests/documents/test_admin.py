"""The read-only admin for key documents: lists and searches, never changes."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from peerdiag.documents.admin import DocumentRequestAdmin, DocumentVersionAdmin
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.models import DocumentRequest, DocumentVersion

from .helpers import signed_in, supplied

# --- The admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_and_searches_but_never_changes(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world, "official_sensitive")
    request_document(world.other, by=world.other_pcm, title="Workforce plan")
    assert isinstance(admin.site._registry[DocumentRequest], DocumentRequestAdmin)
    assert isinstance(admin.site._registry[DocumentVersion], DocumentVersionAdmin)
    c = signed_in(world.admin)

    page = c.get("/admin/documents/documentrequest/", {"q": world.own.reference})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Safeguarding audit" in text and "Workforce plan" not in text
    text = c.get("/admin/documents/documentrequest/", {"q": "workforce"}).content.decode()
    assert "Workforce plan" in text and "Safeguarding audit" not in text
    text = c.get("/admin/documents/documentrequest/", {"status__exact": "requested"}).content
    assert b"Workforce plan" in text and b"Safeguarding audit" not in text

    versions = "/admin/documents/documentversion/"
    text = c.get(versions, {"classification__exact": "official_sensitive"}).content.decode()
    assert "audit.pdf" in text
    text = c.get(versions, {"classification__exact": "public"}).content.decode()
    assert "audit.pdf" not in text
    assert "audit.pdf" in c.get(versions, {"q": "safeguarding"}).content.decode()

    assert c.get(versions + "add/").status_code == 403
    assert c.get(f"/admin/documents/documentrequest/{ask.pk}/delete/").status_code == 403
    before = version.classification
    c.post(f"{versions}{version.pk}/change/", {"classification": "public"})
    version.refresh_from_db()
    assert version.classification == before
    request = RequestFactory().get("/")
    request.user = world.admin
    for model_admin in (
        admin.site._registry[DocumentRequest],
        admin.site._registry[DocumentVersion],
    ):
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, None)
        assert not model_admin.has_delete_permission(request, None)
        assert model_admin.has_view_permission(request, None)
