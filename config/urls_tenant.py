"""A jurisdiction's host (<slug>.BASE_DOMAIN): its pages and the tenant API."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from config.urls_common import api_common, common
from provider_portal.urls_api import tenant_api as tenant_provider_api
from provider_portal.views import DesignatedListView
from reporting import oversight_urls
from tenants.api import JurisdictionDetailApi, MemberPasswordResetApi
from tenants.outbox_api import api_urlpatterns as outbox_api
from tenants.outbox_views import OutboxView
from tenants.views import SubtreeView, TenantHomeView, sso_callback, sso_start

api_v1: list[URLPattern | URLResolver] = [
    *api_common,
    path("jurisdiction/", JurisdictionDetailApi.as_view(), name="api-jurisdiction"),
    path("members/<int:user_id>/password-reset/", MemberPasswordResetApi.as_view(), name="api-member-password-reset"),
    *outbox_api(),
    path("", include("reception.api.urls")),
    *tenant_provider_api,
    path("", include((oversight_urls.api_urlpatterns, "reporting-tree-api"))),
    path("", include("reporting.api_urls")),
]

urlpatterns = [
    path("", TenantHomeView.as_view(), name="home"),
    path("subtree/", SubtreeView.as_view(), name="subtree"),
    path("outbox/", OutboxView.as_view(), name="outbox"),
    path("providers/", DesignatedListView.as_view(), name="providers-designated"),
    path("accounts/login/", sso_start, name="login"),
    path("sso/callback/", sso_callback, name="sso-callback"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("", include("reception.urls")),
    path("", include(oversight_urls.urlpatterns)),
    path("", include("reporting.urls")),
    *common,
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
