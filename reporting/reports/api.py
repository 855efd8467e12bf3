"""Direct reports API: a jurisdiction submits and reads its own reports; a superior sets deadlines."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from reporting.models import Report, ReportDeadline, ReportStatus
from reporting.oversight.selectors import jurisdiction_reports
from reporting.reports.selectors import deadline_for, locked_reason, parse_period
from reporting.reports.services import DEADLINE_ROLES, REPORT_ROLES, report_deadline_set, report_submit
from tenants.models import Role
from tenants.web import TenantApi, valid

#: Who reads a jurisdiction's own reports (and, read-only, its ancestors' overseers).
REPORT_READ_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.SUPERVISOR})
PERIOD = serializers.RegexField(
    r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, error_messages={"invalid": _("统计期须为 YYYY-MM 格式，例如 2026-05。")}
)


class ReportPeriodInput(serializers.Serializer):
    period = PERIOD


class ReportFiguresOutput(serializers.Serializer):
    receptions = serializers.IntegerField()
    guests = serializers.IntegerField()
    accompanying = serializers.IntegerField()
    cost_total = serializers.CharField()
    cost_by_kind = serializers.DictField(child=serializers.CharField())
    guest_paid_total = serializers.CharField(required=False, help_text="what the guests paid themselves")
    over_standard = serializers.IntegerField(required=False)


class DirectReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="jurisdiction.code")
    name = serializers.CharField(source="jurisdiction.name")
    period = serializers.CharField()
    version = serializers.IntegerField()
    is_current = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    on_time = serializers.BooleanField()
    deadline = serializers.SerializerMethodField()
    figures = ReportFiguresOutput()
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, default=None)
    review_comment = serializers.CharField()
    locked = serializers.SerializerMethodField()
    locked_reason = serializers.SerializerMethodField()

    def get_deadline(self, report: Report) -> str:
        return deadline_for(report.jurisdiction, report.period).isoformat()

    def get_locked(self, report: Report) -> bool:
        return report.is_current and report.status == ReportStatus.ACCEPTED

    def get_locked_reason(self, report: Report) -> str:
        return locked_reason(report) if self.get_locked(report) else ""


class ReportDeadlineInput(serializers.Serializer):
    period = PERIOD
    due_on = serializers.DateField()


class ReportDeadlineOutput(serializers.Serializer):
    period = serializers.CharField()
    due_on = serializers.DateField()


class ReportsApi(TenantApi, GenericAPIView):
    """This jurisdiction's reports, every version, newest first (`?period=` filters); POST builds
    the period's report from its own records and submits it upward (admin or finance)."""

    roles_by_method = {"GET": REPORT_READ_ROLES, "POST": REPORT_ROLES}
    serializer_class = DirectReportOutput
    queryset = Report.objects.none()  # the schema's model; rows come from the selector

    @extend_schema(operation_id="reports_list", responses=DirectReportOutput(many=True))
    def get(self, request: Request) -> Response:
        reports = jurisdiction_reports(jurisdiction=self.jurisdiction)
        period = request.query_params.get("period")
        if period:
            parse_period(period)
            reports = reports.filter(period=period)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(DirectReportOutput(page, many=True).data)

    @extend_schema(operation_id="reports_create", request=ReportPeriodInput, responses={201: DirectReportOutput})
    def post(self, request: Request) -> Response:
        data = valid(ReportPeriodInput, request.data)
        report = report_submit(actor=request.user, jurisdiction=self.jurisdiction, period=data["period"])  # type: ignore[arg-type]
        report = jurisdiction_reports(jurisdiction=self.jurisdiction).get(pk=report.pk)
        return Response(DirectReportOutput(report).data, status=status.HTTP_201_CREATED)


class ReportDeadlinesApi(TenantApi):
    """The deadlines this jurisdiction set for its subtree's reports; POST sets one (admin).
    Without a setting, a period's reports are due on the 5th of the next month."""

    roles_by_method = {"GET": REPORT_READ_ROLES, "POST": DEADLINE_ROLES}

    @extend_schema(operation_id="reports_deadlines_list", responses=ReportDeadlineOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = ReportDeadline.objects.filter(jurisdiction=self.jurisdiction).order_by("-period")
        return Response(ReportDeadlineOutput(rows, many=True).data)

    @extend_schema(operation_id="reports_deadlines_set", request=ReportDeadlineInput, responses=ReportDeadlineOutput)
    def post(self, request: Request) -> Response:
        data: dict[str, Any] = valid(ReportDeadlineInput, request.data)
        deadline = report_deadline_set(actor=request.user, jurisdiction=self.jurisdiction, **data)  # type: ignore[arg-type]
        return Response(ReportDeadlineOutput(deadline).data)
