from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from prospecting.models import (
    Company,
    Person,
    ProspectList,
    ProviderCall,
    SavedSearch,
    Suppression,
    WebhookEvent,
)


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


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "title", "company", "team", "is_sandbox", "updated_at"]
    search_fields = ["full_name"]


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "domain", "linkedin_id", "team", "is_sandbox", "updated_at"]
    search_fields = ["name", "domain"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "value", "team", "reason", "created_at"]
    list_filter = ["kind"]


@admin.register(ProspectList)
class ProspectListAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "created_by", "created_at"]


@admin.register(SavedSearch)
class SavedSearchAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "owner", "provider", "kind", "shared", "last_run_at"]
