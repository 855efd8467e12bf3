"""The statistics API: figures, exports (Celery jobs) and the PDF report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.db.replica import reporting_reads
from core.errors import Conflict, NotFound
from reporting.common.api import (
    CsvRenderer,
    ReportingApi,
    XlsxRenderer,
    attachment,
    choice,
    date_range,
    month_param,
    year_param,
)
from reporting.local.models import ExportJob, ExportStatus
from reporting.statistics.exports import CSV, FORMATS, XLSX, file_bytes, filename
from reporting.statistics.pdf import report_pdf
from reporting.statistics.selectors import GroupBy, Scope, own_satisfaction, statistics
from reporting.statistics.services import export_create


def statistics_params(params: Any) -> dict[str, Any]:
    start, end = date_range(params)
    group_by = choice(params, "group_by", [g.value for g in GroupBy], GroupBy.MONTH)
    scope = choice(params, "scope", [s.value for s in Scope], None)
    return {"start": start, "end": end, "group_by": group_by, "scope": scope}


class KindAmounts(serializers.Serializer):
    meal = serializers.CharField()
    lodging = serializers.CharField()
    vehicle = serializers.CharField()
    meeting = serializers.CharField()
    visit = serializers.CharField()


class TotalsOutput(serializers.Serializer):
    receptions = serializers.IntegerField()
    guests = serializers.IntegerField(help_text="人次")
    accompanying = serializers.IntegerField()
    cost_total = serializers.CharField(help_text="host-paid spending, decimal string, yuan")
    cost_by_kind = KindAmounts()
    guest_paid_total = serializers.CharField(help_text="what the guests paid themselves, shown apart")
    average_per_guest = serializers.CharField(allow_null=True)
    over_standard = serializers.IntegerField()


class RowOutput(TotalsOutput):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class SatisfactionOutput(serializers.Serializer):
    evaluations = serializers.IntegerField()
    average = serializers.CharField(allow_null=True, help_text="1–5, one decimal; null without evaluations")


class StatisticsOutput(serializers.Serializer):
    group_by = serializers.CharField()
    scope = serializers.ChoiceField(choices=[s.value for s in Scope])
    rows = RowOutput(many=True)
    totals = TotalsOutput()
    satisfaction = SatisfactionOutput(help_text="evaluations of this jurisdiction's own receptions held in the range")


RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default: 1 January this year)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day, included (default: 31 December)"),
]


class StatisticsApi(ReportingApi):
    """Receptions, 人次, accompanying and costs of the receptions held, grouped."""

    renderer_classes = [JSONRenderer, XlsxRenderer, CsvRenderer]

    @extend_schema(
        operation_id="statistics",
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("group_by", str, enum=[g.value for g in GroupBy]),
            OpenApiParameter("scope", str, enum=[s.value for s in Scope], description="own data or the subtree too"),
            OpenApiParameter("format", str, enum=["json", *FORMATS]),
        ],
        responses={200: StatisticsOutput, (200, XLSX): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR},
    )
    @reporting_reads()
    def get(self, request: Request) -> Response | HttpResponse:
        params = statistics_params(request.query_params)
        data = statistics(jurisdiction=self.jurisdiction, **params).as_json()
        file_format = getattr(request.accepted_renderer, "format", "json")
        if file_format in FORMATS:
            content = file_bytes(data, file_format, jurisdiction_name=self.jurisdiction.name)
            return attachment(content, XLSX if file_format == "xlsx" else CSV, filename(data, file_format))
        data["satisfaction"] = own_satisfaction(params["start"], params["end"]).as_json()
        return Response(data)


class ExportInput(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=[g.value for g in GroupBy], default=GroupBy.MONTH)
    format = serializers.ChoiceField(choices=list(FORMATS), default="xlsx")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields


class ExportOutput(serializers.ModelSerializer):
    format = serializers.CharField(source="file_format")
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "status", "progress", "format", "params", "error", "created_at", "finished_at", "download"]

    def get_download(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return f"/api/v1/statistics/exports/{job.pk}/download/"


class ExportsApi(ReportingApi):
    """Export jobs: large statistics exports (with one line per reception) built by Celery."""

    @extend_schema(operation_id="statistics_exports_list", responses=ExportOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(ExportOutput(ExportJob.objects.order_by("-created_at")[:50], many=True).data)

    @extend_schema(operation_id="statistics_exports_create", request=ExportInput, responses={201: ExportOutput})
    def post(self, request: Request) -> Response:
        serializer = ExportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in serializer.validated_data.items()}
        start, end = date_range(values)
        job = export_create(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            start=start,
            end=end,
            group_by=values["group_by"],
            file_format=values["format"],
        )
        return Response(ExportOutput(job).data, status=status.HTTP_201_CREATED)


def _job(job_id: Any) -> ExportJob:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("导出任务不存在。"))
    return job


class ExportApi(ReportingApi):
    @extend_schema(operation_id="statistics_export", responses=ExportOutput)
    def get(self, request: Request, job_id: Any) -> Response:
        return Response(ExportOutput(_job(job_id)).data)


class ExportDownloadApi(ReportingApi):
    @extend_schema(operation_id="statistics_export_download", responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request: Request, job_id: Any) -> FileResponse:
        job = _job(job_id)
        if job.status != ExportStatus.DONE or not job.file:
            raise Conflict(_("导出尚未完成。"), code="export_not_ready")
        name = f"statistics-{job.params.get('from')}-{job.params.get('to')}.{job.file_format}"
        return FileResponse(
            default_storage.open(job.file, "rb"),
            as_attachment=True,
            filename=name,
            content_type=XLSX if job.file_format == "xlsx" else CSV,
        )


class StatisticsReportPdfApi(ReportingApi):
    """The yearly (or, with `month`, monthly) report with charts, as a PDF."""

    @extend_schema(
        operation_id="statistics_report_pdf",
        parameters=[
            OpenApiParameter("year", int, description="YYYY (default: this year)"),
            OpenApiParameter("month", int, description="1–12: a monthly report instead"),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @reporting_reads()
    def get(self, request: Request) -> HttpResponse:
        year = year_param(request.query_params)
        month = month_param(request.query_params)
        content = report_pdf(jurisdiction=self.jurisdiction, year=year, month=month)
        name = f"statistics-{year}.pdf" if month is None else f"statistics-{year}-{month:02d}.pdf"
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
