"""The oversight dashboard (province and city hosts): completeness map of the subtree, totals,
month-on-month trend; drill-down to a subordinate's reports (read-only; the direct superior's
admin accepts or returns them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db.replica import reporting_reads
from core.errors import InvalidInput
from reception.views.base import ReceptionPage, perform
from reporting.oversight.api import OVERSIGHT_READ_ROLES
from reporting.oversight.selectors import (
    jurisdiction_reports,
    oversight_summary,
    oversight_trend,
    subordinate,
    subtree_report,
)
from reporting.reports.selectors import parse_period, period_of, previous_month
from reporting.reports.services import REVIEW_ROLES, report_review


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("return", "return")])
    comment = forms.CharField(label=gettext_lazy("意见"), max_length=2000, required=False)


class OversightView(ReceptionPage):
    template_name = "reporting/oversight.html"
    roles = OVERSIGHT_READ_ROLES

    @reporting_reads()
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = self.request.GET.get("period") or period_of(previous_month(timezone.localdate()))
        try:
            parse_period(period)
        except InvalidInput:
            period = period_of(previous_month(timezone.localdate()))
        summary = oversight_summary(host=self.jurisdiction, period=period)
        for row in summary["children"]:
            late = row["status"] != "missing" and row["on_time"] is False
            row["css"] = "late" if late and row["status"] != "returned" else row["status"]
        trend = oversight_trend(host=self.jurisdiction, period=period)
        peak = max((t["cost_total"] for t in trend), default=0) or 1
        for t in trend:
            t["bar"] = int(t["cost_total"] / peak * 100)
        context.update(summary=summary, trend=trend, period=period, missing=summary["expected"] - summary["reported"])
        context.update(subordinate_map(self.jurisdiction.code, summary["children"]))
        return context


#: The legend of the map of subordinates, by the cells' status classes.
MAP_STATUS_LABELS = {
    "submitted": gettext_lazy("已报"),
    "accepted": gettext_lazy("已报"),
    "late": gettext_lazy("迟报"),
    "returned": gettext_lazy("已退回"),
    "missing": gettext_lazy("未报"),
    "none": gettext_lazy("未接入"),
}


def subordinate_map(code: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    """The boundary file of this jurisdiction's subordinates (static/maps/<code>.json, shipped
    with the product; none for a county or a city whose boundaries are out of date) and what each
    direct subordinate's region shows: its report status and its spending."""
    if finders.find(f"maps/{code}.json") is None:
        return {"map_url": None}
    regions = [
        {
            "code": row["code"],
            "name": row["name"],
            "status": row["css"],
            "cost": float((row["figures"] or {}).get("cost_total", 0) or 0),
        }
        for row in children
        if row["depth"] == 1
    ]
    labels = {key: str(label) for key, label in MAP_STATUS_LABELS.items()}
    labels.update(cost=str(gettext_lazy("接待费用（元）")), status=str(gettext_lazy("上报情况")))
    return {"map_url": static(f"maps/{code}.json"), "map_regions": regions, "map_labels": labels}


class SubordinateReportsView(ReceptionPage):
    template_name = "reporting/subordinate_reports.html"
    roles_by_method = {"GET": OVERSIGHT_READ_ROLES, "POST": REVIEW_ROLES}

    @reporting_reads()
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = subordinate(host=self.jurisdiction, code=kwargs["code"])
        context.update(
            child=child,
            reports=list(jurisdiction_reports(jurisdiction=child)[:120]),
            can_review=child.parent_id == self.jurisdiction.pk and self.can(REVIEW_ROLES),
        )
        return context

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        form = ReviewForm(request.POST)
        report_id = int(request.POST.get("report") or 0)
        subtree_report(host=self.jurisdiction, report_id=report_id)  # 404 outside the subtree
        data = form.cleaned_data if form.is_valid() else {"action": "", "comment": ""}
        accept = data["action"] == "accept"
        return perform(
            request,
            lambda: report_review(
                actor=self.actor,
                reviewer=self.jurisdiction,
                report_id=report_id,
                accept=accept,
                comment=data["comment"],
            ),
            success=_("已接收报表。") if accept else _("已退回报表。"),
            back=f"/reporting/oversight/{code}/",
        )
