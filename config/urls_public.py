"""The public host (BASE_DOMAIN): login, single sign-on, directory, provider portal, onboarding."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config.urls_common import api_common, common
from core.views import login_view
from tenants.views import public_home, sso_authorize

api_v1 = [*api_common]

urlpatterns = [
    path("", public_home, name="home"),
    path("accounts/login/", login_view, name="login"),
    path("sso/authorize/", sso_authorize, name="sso-authorize"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    *common,
]

handler500 = "core.views.server_error"
