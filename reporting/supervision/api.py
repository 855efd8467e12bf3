"""The supervision API: current early warnings, annual budgets, inspections."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import InvalidInput, NotFound
from reporting.common.api import STATISTICS_ROLES, ReportingApi
from reporting.local.models import Area, ChecklistItem, Inspection, ReceptionBudget, Result
from reporting.supervision import selectors, services
from reporting.supervision.selectors import budget_status, budgets_with_spending, current_warnings
from reporting.supervision.services import budget_set
from tenants.models import Role
from tenants.web import valid


class WarningOutput(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    task = serializers.IntegerField(help_text="the task's id")
    task_title = serializers.CharField()
    message = serializers.CharField()


class WarningsApi(ReportingApi):
    """The current findings of every task that is not cancelled, drafts included."""

    @extend_schema(operation_id="warnings", responses=WarningOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response([w.as_json() for w in current_warnings(jurisdiction=self.jurisdiction)])


class BudgetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = ReceptionBudget
        fields = ["year", "amount", "updated_at"]
        read_only_fields = ["updated_at"]
        validators: list[Any] = []


class BudgetOutput(serializers.Serializer):
    """A year's budget with what it counts as spent so far (`reporting.supervision.selectors`, the same figure
    as the budget page and the annual early warning)."""

    year = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    share = serializers.FloatField(allow_null=True, help_text="spent as a percentage of amount")
    updated_at = serializers.DateTimeField()


class BudgetsApi(ReportingApi):
    """The annual reception budget (a tenant setting): list; set a year's amount (admin, finance)."""

    roles_by_method = {"GET": STATISTICS_ROLES, "POST": frozenset({Role.ADMIN, Role.FINANCE})}

    @extend_schema(operation_id="reception_budgets_list", responses=BudgetOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(BudgetOutput(budgets_with_spending(), many=True).data)

    @extend_schema(operation_id="reception_budgets_set", request=BudgetSerializer, responses=BudgetOutput)
    def post(self, request: Request) -> Response:
        serializer = BudgetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = budget_set(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            year=serializer.validated_data["year"],
            amount=serializer.validated_data["amount"],
        )
        return Response(BudgetOutput(budget_status(budget.year)).data)


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
        rows = selectors.inspection_list(subordinate_code=code)
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
        return Response(InspectionOutput(selectors.inspection_detail(inspection_id)).data)


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
        return Response(InspectionOutput(selectors.inspection_detail(inspection_id)).data)


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
