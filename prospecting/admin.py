from django.contrib import admin

from prospecting.models import ProviderCall, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """The call log and webhook deliveries are records: staff may read them, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProviderCall)
class ProviderCallAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "team",
        "user",
        "provider",
        "endpoint",
        "http_status",
        "outcome",
        "credits",
        "sandbox",
    ]
    list_filter = ["provider", "outcome", "sandbox"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "team", "provider", "deliveries", "processed_at"]
    list_filter = ["provider"]
