from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import AuditEvent, Invitation, Membership, ProviderKey, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token", "token_hash"]
    readonly_fields = ["team", "email", "invited_by", "accepted_by", "emailed_at", "accepted_at"]


@admin.register(ProviderKey)
class ProviderKeyAdmin(admin.ModelAdmin):
    # The secret never reaches a page, the admin included; keys are managed from the team pages.
    list_display = ["team", "provider", "masked", "status", "revoked_at"]
    list_filter = ["provider", "status"]
    fields = [
        "team",
        "provider",
        "label",
        "last4",
        "uses_lix_key",
        "options",
        "status",
        "status_message",
        "checked_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records (the audit trail, the call log, webhook deliveries): staff may read them, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "team", "actor_email", "action", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_email", "target"]
