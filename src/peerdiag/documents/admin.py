"""Key documents in the Django admin.

Requests and versions are for looking only: they are created, reviewed and reclassified
through the app, which records each change on the diagnostic's audit trail; the admin would
bypass it, so nothing here adds, changes or deletes them.

The standard lists (`DocumentTemplateItem`) are the exception: they belong to no diagnostic,
and LGA administrators keep them here. A change applies to later "Request the standard
documents" presses, never to requests already made.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DocumentRequest, DocumentTemplateItem, DocumentVersion


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentRequest)
class DocumentRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "diagnostic", "category", "status", "due_on", "updated_at"]
    list_filter = ["status", "category"]
    list_select_related = ["diagnostic"]
    search_fields = ["title", "diagnostic__reference", "code"]
    actions = None


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "request",
        "version",
        "diagnostic_reference",
        "original_name",
        "classification",
        "size",
        "uploaded_at",
    ]
    list_filter = ["classification", "request__status"]
    list_select_related = ["request", "request__diagnostic"]
    search_fields = ["request__title", "request__diagnostic__reference", "original_name", "code"]
    # The file itself is not linked: downloads go through the app's permission-checked views.
    exclude = ["file"]
    actions = None

    @admin.display(description="Diagnostic", ordering="request__diagnostic__reference")
    def diagnostic_reference(self, obj: DocumentVersion) -> str:
        return obj.request.diagnostic.reference


@admin.register(DocumentTemplateItem)
class DocumentTemplateItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "type", "category", "order"]
    list_editable = ["order"]
    list_filter = ["type", "category"]
    search_fields = ["title"]
    ordering = ["type", "order", "title"]
    fields = ["type", "title", "category", "order"]
