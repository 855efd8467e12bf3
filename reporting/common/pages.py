"""The page base of reporting's statistics-side pages (dashboard, supervision, disclosure) and
the roles that decide which of their links a user sees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from reception.views.base import ReceptionPage
from reporting.common.api import STATISTICS_ROLES
from tenants.models import Role

BUDGET_ROLES = frozenset({Role.ADMIN, Role.FINANCE})
CHRONICLE_ROLES = frozenset({Role.ADMIN})
INSPECTION_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


class ReportingPage(ReceptionPage):
    roles = STATISTICS_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_budget"] = self.can(BUDGET_ROLES)
        context["can_chronicle"] = self.can(CHRONICLE_ROLES)
        context["can_inspect"] = self.can(INSPECTION_ROLES)
        return context


def year_from(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year
