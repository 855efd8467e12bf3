"""The jurisdiction's own reports page: submit a month (admin or finance), every version, locks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reception.views.base import ReceptionPage, paginate, perform
from reporting.models import ReportStatus
from reporting.oversight.selectors import jurisdiction_reports
from reporting.reports.api import REPORT_READ_ROLES
from reporting.reports.selectors import deadline_for, locked_reason, period_of, previous_month
from reporting.reports.services import REPORT_ROLES, report_submit


class PeriodForm(forms.Form):
    period = forms.RegexField(
        label=gettext_lazy("统计期"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": gettext_lazy("统计期须为 YYYY-MM 格式，例如 2026-05。")},
    )


class ReportsView(ReceptionPage):
    template_name = "reporting/reports.html"
    roles_by_method = {"GET": REPORT_READ_ROLES, "POST": REPORT_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        last = period_of(previous_month(timezone.localdate()))
        page = paginate(self.request, jurisdiction_reports(jurisdiction=self.jurisdiction))
        for report in page:
            locked = report.is_current and report.status == ReportStatus.ACCEPTED
            report.locked_reason = locked_reason(report) if locked else ""  # type: ignore[attr-defined]
        context.update(
            page=page,
            can_submit=self.can(REPORT_ROLES) and self.jurisdiction.parent_id is not None,
            form=kwargs.get("form") or PeriodForm(initial={"period": last}),
            deadline=deadline_for(self.jurisdiction, last),
            last_period=last,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PeriodForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        period = form.cleaned_data["period"]
        return perform(
            request,
            lambda: report_submit(actor=self.actor, jurisdiction=self.jurisdiction, period=period),
            success=_("已上报 %(period)s 的统计报表。") % {"period": period},
            back="/reporting/reports/",
        )
