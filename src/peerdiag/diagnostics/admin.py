from django.contrib import admin

from .models import (
    AgreedCaseList,
    AuditEntry,
    CouncilRole,
    Diagnostic,
    Endorsement,
    Kloe,
    ScopingMeeting,
    TeamMember,
)


class ReadOnly:
    """Diagnostic records change only through the app, so every change reaches the audit trail."""

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class KloeInline(ReadOnly, admin.TabularInline):
    model = Kloe
    extra = 0


class CouncilRoleInline(ReadOnly, admin.TabularInline):
    model = CouncilRole
    extra = 0
    raw_id_fields = ["person"]


class TeamInline(ReadOnly, admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Diagnostic)
class DiagnosticAdmin(ReadOnly, admin.ModelAdmin):
    # The stage is read-only here too: it changes only through the gates.
    list_display = ["reference", "title", "host_council", "type", "stage", "day1"]
    list_filter = ["stage", "type", "host_council__region"]
    list_select_related = ["host_council"]
    search_fields = ["reference", "title", "host_council__name"]
    readonly_fields = ["reference", "stage", "stage_before_pause", "stage_changed_at"]
    inlines = [KloeInline, CouncilRoleInline, TeamInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "diagnostic", "actor", "summary"]
    list_select_related = ["diagnostic", "actor"]


@admin.register(Endorsement, ScopingMeeting, AgreedCaseList)
class PartAdmin(ReadOnly, admin.ModelAdmin):
    pass
