"""Routes of directives, reports and oversight on tenant hosts (config/urls_tenant.py includes
`api_urlpatterns` under /api/v1/ and `urlpatterns` as pages)."""

from __future__ import annotations

from django.urls import path

from reporting.directives import api as directives_api
from reporting.directives import views as directives_views
from reporting.oversight import api as oversight_api
from reporting.oversight import views as oversight_views
from reporting.reports import api as reports_api
from reporting.reports import views as reports_views

api_urlpatterns = [
    path("directives/", directives_api.DirectivesApi.as_view(), name="directives"),
    path("directives/inbox/", directives_api.InboxApi.as_view(), name="directives-inbox"),
    path("directives/inbox/<int:delivery_id>/", directives_api.InboxEntryApi.as_view(), name="directives-inbox-entry"),
    path(
        "directives/inbox/<int:delivery_id>/acknowledge/",
        directives_api.InboxAcknowledgeApi.as_view(),
        name="directives-inbox-acknowledge",
    ),
    path("directives/<int:directive_id>/", directives_api.DirectiveDetailApi.as_view(), name="directive"),
    path(
        "directives/<int:directive_id>/amendment/",
        directives_api.DirectiveAmendmentApi.as_view(),
        name="directive-amendment",
    ),
    path(
        "directives/inbox/<int:delivery_id>/attachments/<int:attachment_id>/",
        directives_api.InboxAttachmentApi.as_view(),
        name="directives-inbox-attachment",
    ),
    path(
        "directives/<int:directive_id>/attachments/<int:attachment_id>/",
        directives_api.DirectiveAttachmentApi.as_view(),
        name="directive-attachment",
    ),
    path("directives/<int:directive_id>/resend/", directives_api.DirectiveResendApi.as_view(), name="directive-resend"),
    path("reports/", reports_api.ReportsApi.as_view(), name="reports"),
    path("reports/deadlines/", reports_api.ReportDeadlinesApi.as_view(), name="reports-deadlines"),
    path("oversight/summary/", oversight_api.OversightSummaryApi.as_view(), name="oversight-summary"),
    path("oversight/reports/", oversight_api.OversightReportsApi.as_view(), name="oversight-reports"),
    path("oversight/reports/<int:report_id>/", oversight_api.OversightReportApi.as_view(), name="oversight-report"),
    path(
        "oversight/reports/<int:report_id>/accept/",
        oversight_api.OversightReportAcceptApi.as_view(),
        name="oversight-report-accept",
    ),
    path(
        "oversight/reports/<int:report_id>/return/",
        oversight_api.OversightReportReturnApi.as_view(),
        name="oversight-report-return",
    ),
]

urlpatterns = [
    path("reporting/directives/", directives_views.DirectivesView.as_view(), name="reporting-directives"),
    path("reporting/directives/new/", directives_views.DirectiveComposeView.as_view(), name="reporting-directive-new"),
    path(
        "reporting/directives/<int:directive_id>/",
        directives_views.DirectiveDetailView.as_view(),
        name="reporting-directive",
    ),
    path("reporting/inbox/", directives_views.InboxView.as_view(), name="reporting-inbox"),
    path("reporting/inbox/<int:delivery_id>/", directives_views.InboxEntryView.as_view(), name="reporting-inbox-entry"),
    path("reporting/reports/", reports_views.ReportsView.as_view(), name="reporting-reports"),
    path("reporting/oversight/", oversight_views.OversightView.as_view(), name="reporting-oversight"),
    path(
        "reporting/oversight/<str:code>/",
        oversight_views.SubordinateReportsView.as_view(),
        name="reporting-oversight-child",
    ),
]
