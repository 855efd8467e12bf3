"""Web pages of statistics and supervision on tenant hosts (config/urls_tenant.py includes them)."""

from __future__ import annotations

from django.urls import path

from reporting import views

urlpatterns = [
    path("reporting/", views.DashboardView.as_view(), name="reporting-dashboard"),
    path("reporting/warnings/", views.WarningsView.as_view(), name="reporting-warnings"),
    path("reporting/budget/", views.BudgetView.as_view(), name="reporting-budget"),
    path("reporting/disclosure/", views.DisclosureView.as_view(), name="reporting-disclosure"),
    path("reporting/chronicle/", views.ChronicleView.as_view(), name="reporting-chronicle"),
    path("reporting/chronicle/<int:entry_id>/", views.ChronicleEntryView.as_view(), name="reporting-chronicle-entry"),
    path("reporting/inspections/", views.InspectionsView.as_view(), name="reporting-inspections"),
    path("reporting/inspections/<int:inspection_id>/", views.InspectionView.as_view(), name="reporting-inspection"),
]
