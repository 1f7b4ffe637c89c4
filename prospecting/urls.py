from django.contrib import admin
from django.urls import include, path

from prospecting import views, webhooks

urlpatterns = [
    path("", views.home, name="home"),
    path("team/keys/<int:pk>/test/", views.provider_key_test, name="provider_key_test"),
    path("team/keys/sandbox/<slug:provider>/", views.provider_key_sandbox, name="provider_key_sandbox"),
    path("team/balances/", views.balances, name="balances"),
    path("team/calls/", views.call_log, name="call_log"),
    path("webhooks/lookc/<str:token>/", webhooks.lookc_webhook, name="lookc_webhook"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
