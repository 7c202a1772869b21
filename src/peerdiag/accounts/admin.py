from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .domain.passkeys import remove_passkey
from .domain.two_factor import reset_two_factor
from .models import ApiToken, Invitation, Passkey, TotpDevice, User


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
    """Tokens are made by their owners on the account pages. Here an administrator can see them
    and revoke one, but never widen what a token may do or make it last longer: those were
    chosen (the sensitive scope behind a fresh second factor) when it was made."""

    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "key_hash",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # made by their owners, with the checks the account pages make


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
        # The app, every passkey and the recovery codes go, and the person's API tokens are
        # revoked (two_factor.reset_two_factor).
        devices = list(queryset.select_related("user"))
        for device in devices:
            reset_two_factor(device.user, by=request.user)
        self.message_user(request, f"Two-factor sign-in switched off for {len(devices)}")


@admin.register(Passkey)
class PasskeyAdmin(admin.ModelAdmin):
    """Lets an LGA administrator remove a passkey someone has lost."""

    list_display = ["user", "name", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "name"]
    fields = ["user", "name", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "created_at", "last_used_at"]
    actions = ["remove"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # use the action: it logs who did it and handles the last second factor

    @admin.action(description="Remove passkey (a last second factor is switched off)")
    def remove(self, request, queryset):  # type: ignore[no-untyped-def]
        passkeys = list(queryset.select_related("user"))
        for passkey in passkeys:
            remove_passkey(passkey, by=request.user)
        n = len(passkeys)
        self.message_user(request, f"{n} passkey{'' if n == 1 else 's'} removed")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
