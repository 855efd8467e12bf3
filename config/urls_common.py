"""Routes served on every host: sign-in API, directory, OpenAPI, language switch."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.auth_api import LoginApi, LogoutApi
from core.views import logout_view, password_change_view, ping, profile_view
from tenants.api import JurisdictionDirectoryApi, MeApi

api_common = [
    path("auth/login/", LoginApi.as_view(), name="api-login"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("jurisdictions/", JurisdictionDirectoryApi.as_view(), name="api-jurisdictions"),
]

common = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("accounts/logout/", logout_view, name="logout"),
    path("accounts/profile/", profile_view, name="profile"),
    path("accounts/password/", password_change_view, name="password-change"),
    path("ping/", ping, name="ping"),
    path("i18n/", include("django.conf.urls.i18n")),
]
