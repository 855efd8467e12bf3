"""Disclosure pages: the printable public notice and the chronicle."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db.replica import reporting_reads
from reception.forms import DATE
from reception.views.base import perform
from reporting.common.api import STATISTICS_ROLES
from reporting.common.pages import CHRONICLE_ROLES, ReportingPage, year_from
from reporting.disclosure import selectors, services


class DisclosureView(ReportingPage):
    """The public notice of the year's figures, laid out for printing."""

    template_name = "reporting/disclosure.html"

    @reporting_reads()
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = year_from(self.request)
        context.update(figures=selectors.disclosure(year=year), year=year, today=timezone.localdate())
        return context


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
            entries=selectors.chronicle_entries(year=year),
            form=kwargs.get("form") or ChronicleForm(),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        year = year_from(request)
        back = f"/reporting/chronicle/?year={year}"
        if request.POST.get("action") == "generate":
            return perform(
                request,
                lambda: services.chronicle_generate(actor=self.actor, jurisdiction=self.jurisdiction, year=year),
                success=_("已根据已结算的接待任务生成大事记。"),
                back=back,
            )
        form = ChronicleForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return perform(
            request,
            lambda: services.chronicle_create(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data),
            success=_("已添加大事记。"),
            back=back,
        )


class ChronicleEntryView(ReportingPage):
    template_name = "reporting/chronicle_entry.html"
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": CHRONICLE_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = selectors.chronicle_entry(self.kwargs["entry_id"])
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
                lambda: services.chronicle_delete(
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
            lambda: services.chronicle_update(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                entry_id=entry_id,
                changes=form.cleaned_data,
                version=version,
            ),
            success=_("已保存。"),
            back=f"/reporting/chronicle/{entry_id}/",
        )
