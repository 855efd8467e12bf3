"""Early warning and the annual reception budget (tenant host)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from reporting.api import STATISTICS_ROLES, ReportingApi
from reporting.budgets import budget_status, budgets_with_spending
from reporting.local.models import ReceptionBudget
from reporting.warnings import budget_set, current_warnings
from tenants.models import Role


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
    """A year's budget with what it counts as spent so far (`reporting.budgets`, the same figure
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
