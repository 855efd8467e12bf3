"""Oversight API on a superior's host: the subtree's summary for a period, its reports (read-only,
any depth), and the direct superior's review (accept or return)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.db.replica import reporting_reads
from reporting.models import Report
from reporting.oversight.selectors import jurisdiction_reports, oversight_summary, subordinate, subtree_report
from reporting.reports.api import DirectReportOutput, ReportFiguresOutput
from reporting.reports.selectors import parse_period
from reporting.reports.services import REVIEW_ROLES, report_review
from tenants.models import Role
from tenants.web import TenantApi, valid

OVERSIGHT_READ_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
PERIOD_PARAM = OpenApiParameter("period", str, description="YYYY-MM", required=True)


class OversightTotalsOutput(serializers.Serializer):
    receptions = serializers.IntegerField()
    guests = serializers.IntegerField()
    accompanying = serializers.IntegerField()
    cost_total = serializers.CharField(help_text="host-paid spending")
    guest_paid_total = serializers.CharField(help_text="what the guests paid themselves, shown apart")


class OversightChildOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    parent_code = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text="submitted, accepted, returned or missing")
    on_time = serializers.BooleanField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    report_id = serializers.IntegerField(allow_null=True)
    figures = ReportFiguresOutput(allow_null=True)


class OversightSummaryOutput(serializers.Serializer):
    period = serializers.CharField()
    expected = serializers.IntegerField()
    reported = serializers.IntegerField()
    on_time = serializers.IntegerField()
    totals = OversightTotalsOutput()
    children = OversightChildOutput(many=True)


class ReviewCommentInput(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OversightSummaryApi(TenantApi):
    """Expected vs reported vs on-time over every jurisdiction below this one (any depth, not this
    one), the totals of their current reports, and one row each (`figures` null where missing)."""

    roles = OVERSIGHT_READ_ROLES

    @extend_schema(operation_id="oversight_summary", parameters=[PERIOD_PARAM], responses=OversightSummaryOutput)
    @reporting_reads()
    def get(self, request: Request) -> Response:
        period = request.query_params.get("period", "")
        parse_period(period)
        return Response(oversight_summary(host=self.jurisdiction, period=period))


class OversightReportsApi(TenantApi, GenericAPIView):
    """Reports of the subtree, read-only: `?code=` one subordinate's (every version), `?period=`."""

    roles = OVERSIGHT_READ_ROLES
    serializer_class = DirectReportOutput
    queryset = Report.objects.none()  # the schema's model; rows come from the selector

    @extend_schema(
        operation_id="oversight_reports_list",
        parameters=[OpenApiParameter("code", str, required=True), OpenApiParameter("period", str)],
        responses=DirectReportOutput(many=True),
    )
    @reporting_reads()
    def get(self, request: Request) -> Response:
        child = subordinate(host=self.jurisdiction, code=request.query_params.get("code", ""))
        reports = jurisdiction_reports(jurisdiction=child)
        period = request.query_params.get("period")
        if period:
            parse_period(period)
            reports = reports.filter(period=period)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(DirectReportOutput(page, many=True).data)


class OversightReportApi(TenantApi):
    roles = OVERSIGHT_READ_ROLES

    @extend_schema(operation_id="oversight_reports_retrieve", responses=DirectReportOutput)
    @reporting_reads()
    def get(self, request: Request, report_id: int) -> Response:
        return Response(DirectReportOutput(subtree_report(host=self.jurisdiction, report_id=report_id)).data)


class _ReviewApi(TenantApi):
    roles = REVIEW_ROLES
    accept = True

    def post(self, request: Request, report_id: int) -> Response:
        data = valid(ReviewCommentInput, request.data)
        report = report_review(
            actor=request.user,  # type: ignore[arg-type]
            reviewer=self.jurisdiction,
            report_id=report_id,
            accept=self.accept,
            comment=data["comment"],
        )
        return Response(DirectReportOutput(subtree_report(host=self.jurisdiction, report_id=report.pk)).data)


class OversightReportAcceptApi(_ReviewApi):
    """Accept a direct subordinate's submitted report; it is then locked."""

    accept = True

    @extend_schema(operation_id="oversight_reports_accept", request=ReviewCommentInput, responses=DirectReportOutput)
    def post(self, request: Request, report_id: int) -> Response:
        return super().post(request, report_id)


class OversightReportReturnApi(_ReviewApi):
    """Return a direct subordinate's report with a comment (required); it may be resubmitted."""

    accept = False

    @extend_schema(operation_id="oversight_reports_return", request=ReviewCommentInput, responses=DirectReportOutput)
    def post(self, request: Request, report_id: int) -> Response:
        return super().post(request, report_id)
