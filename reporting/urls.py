"""Web pages of statistics and supervision on tenant hosts (config/urls_tenant.py includes them)."""

from __future__ import annotations

from django.urls import path

from reporting.disclosure import views as disclosure
from reporting.statistics import views as statistics
from reporting.supervision import views as supervision

urlpatterns = [
    path("reporting/", statistics.DashboardView.as_view(), name="reporting-dashboard"),
    path("reporting/warnings/", supervision.WarningsView.as_view(), name="reporting-warnings"),
    path("reporting/budget/", supervision.BudgetView.as_view(), name="reporting-budget"),
    path("reporting/disclosure/", disclosure.DisclosureView.as_view(), name="reporting-disclosure"),
    path("reporting/chronicle/", disclosure.ChronicleView.as_view(), name="reporting-chronicle"),
    path(
        "reporting/chronicle/<int:entry_id>/", disclosure.ChronicleEntryView.as_view(), name="reporting-chronicle-entry"
    ),
    path("reporting/inspections/", supervision.InspectionsView.as_view(), name="reporting-inspections"),
    path(
        "reporting/inspections/<int:inspection_id>/", supervision.InspectionView.as_view(), name="reporting-inspection"
    ),
]
