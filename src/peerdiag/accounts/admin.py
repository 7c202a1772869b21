from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .domain.two_factor import remove_totp
from .models import ApiToken, Invitation, TotpDevice, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Lets an LGA administrator switch off the authenticator app of someone who lost it."""

    list_display = ["user", "confirmed_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "confirmed_at"]
    readonly_fields = ["user", "confirmed_at"]
    actions = ["switch_off"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # use the action: it removes the recovery codes too and logs who did it

    @admin.action(description="Switch off two-factor sign-in (they set it up again next time)")
    def switch_off(self, request, queryset):  # type: ignore[no-untyped-def]
        for device in queryset.select_related("user"):
            remove_totp(device.user, by=request.user)
        self.message_user(request, f"Two-factor sign-in switched off for {queryset.count()}")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
