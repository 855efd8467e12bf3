"""Reporting API routes on tenant hosts (statistics, exports, PDF report, warnings, disclosure,
chronicle, inspections), included under /api/v1/ by config/urls_tenant.py."""

from __future__ import annotations

from django.urls import path

from reporting import api, api_disclosure, api_inspections, api_warnings

app_name = "reporting-api"

urlpatterns = [
    path("statistics/", api.StatisticsApi.as_view(), name="statistics"),
    path("statistics/report.pdf", api.StatisticsReportPdfApi.as_view(), name="statistics-report-pdf"),
    path("statistics/exports/", api.ExportsApi.as_view(), name="statistics-exports"),
    path("statistics/exports/<uuid:job_id>/", api.ExportApi.as_view(), name="statistics-export"),
    path("statistics/exports/<uuid:job_id>/download/", api.ExportDownloadApi.as_view(), name="statistics-export-file"),
    path("warnings/", api_warnings.WarningsApi.as_view(), name="warnings"),
    path("disclosure/", api_disclosure.DisclosureApi.as_view(), name="disclosure"),
    path("chronicle/", api_disclosure.ChronicleApi.as_view(), name="chronicle"),
    path("chronicle/generate/", api_disclosure.ChronicleGenerateApi.as_view(), name="chronicle-generate"),
    path("chronicle/<int:entry_id>/", api_disclosure.ChronicleEntryApi.as_view(), name="chronicle-entry"),
    path("inspections/", api_inspections.InspectionsApi.as_view(), name="inspections"),
    path("inspections/<int:inspection_id>/", api_inspections.InspectionApi.as_view(), name="inspection"),
    path(
        "inspections/<int:inspection_id>/items/<slug:area>/",
        api_inspections.ChecklistItemApi.as_view(),
        name="inspection-item",
    ),
    path(
        "inspections/<int:inspection_id>/close/", api_inspections.InspectionCloseApi.as_view(), name="inspection-close"
    ),
    path("reception-budgets/", api_warnings.BudgetsApi.as_view(), name="reception-budgets"),
]
