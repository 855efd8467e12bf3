"""Supervision of subordinates: inspections with their five-area checklists (superior's host)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import InvalidInput, NotFound
from reporting import inspections as services
from reporting.api import STATISTICS_ROLES, ReportingApi
from reporting.local.models import Area, ChecklistItem, Inspection, Result
from tenants.models import Role
from tenants.web import valid

WRITERS = frozenset({Role.ADMIN, Role.SUPERVISOR})


class ChecklistItemOutput(serializers.ModelSerializer):
    area_label = serializers.CharField(source="get_area_display")

    class Meta:
        model = ChecklistItem
        fields = ["area", "area_label", "result", "finding", "follow_up", "follow_up_due", "resolved", "version"]


class InspectionOutput(serializers.ModelSerializer):
    items = ChecklistItemOutput(many=True)
    open_follow_ups = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "subordinate_code",
            "subordinate_name",
            "title",
            "inspected_on",
            "status",
            "summary",
            "version",
            "created_at",
            "closed_at",
            "items",
            "open_follow_ups",
        ]

    def get_open_follow_ups(self, inspection: Inspection) -> int:
        return sum(1 for i in inspection.items.all() if i.result == Result.ISSUES and not i.resolved)


class InspectionInput(serializers.Serializer):
    subordinate_code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": _("辖区代码应为六位数字。")})
    title = serializers.CharField(max_length=200)
    inspected_on = serializers.DateField()


class ChecklistItemInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=Result.choices, required=False)
    finding = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    follow_up = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    follow_up_due = serializers.DateField(required=False, allow_null=True)
    resolved = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, min_value=1)


class InspectionCloseInput(serializers.Serializer):
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class InspectionsApi(ReportingApi):
    roles_by_method = {"GET": STATISTICS_ROLES, "POST": WRITERS}

    @extend_schema(
        operation_id="inspections_list",
        parameters=[OpenApiParameter("subordinate", str, description="a subordinate's code")],
        responses=InspectionOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("subordinate") or None
        if code is not None and not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise InvalidInput(_("辖区代码应为六位数字。"), field="subordinate", code="invalid_code")
        rows = services.inspection_list(subordinate_code=code)
        return Response(InspectionOutput(rows, many=True).data)

    @extend_schema(operation_id="inspections_create", request=InspectionInput, responses={201: InspectionOutput})
    def post(self, request: Request) -> Response:
        data = valid(InspectionInput, request.data)
        inspection = services.inspection_create(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            **data,
        )
        return Response(InspectionOutput(inspection).data, status=status.HTTP_201_CREATED)


class InspectionApi(ReportingApi):
    @extend_schema(operation_id="inspections_read", responses=InspectionOutput)
    def get(self, request: Request, inspection_id: int) -> Response:
        return Response(InspectionOutput(services.inspection_detail(inspection_id)).data)


class ChecklistItemApi(ReportingApi):
    roles_by_method = {"PATCH": WRITERS}

    @extend_schema(operation_id="inspections_item_update", request=ChecklistItemInput, responses=InspectionOutput)
    def patch(self, request: Request, inspection_id: int, area: str) -> Response:
        if area not in Area.values:
            raise NotFound(_("检查事项不存在。"))
        data = valid(ChecklistItemInput, request.data)
        changes: dict[str, Any] = dict(data)
        version = changes.pop("version", None)
        services.checklist_update(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            inspection_id=inspection_id,
            area=area,
            changes=changes,
            version=version,
        )
        return Response(InspectionOutput(services.inspection_detail(inspection_id)).data)


class InspectionCloseApi(ReportingApi):
    roles = WRITERS

    @extend_schema(operation_id="inspections_close", request=InspectionCloseInput, responses=InspectionOutput)
    def post(self, request: Request, inspection_id: int) -> Response:
        data = valid(InspectionCloseInput, request.data)
        inspection = services.inspection_close(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            inspection_id=inspection_id,
            summary=data["summary"],
        )
        return Response(InspectionOutput(inspection).data)
