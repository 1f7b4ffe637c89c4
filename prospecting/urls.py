from django.contrib import admin
from django.urls import include, path

from prospecting import webhooks
from prospecting.views import calls, home, keys, lists, records

urlpatterns = [
    path("", home.home, name="home"),
    path("team/keys/", keys.provider_keys, name="provider_keys"),
    path("team/keys/new/<slug:provider>/", keys.provider_key_add, name="provider_key_add"),
    path("team/keys/<int:pk>/", keys.provider_key_edit, name="provider_key_edit"),
    path("team/keys/<int:pk>/revoke/", keys.provider_key_revoke, name="provider_key_revoke"),
    path("team/keys/<int:pk>/test/", keys.provider_key_test, name="provider_key_test"),
    path("team/keys/sandbox/<slug:provider>/", keys.provider_key_sandbox, name="provider_key_sandbox"),
    path("team/balances/", calls.balances, name="balances"),
    path("team/calls/", calls.call_log, name="call_log"),
    path("people/", records.people, name="people"),
    path("people/<int:pk>/", records.person_detail, name="person_detail"),
    path("companies/<int:pk>/", records.company_detail, name="company_detail"),
    path("webhooks/lookc/<str:token>/", webhooks.lookc_webhook, name="lookc_webhook"),
    path("lists/", lists.lists, name="lists"),
    path("lists/<int:pk>/", lists.list_detail, name="list_detail"),
    path("lists/<int:pk>/rename/", lists.list_rename, name="list_rename"),
    path("lists/<int:pk>/delete/", lists.list_delete, name="list_delete"),
    path("lists/<int:pk>/add/", lists.list_add, name="list_add"),
    path("lists/<int:pk>/remove/", lists.list_remove, name="list_remove"),
    path("lists/<int:pk>/export/", lists.list_export, name="list_export"),
    path("lists/<int:pk>/import/", lists.list_import, name="list_import"),
    path("lists/<int:pk>/import/map/", lists.list_import_map, name="list_import_map"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
