"""Reporting API routes on tenant hosts (statistics, exports, PDF report, warnings, disclosure,
chronicle, inspections), included under /api/v1/ by config/urls_tenant.py."""

from __future__ import annotations

from django.urls import path

from reporting.disclosure import api as disclosure
from reporting.statistics import api as statistics
from reporting.supervision import api as supervision

app_name = "reporting-api"

urlpatterns = [
    path("statistics/", statistics.StatisticsApi.as_view(), name="statistics"),
    path("statistics/report.pdf", statistics.StatisticsReportPdfApi.as_view(), name="statistics-report-pdf"),
    path("statistics/exports/", statistics.ExportsApi.as_view(), name="statistics-exports"),
    path("statistics/exports/<uuid:job_id>/", statistics.ExportApi.as_view(), name="statistics-export"),
    path(
        "statistics/exports/<uuid:job_id>/download/",
        statistics.ExportDownloadApi.as_view(),
        name="statistics-export-file",
    ),
    path("warnings/", supervision.WarningsApi.as_view(), name="warnings"),
    path("disclosure/", disclosure.DisclosureApi.as_view(), name="disclosure"),
    path("chronicle/", disclosure.ChronicleApi.as_view(), name="chronicle"),
    path("chronicle/generate/", disclosure.ChronicleGenerateApi.as_view(), name="chronicle-generate"),
    path("chronicle/<int:entry_id>/", disclosure.ChronicleEntryApi.as_view(), name="chronicle-entry"),
    path("inspections/", supervision.InspectionsApi.as_view(), name="inspections"),
    path("inspections/<int:inspection_id>/", supervision.InspectionApi.as_view(), name="inspection"),
    path(
        "inspections/<int:inspection_id>/items/<slug:area>/",
        supervision.ChecklistItemApi.as_view(),
        name="inspection-item",
    ),
    path("inspections/<int:inspection_id>/close/", supervision.InspectionCloseApi.as_view(), name="inspection-close"),
    path("reception-budgets/", supervision.BudgetsApi.as_view(), name="reception-budgets"),
]
