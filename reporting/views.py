"""Web pages of statistics and supervision (tenant host): the dashboard with charts, warnings,
the annual budget, the disclosure notice, the chronicle and inspections. Filters live in the URL.
The same permission layer as the API; ancestors' admins and supervisors read without writing."""

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
from reception.views.base import ReceptionPage, perform
from reporting import disclosure as chronicle
from reporting import inspections
from reporting.api import STATISTICS_ROLES
from reporting.budgets import budget_status, budgets_with_spending
from reporting.exports import kind_label, totals_label
from reporting.local.models import Area, ChecklistItem, ExportJob, Inspection, InspectionStatus, Result
from reporting.statistics import KINDS, GroupBy, Scope, own_satisfaction, statistics
from reporting.views_charts import bar_chart, pie_chart
from reporting.warnings import current_warnings, warnings_notify
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


# --- Dashboard ----------------------------------------------------------------------------


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
        from reporting.exports import export_create

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


# --- Warnings and budget ------------------------------------------------------------------


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
        from reporting.warnings import budget_set

        form = BudgetForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return perform(
            request,
            lambda: budget_set(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data),
            success=_("年度接待预算已保存。"),
            back="/reporting/budget/",
        )


# --- Disclosure ---------------------------------------------------------------------------


def year_from(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


class DisclosureView(ReportingPage):
    """The public notice of the year's figures, laid out for printing."""

    template_name = "reporting/disclosure.html"

    @reporting_reads()
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = year_from(self.request)
        context.update(figures=chronicle.disclosure(year=year), year=year, today=timezone.localdate())
        return context


# --- Chronicle ----------------------------------------------------------------------------


class ChronicleForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("日期"), widget=DATE)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    body = forms.CharField(label=gettext_lazy("内容"), max_length=5000, required=False, widget=forms.Textarea)


class ChronicleView(ReportingPage):
    template_name = "reporting/chronicle.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": CHRONICLE_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = year_from(self.request)
        context.update(
            year=year,
            entries=chronicle.chronicle_entries(year=year),
            form=kwargs.get("form") or ChronicleForm(),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        year = year_from(request)
        back = f"/reporting/chronicle/?year={year}"
        if request.POST.get("action") == "generate":
            return perform(
                request,
                lambda: chronicle.chronicle_generate(actor=self.actor, jurisdiction=self.jurisdiction, year=year),
                success=_("已根据已结算的接待任务生成大事记。"),
                back=back,
            )
        form = ChronicleForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return perform(
            request,
            lambda: chronicle.chronicle_create(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data),
            success=_("已添加大事记。"),
            back=back,
        )


class ChronicleEntryView(ReportingPage):
    template_name = "reporting/chronicle_entry.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": CHRONICLE_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = chronicle.chronicle_entry(self.kwargs["entry_id"])
        context.update(
            entry=entry,
            form=kwargs.get("form")
            or ChronicleForm(initial={"date": entry.date, "title": entry.title, "body": entry.body}),
        )
        return context

    def post(self, request: HttpRequest, entry_id: int) -> HttpResponse:
        raw = request.POST.get("version", "")
        version = int(raw) if raw.isdigit() else None
        if request.POST.get("action") == "delete":
            return perform(
                request,
                lambda: chronicle.chronicle_delete(
                    actor=self.actor, jurisdiction=self.jurisdiction, entry_id=entry_id, version=version
                ),
                success=_("已删除。"),
                back="/reporting/chronicle/",
            )
        form = ChronicleForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return perform(
            request,
            lambda: chronicle.chronicle_update(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                entry_id=entry_id,
                changes=form.cleaned_data,
                version=version,
            ),
            success=_("已保存。"),
            back=f"/reporting/chronicle/{entry_id}/",
        )


# --- Inspections --------------------------------------------------------------------------


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
            inspections=inspections.inspection_list(subordinate_code=code),
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
                inspections.inspection_create(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data)
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
            inspection=inspections.inspection_detail(self.kwargs["inspection_id"]),
            results=Result.choices,
        )
        return context

    def post(self, request: HttpRequest, inspection_id: int) -> HttpResponse:
        back = f"/reporting/inspections/{inspection_id}/"
        data = request.POST
        if data.get("action") == "close":
            return perform(
                request,
                lambda: inspections.inspection_close(
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
            lambda: inspections.checklist_update(
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
