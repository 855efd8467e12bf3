"""The statistics dashboard: figures with charts, exports started from the page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db.replica import reporting_reads
from reception.forms import DATE
from reception.views.base import perform
from reporting.common.api import STATISTICS_ROLES
from reporting.common.charts import bar_chart, pie_chart
from reporting.common.pages import BUDGET_ROLES, INSPECTION_ROLES, ReportingPage
from reporting.local.models import ChecklistItem, ExportJob, Inspection, InspectionStatus, Result
from reporting.statistics.exports import kind_label, totals_label
from reporting.statistics.selectors import KINDS, GroupBy, Scope, own_satisfaction, statistics
from reporting.supervision.selectors import budget_status, current_warnings


class FilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=DATE)
    group_by = forms.ChoiceField(
        label=gettext_lazy("分组"),
        required=False,
        choices=[
            (GroupBy.MONTH, gettext_lazy("按月份")),
            (GroupBy.LEVEL, gettext_lazy("按接待级别")),
            (GroupBy.PURPOSE, gettext_lazy("按来访事由")),
            (GroupBy.COUNTERPART_UNIT, gettext_lazy("按对口接待单位")),
            (GroupBy.JURISDICTION, gettext_lazy("按辖区")),
            (GroupBy.PROVIDER, gettext_lazy("按服务单位")),
        ],
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("范围"),
        required=False,
        choices=[
            ("", gettext_lazy("默认")),
            (Scope.OWN, gettext_lazy("仅本级")),
            (Scope.SUBTREE, gettext_lazy("含下级")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data


def filters(request: HttpRequest) -> tuple[FilterForm, dict[str, Any]]:
    """The filters from the query string (`from`, `to`, `group_by`, `scope`); invalid → defaults."""
    today = timezone.localdate()
    query = request.GET
    form = FilterForm({"start": query.get("from"), "end": query.get("to"), **query.dict()})
    values: dict[str, Any] = {
        "start": dt.date(today.year, 1, 1),
        "end": dt.date(today.year, 12, 31),
        "group_by": GroupBy.MONTH,
        "scope": None,
    }
    if form.is_valid():
        data = form.cleaned_data
        values.update(
            start=data["start"] or values["start"],
            end=data["end"] or values["end"],
            group_by=data["group_by"] or GroupBy.MONTH,
            scope=data["scope"] or None,
        )
    return form, values


class DashboardView(ReportingPage):
    """Statistics with charts for admins, finance and supervisors; each role's extras. A POST
    starts a detailed export as a Celery job; the page lists the jobs with their progress."""

    template_name = "reporting/dashboard.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        from reporting.statistics.services import export_create

        _form, values = filters(request)
        file_format = "csv" if request.POST.get("format") == "csv" else "xlsx"
        return perform(
            request,
            lambda: export_create(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                start=values["start"],
                end=values["end"],
                group_by=values["group_by"],
                file_format=file_format,
            ),
            success=_("已开始生成明细导出，完成后可在下方下载。"),
            back=request.get_full_path(),
        )

    @reporting_reads()
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, values = filters(self.request)
        stats = statistics(jurisdiction=self.jurisdiction, **values)
        totals = stats.totals
        query = {
            "from": values["start"].isoformat(),
            "to": values["end"].isoformat(),
            "group_by": values["group_by"],
            **({"scope": values["scope"]} if values["scope"] else {}),
        }
        warnings = current_warnings(jurisdiction=self.jurisdiction)
        context.update(
            form=form,
            stats=stats,
            totals=totals,
            satisfaction=own_satisfaction(values["start"], values["end"]),
            totals_label=totals_label(values["group_by"]),
            kinds=[(kind_label(k), totals.cost_by_kind.get(k)) for k in KINDS],
            bar=bar_chart(
                [row.label for row in stats.rows], [row.cost_total for row in stats.rows], title=_("接待费用（元）")
            ),
            pie=pie_chart([(kind_label(k), totals.cost_by_kind[k]) for k in KINDS], title=_("费用构成")),
            export_xlsx="/api/v1/statistics/?" + urlencode({**query, "format": "xlsx"}),
            export_csv="/api/v1/statistics/?" + urlencode({**query, "format": "csv"}),
            report_pdf="/api/v1/statistics/report.pdf?" + urlencode({"year": values["start"].year}),
            warnings=warnings[:5],
            warning_count=len(warnings),
            error_count=sum(1 for w in warnings if w.severity == "error"),
            jobs=ExportJob.objects.order_by("-created_at")[:5],
            can_export=self.can(STATISTICS_ROLES),
        )
        context["jobs_running"] = any(job.status in ("pending", "running") for job in context["jobs"])
        roles = self.access.roles
        if roles & BUDGET_ROLES or self.access.oversight:
            context["budget"] = budget_status(values["start"].year)
        if roles & INSPECTION_ROLES or self.access.oversight:
            open_inspections = Inspection.objects.filter(status=InspectionStatus.OPEN).count()
            follow_ups = ChecklistItem.objects.filter(result=Result.ISSUES, resolved=False).count()
            context["supervision"] = {"open": open_inspections, "follow_ups": follow_ups}
        return context
