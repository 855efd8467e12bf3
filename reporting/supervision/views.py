"""Supervision pages: early warnings, the annual budget, inspections and their checklists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reception.forms import DATE
from reception.views.base import perform
from reporting.common.api import STATISTICS_ROLES
from reporting.common.pages import BUDGET_ROLES, INSPECTION_ROLES, ReportingPage
from reporting.local.models import Area, Inspection, Result
from reporting.supervision import selectors, services
from reporting.supervision.selectors import budgets_with_spending, current_warnings
from reporting.supervision.services import warnings_notify


class WarningsView(ReportingPage):
    template_name = "reporting/warnings.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": BUDGET_ROLES | INSPECTION_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["warnings"] = current_warnings(jurisdiction=self.jurisdiction)
        context["can_notify"] = self.can(BUDGET_ROLES | INSPECTION_ROLES)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        """Tell finance and supervisors now (the beat does it every few minutes anyway)."""
        return perform(
            request,
            lambda: warnings_notify(jurisdiction=self.jurisdiction),
            success=_("已通知财务和监督人员（每项预警只通知一次）。"),
            back="/reporting/warnings/",
        )


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=gettext_lazy("年度接待预算（元）"), max_digits=14, decimal_places=2, min_value=0)


class BudgetView(ReportingPage):
    template_name = "reporting/budget.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": BUDGET_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["budgets"] = budgets_with_spending()
        context["form"] = kwargs.get("form") or BudgetForm(initial={"year": timezone.localdate().year})
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        from reporting.supervision.services import budget_set

        form = BudgetForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return perform(
            request,
            lambda: budget_set(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data),
            success=_("年度接待预算已保存。"),
            back="/reporting/budget/",
        )


class InspectionForm(forms.Form):
    subordinate_code = forms.ChoiceField(label=gettext_lazy("被检查辖区"))
    title = forms.CharField(label=gettext_lazy("检查名称"), max_length=200)
    inspected_on = forms.DateField(label=gettext_lazy("检查日期"), widget=DATE)

    def __init__(self, *args: Any, subordinates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subordinate_code"].choices = subordinates  # type: ignore[attr-defined]


def _subordinates(jurisdiction: Any) -> list[tuple[str, str]]:
    from tenants.models import Jurisdiction

    rows = Jurisdiction.objects.filter(path__startswith=jurisdiction.path + ".").order_by("code")
    return [(j.code, f"{j.name}（{j.code}）") for j in rows.only("code", "name")]


class InspectionsView(ReportingPage):
    template_name = "reporting/inspections.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": INSPECTION_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        code = self.request.GET.get("subordinate") or None
        context.update(
            inspections=selectors.inspection_list(subordinate_code=code),
            subordinate=code,
            form=kwargs.get("form") or InspectionForm(subordinates=_subordinates(self.jurisdiction)),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InspectionForm(request.POST, subordinates=_subordinates(self.jurisdiction))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        created: list[Inspection] = []
        response = perform(
            request,
            lambda: created.append(
                services.inspection_create(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data)
            ),
            success=_("已建立检查记录。"),
            back="/reporting/inspections/",
        )
        if created:
            response["Location"] = f"/reporting/inspections/{created[0].pk}/"
        return response


class InspectionView(ReportingPage):
    template_name = "reporting/inspection.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": INSPECTION_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            inspection=selectors.inspection_detail(self.kwargs["inspection_id"]),
            results=Result.choices,
        )
        return context

    def post(self, request: HttpRequest, inspection_id: int) -> HttpResponse:
        back = f"/reporting/inspections/{inspection_id}/"
        data = request.POST
        if data.get("action") == "close":
            return perform(
                request,
                lambda: services.inspection_close(
                    actor=self.actor,
                    jurisdiction=self.jurisdiction,
                    inspection_id=inspection_id,
                    summary=data.get("summary", "")[:5000],
                ),
                success=_("检查已结束。"),
                back=back,
            )
        area = data.get("area", "")
        if area not in Area.values:
            return perform(request, lambda: _bad_area(), success="", back=back)
        changes: dict[str, Any] = {"resolved": data.get("resolved") == "on"}
        if data.get("result") in Result.values:
            changes.update(
                result=data["result"],
                finding=data.get("finding", "")[:5000],
                follow_up=data.get("follow_up", "")[:5000],
                follow_up_due=_date_or_none(data.get("follow_up_due", "")),
            )
        raw = data.get("version", "")
        return perform(
            request,
            lambda: services.checklist_update(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                inspection_id=inspection_id,
                area=area,
                changes=changes,
                version=int(raw) if raw.isdigit() else None,
            ),
            success=_("已保存。"),
            back=back,
        )


def _bad_area() -> None:
    from core.errors import InvalidInput

    raise InvalidInput(_("检查事项无效。"), field="area")


def _date_or_none(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
