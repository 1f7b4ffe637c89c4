from django.contrib import admin
from django.urls import include, path

from prospecting import webhooks
from prospecting.views import calls, erasure, home, keys, records, search, suppression

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
    path("team/suppression/", suppression.suppression_list, name="suppression"),
    path("team/suppression/import/", suppression.suppression_import, name="suppression_import"),
    path("team/suppression/<int:pk>/remove/", suppression.suppression_remove, name="suppression_remove"),
    path("people/<int:pk>/erase/", erasure.person_erase, name="person_erase"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("search/", search.search_home, name="search"),
    path("search/lix/", search.search_lix, name="search_lix"),
    path("search/lusha/", search.search_lusha, name="search_lusha"),
    path("search/leadiq/", search.search_leadiq, name="search_leadiq"),
    path("search/keep/", search.search_keep, name="search_keep"),
    path("search/saved/", search.saved_searches, name="saved_searches"),
    path("search/saved/new/", search.saved_search_create, name="saved_search_create"),
    path("search/saved/<int:pk>/run/", search.saved_search_run, name="saved_search_run"),
    path("search/saved/<int:pk>/delete/", search.saved_search_delete, name="saved_search_delete"),
]
