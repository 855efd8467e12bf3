"""The public host (BASE_DOMAIN): login, single sign-on, directory, provider portal, onboarding."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.urls_common import api_common, common
from core.notifications.receipts import SmsReceiptsApi
from core.views import login_view, password_reset_confirm_view
from provider_portal import views as provider_views
from provider_portal.urls_api import public_api as provider_public_api
from tenants import onboarding_views
from tenants.onboarding_api import (
    ApplicationApproveApi,
    ApplicationDetailApi,
    ApplicationRejectApi,
    ApplicationsApi,
)
from tenants.views import landing, public_home, sso_authorize

api_v1 = [
    *api_common,
    *provider_public_api,
    path("messages/receipts/<str:vendor>/<str:token>/", SmsReceiptsApi.as_view(), name="api-sms-receipts"),
    path("onboarding/applications/", ApplicationsApi.as_view(), name="api-onboarding-applications"),
    path(
        "onboarding/applications/<int:application_id>/",
        ApplicationDetailApi.as_view(),
        name="api-onboarding-application",
    ),
    path(
        "onboarding/applications/<int:application_id>/approve/",
        ApplicationApproveApi.as_view(),
        name="api-onboarding-approve",
    ),
    path(
        "onboarding/applications/<int:application_id>/reject/",
        ApplicationRejectApi.as_view(),
        name="api-onboarding-reject",
    ),
]

urlpatterns = [
    path("", public_home, name="home"),
    path("accounts/login/", login_view, name="login"),
    path("work/", landing, name="landing"),
    path("accounts/reset/<str:uidb64>/<str:token>/", password_reset_confirm_view, name="password-reset-confirm"),
    path("sso/authorize/", sso_authorize, name="sso-authorize"),
    path("onboarding/apply/", onboarding_views.apply, name="onboarding-apply"),
    path("onboarding/track/<int:application_id>/<str:token>/", onboarding_views.track, name="onboarding-track"),
    path("onboarding/review/", onboarding_views.review, name="onboarding-review"),
    path(
        "onboarding/review/<int:application_id>/<str:decision>/",
        onboarding_views.review_decide,
        name="onboarding-decide",
    ),
    path("provider/", provider_views.inbox, name="provider-inbox"),
    path("provider/today/", provider_views.today_page, name="provider-today"),
    path("provider/orders/<uuid:order_id>/", provider_views.order_page, name="provider-order-page"),
    path("provider/bookings/", provider_views.bookings_page, name="provider-bookings"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    # The public host documents what it serves (the provider portal among it).
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_public"), name="schema"),
    *common,
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
