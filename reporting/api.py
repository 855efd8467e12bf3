"""Statistics API (tenant host; admin, finance, supervisor; ancestors' admins and supervisors read):
`GET statistics/` (JSON, `format=xlsx|csv`), export jobs, and the yearly PDF report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.dates import check_date
from core.db.replica import reporting_reads
from core.errors import Conflict, NotFound
from reporting.exports import CSV, FORMATS, XLSX, export_create, file_bytes, filename
from reporting.local.models import ExportJob, ExportStatus
from reporting.pdf import report_pdf
from reporting.statistics import GroupBy, Scope, own_satisfaction, statistics
from tenants.models import Role
from tenants.web import TenantApi

#: Who reads statistics, exports, reports, warnings and the disclosure.
STATISTICS_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.SUPERVISOR})
MAX_RANGE_DAYS = 366 * 10


class FileRenderer(BaseRenderer):
    """Lets DRF accept `?format=xlsx|csv`; the views answer those with a file themselves."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return JSONRenderer().render(data)


class XlsxRenderer(FileRenderer):
    media_type = XLSX
    format = "xlsx"


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class ReportingApi(TenantApi):
    """A reporting view on a tenant host, behind the one permission layer."""

    roles = STATISTICS_ROLES

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)
        except (exceptions.NotFound, Http404) as exc:  # an unknown ?format= is bad input, not a missing page
            raise exceptions.ValidationError({"format": [_("格式只能是 xlsx 或 csv。")]}) from exc

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON whatever file format was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


def _date(name: str, raw: str | None, default: dt.date) -> dt.date:
    if raw in (None, ""):
        return default
    try:
        value = dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise exceptions.ValidationError({name: [_("日期格式应为 YYYY-MM-DD。")]}) from exc
    try:
        return check_date(value)
    except exceptions.ValidationError as exc:
        raise exceptions.ValidationError({name: exc.detail}) from None


def date_range(params: Any) -> tuple[dt.date, dt.date]:
    """`from` and `to` (both included); the current year when absent. 400 on bad input."""
    today = timezone.localdate()
    start = _date("from", params.get("from"), dt.date(today.year, 1, 1))
    end = _date("to", params.get("to"), dt.date(today.year, 12, 31))
    if end < start:
        raise exceptions.ValidationError({"to": [_("结束日期不能早于开始日期。")]})
    if (end - start).days > MAX_RANGE_DAYS:
        raise exceptions.ValidationError({"to": [_("统计区间最长十年。")]})
    return start, end


def choice(params: Any, name: str, choices: Any, default: str | None) -> str | None:
    value = params.get(name) or default
    if value is not None and value not in set(choices):
        raise exceptions.ValidationError(
            {name: [_("无效的取值“%(value)s”，可选：%(choices)s。") % {"value": value, "choices": ", ".join(choices)}]}
        )
    return value


def statistics_params(params: Any) -> dict[str, Any]:
    start, end = date_range(params)
    group_by = choice(params, "group_by", [g.value for g in GroupBy], GroupBy.MONTH)
    scope = choice(params, "scope", [s.value for s in Scope], None)
    return {"start": start, "end": end, "group_by": group_by, "scope": scope}


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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


def year_param(params: Any, *, required: bool = False) -> int:
    raw = params.get("year")
    if raw in (None, ""):
        if required:
            raise exceptions.ValidationError({"year": [_("请指定年度（YYYY）。")]})
        return timezone.localdate().year
    if not str(raw).isdigit() or not 2000 <= int(raw) <= 2100:
        raise exceptions.ValidationError({"year": [_("年度应为 2000 至 2100 之间的四位数字。")]})
    return int(raw)


def month_param(params: Any) -> int | None:
    raw = params.get("month")
    if raw in (None, ""):
        return None
    if not str(raw).isdigit() or not 1 <= int(raw) <= 12:
        raise exceptions.ValidationError({"month": [_("月份应为 1 至 12。")]})
    return int(raw)


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
