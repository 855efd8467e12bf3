"""Routes of directives, reports and oversight on tenant hosts (config/urls_tenant.py includes
`api_urlpatterns` under /api/v1/ and `urlpatterns` as pages)."""

from __future__ import annotations

from django.urls import path

from reporting import directives_api, oversight_api, reports_api

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

urlpatterns: list = []
