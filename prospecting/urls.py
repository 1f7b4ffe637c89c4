from django.contrib import admin
from django.urls import include, path

from prospecting import views

urlpatterns = [
    path("", views.home, name="home"),
    path("team/keys/<int:pk>/test/", views.provider_key_test, name="provider_key_test"),
    path("team/balances/", views.balances, name="balances"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
