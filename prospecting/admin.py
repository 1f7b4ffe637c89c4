from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from prospecting.models import ProviderCall, WebhookEvent


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
        "state",
        "credits",
        "credits_unconfirmed",
        "sandbox",
    ]
    list_filter = ["provider", "state", "outcome", "sandbox"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "team", "provider", "deliveries", "processed_at"]
    list_filter = ["provider"]
