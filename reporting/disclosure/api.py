"""Annual disclosure and the chronicle (大事记) (tenant host)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.db.replica import reporting_reads
from reporting.common.api import STATISTICS_ROLES, CsvRenderer, ReportingApi, XlsxRenderer, attachment, year_param
from reporting.disclosure import selectors, services
from reporting.local.models import ChronicleEntry
from reporting.statistics.exports import CSV, XLSX
from tenants.models import Role
from tenants.web import valid

WRITERS = frozenset({Role.ADMIN})


class DisclosureOutput(serializers.Serializer):
    year = serializers.IntegerField()
    cost_total = serializers.CharField(help_text="host-paid reception spending, decimal string, yuan")
    guest_paid_total = serializers.CharField(help_text="what the guests paid themselves (not reception spending)")
    receptions = serializers.IntegerField()
    guests = serializers.IntegerField(help_text="人次")


class DisclosureApi(ReportingApi):
    """The year's figures for publication: the jurisdiction's own receptions held that year."""

    @extend_schema(
        operation_id="disclosure",
        parameters=[OpenApiParameter("year", int, description="YYYY (default: this year)")],
        responses=DisclosureOutput,
    )
    @reporting_reads()
    def get(self, request: Request) -> Response:
        return Response(selectors.disclosure(year=year_param(request.query_params)))


class ChronicleOutput(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task_id", allow_null=True, read_only=True)

    class Meta:
        model = ChronicleEntry
        fields = ["id", "date", "title", "body", "task", "generated", "version", "created_at", "updated_at"]


class ChronicleInput(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ChroniclePatch(serializers.Serializer):
    date = serializers.DateField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)


class ChronicleApi(ReportingApi):
    """The chronicle, newest first (`?year=`); `format=xlsx|csv` exports it. Admins add entries."""

    roles_by_method = {"GET": STATISTICS_ROLES, "POST": WRITERS}
    renderer_classes = [JSONRenderer, XlsxRenderer, CsvRenderer]

    @extend_schema(
        operation_id="chronicle_list",
        parameters=[OpenApiParameter("year", int), OpenApiParameter("format", str, enum=["json", "xlsx", "csv"])],
        responses={200: ChronicleOutput(many=True), (200, XLSX): OpenApiTypes.BINARY},
    )
    @reporting_reads()
    def get(self, request: Request) -> Response | HttpResponse:
        year = year_param(request.query_params) if request.query_params.get("year") else None
        entries = selectors.chronicle_entries(year=year)
        file_format = getattr(request.accepted_renderer, "format", "json")
        name = f"chronicle-{year or 'all'}.{file_format}"
        if file_format == "xlsx":
            title = _("%(name)s公务接待大事记") % {"name": self.jurisdiction.name}
            if year:
                title += _("（%(year)s年）") % {"year": year}
            return attachment(selectors.chronicle_xlsx(entries, title=title), XLSX, name)
        if file_format == "csv":
            return attachment(selectors.chronicle_csv(entries), CSV, name)
        return Response(ChronicleOutput(entries, many=True).data)

    @extend_schema(operation_id="chronicle_create", request=ChronicleInput, responses={201: ChronicleOutput})
    def post(self, request: Request) -> Response:
        data = valid(ChronicleInput, request.data)
        entry = services.chronicle_create(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            **data,
        )
        return Response(ChronicleOutput(entry).data, status=status.HTTP_201_CREATED)


class ChronicleGenerateInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class ChronicleGenerateApi(ReportingApi):
    """Entries for the year's settled receptions that have none yet (safe to repeat)."""

    roles = WRITERS

    @extend_schema(
        operation_id="chronicle_generate", request=ChronicleGenerateInput, responses=ChronicleOutput(many=True)
    )
    def post(self, request: Request) -> Response:
        data = valid(ChronicleGenerateInput, request.data)
        created = services.chronicle_generate(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            year=data["year"],
        )
        return Response(ChronicleOutput(created, many=True).data)


class ChronicleEntryApi(ReportingApi):
    roles_by_method = {"GET": STATISTICS_ROLES, "PATCH": WRITERS, "DELETE": WRITERS}

    @extend_schema(operation_id="chronicle_read", responses=ChronicleOutput)
    def get(self, request: Request, entry_id: int) -> Response:
        return Response(ChronicleOutput(selectors.chronicle_entry(entry_id)).data)

    @extend_schema(operation_id="chronicle_update", request=ChroniclePatch, responses=ChronicleOutput)
    def patch(self, request: Request, entry_id: int) -> Response:
        data = valid(ChroniclePatch, request.data)
        changes: dict[str, Any] = dict(data)
        version = changes.pop("version", None)
        entry = services.chronicle_update(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            entry_id=entry_id,
            changes=changes,
            version=version,
        )
        return Response(ChronicleOutput(entry).data)

    @extend_schema(
        operation_id="chronicle_delete",
        parameters=[OpenApiParameter("version", int)],
        responses={204: None},
    )
    def delete(self, request: Request, entry_id: int) -> Response:
        raw = request.query_params.get("version")
        if raw is not None and not raw.isdigit():
            raise serializers.ValidationError({"version": [_("版本号应为正整数。")]})
        services.chronicle_delete(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            entry_id=entry_id,
            version=int(raw) if raw is not None else None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
