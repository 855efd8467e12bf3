"""The tenant's standards: every version (newest first), the one in force, and a new version (admin)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reception import selectors
from reception.api.base import ReceptionApi, valid
from reception.models import MealType, ReceptionLevel
from reception.services.standards import MAX_WORD_LENGTH, MAX_WORDS, STANDARD_ROLES, standards_publish
from reception.standards import LIST_FIELDS, SCALAR_FIELDS, StandardValues
from tenants.models import ALL_ROLES


class CeilingSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ReceptionLevel.choices)
    meal_type = serializers.ChoiceField(choices=MealType.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


def _words(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=MAX_WORD_LENGTH), max_length=MAX_WORDS, **kwargs
    )


class LodgingCeilingSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ReceptionLevel.choices, help_text="the guests' grade")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, help_text="yuan per room-night")


class StandardOutput(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    effective_from = serializers.DateField(allow_null=True)
    meal_ceilings = CeilingSerializer(many=True)
    lodging_ceilings = LodgingCeilingSerializer(many=True)
    accompany_small_group_size = serializers.IntegerField()
    accompany_small_group_limit = serializers.IntegerField()
    accompany_ratio = serializers.IntegerField()
    working_meals_per_reception = serializers.IntegerField()
    meal_warning_percent = serializers.IntegerField()
    annual_budget_warning_percent = serializers.IntegerField()
    suite_grades = _words()
    banned_menu_words = _words()
    banned_activity_words = _words()


class StandardInput(serializers.Serializer):
    """A new version: what changes from the version in force on `effective_from` (today or later)."""

    effective_from = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    meal_ceilings = CeilingSerializer(many=True, required=False)
    lodging_ceilings = LodgingCeilingSerializer(many=True, required=False)
    accompany_small_group_size = serializers.IntegerField(required=False)
    accompany_small_group_limit = serializers.IntegerField(required=False)
    accompany_ratio = serializers.IntegerField(required=False)
    working_meals_per_reception = serializers.IntegerField(required=False)
    meal_warning_percent = serializers.IntegerField(required=False)
    annual_budget_warning_percent = serializers.IntegerField(required=False)
    suite_grades = serializers.ListField(
        child=serializers.ChoiceField(choices=ReceptionLevel.choices), max_length=10, required=False
    )
    banned_menu_words = _words(required=False)
    banned_activity_words = _words(required=False)


def standard_data(values: StandardValues) -> dict[str, Any]:
    return {
        "version": values.version,
        "effective_from": values.effective_from,
        "meal_ceilings": [
            {"level": level, "meal_type": meal_type, "amount": amount}
            for (level, meal_type), amount in sorted(values.meal_ceilings.items())
        ],
        "lodging_ceilings": [
            {"level": level, "amount": amount} for level, amount in sorted(values.lodging_ceilings.items())
        ],
        **{name: getattr(values, name) for name in SCALAR_FIELDS},
        **{
            name: sorted(values.suite_grades) if name == "suite_grades" else list(getattr(values, name))
            for name in LIST_FIELDS
        },
    }


class StandardsApi(ReceptionApi):
    """Every version, newest first; POST publishes a new one (admin), effective today or later."""

    roles_by_method = {"GET": ALL_ROLES, "POST": STANDARD_ROLES}

    @extend_schema(operation_id="standards_list", responses=StandardOutput(many=True))
    def get(self, request: Request) -> Response:
        versions = [selectors.standard_values(s) for s in selectors.standard_versions()]
        return Response(StandardOutput([standard_data(v) for v in versions], many=True).data)

    @extend_schema(operation_id="standards_create", request=StandardInput, responses={201: StandardOutput})
    def post(self, request: Request) -> Response:
        data = dict(valid(StandardInput, request.data))
        effective_from, note = data.pop("effective_from"), data.pop("note", "")
        if "meal_ceilings" in data:
            data["meal_ceilings"] = {(c["level"], c["meal_type"]): c["amount"] for c in data["meal_ceilings"]}
        if "lodging_ceilings" in data:
            data["lodging_ceilings"] = {c["level"]: c["amount"] for c in data["lodging_ceilings"]}
        standard = standards_publish(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            effective_from=effective_from,
            changes=data,
            note=note,
        )
        values = selectors.standard_values(selectors.standard_versions().get(pk=standard.pk))
        return Response(StandardOutput(standard_data(values)).data, status=status.HTTP_201_CREATED)


class StandardCurrentApi(ReceptionApi):
    """The version in force today (the built-in defaults, version null, when none is stored)."""

    roles = ALL_ROLES

    @extend_schema(operation_id="standards_current", responses=StandardOutput)
    def get(self, request: Request) -> Response:
        values = selectors.standard_values(selectors.standard_in_force(timezone.localdate()))
        return Response(StandardOutput(standard_data(values)).data)
