"""Seating charts through the API: generate, read, swap seats, print; the side convention."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.db.replica import reporting_reads
from reception import seating
from reception.api.base import ReceptionApi, valid
from reception.models import Layout, Side
from reception.seating_pdf import seating_pdf_response
from reception.selectors import meetings as reads
from reception.services import seating as seating_services
from reception.services.arrangements import ARRANGE_ROLES
from tenants.models import ALL_ROLES, Role


class GenerateInput(serializers.Serializer):
    layout = serializers.ChoiceField(choices=Layout.choices)
    side = serializers.ChoiceField(
        choices=Side.choices, required=False, help_text="the senior side as the principal sees it (podium)"
    )
    row_size = serializers.IntegerField(required=False, min_value=1, max_value=seating.MAX_ROW_SIZE)
    table_size = serializers.IntegerField(
        required=False, min_value=seating.MIN_TABLE_SIZE, max_value=seating.MAX_TABLE_SIZE
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        wrong = "table_size" if attrs["layout"] == Layout.PODIUM else "row_size"
        if wrong in attrs:
            raise serializers.ValidationError({wrong: [_("不适用于该形式。")]})
        attrs["group_size"] = attrs.pop("row_size", None) or attrs.pop("table_size", None)
        return attrs


class SeatRef(serializers.Serializer):
    group = serializers.IntegerField(min_value=1, help_text="the row (podium) or table (banquet)")
    index = serializers.IntegerField(min_value=0)


class SwapInput(serializers.Serializer):
    layout = serializers.ChoiceField(choices=Layout.choices)
    a = SeatRef()
    b = SeatRef()
    version = serializers.IntegerField(required=False, min_value=1)


class SeatOutput(serializers.Serializer):
    index = serializers.IntegerField(help_text="podium: from the audience's left; banquet: from the chief host")
    rank = serializers.IntegerField()
    name = serializers.CharField()
    guest = serializers.IntegerField(allow_null=True)
    row = serializers.IntegerField(required=False, help_text="podium: 1 is the front row")
    table = serializers.IntegerField(required=False, help_text="banquet: 1 is the main table")


class HostOutput(serializers.Serializer):
    table = serializers.IntegerField()
    index = serializers.IntegerField()
    role = serializers.ChoiceField(choices=[seating.CHIEF_HOST, seating.DEPUTY_HOST])
    name = serializers.CharField(allow_blank=True)


class TableOutput(serializers.Serializer):
    number = serializers.IntegerField()
    x = serializers.IntegerField(help_text="to the audience's right of the main table")
    y = serializers.IntegerField(help_text="rows behind the main table")


class ChartOutput(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    layout = serializers.CharField()
    side = serializers.CharField()
    group_size = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, help_text="null: a preview, not saved")
    stale = serializers.BooleanField(help_text="the guest list changed since the chart was saved")
    seats = SeatOutput(many=True)
    hosts = HostOutput(many=True)
    tables = TableOutput(many=True)


def chart_body(chart: reads.ChartView) -> dict[str, Any]:
    group = "row" if chart.layout == Layout.PODIUM else "table"
    seats = [{**{k: v for k, v in s.items() if k != "group"}, group: s["group"]} for s in chart.seats]
    hosts = [{"table": h["group"], "index": h["index"], "role": h["role"], "name": h["name"]} for h in chart.hosts]
    tables = [{"number": t.number, "x": t.x, "y": t.y} for t in chart.tables]
    return ChartOutput(
        {
            "id": chart.id,
            "layout": chart.layout,
            "side": chart.side,
            "group_size": chart.group_size,
            "version": chart.version,
            "stale": chart.stale,
            "seats": seats,
            "hosts": hosts,
            "tables": tables,
        }
    ).data


LAYOUT = OpenApiParameter("layout", str, enum=Layout.values, description="default: podium")


def _layout(request: Request, default: str) -> str:
    layout = request.query_params.get("layout") or default
    if layout not in Layout.values:
        raise serializers.ValidationError({"layout": [_("形式应为 podium 或 banquet。")]})
    return layout


class SeatingApi(ReceptionApi):
    """GET the saved chart of a layout (a preview from the guests when none is saved); POST
    generates and saves it from the task's guests (rank by grade, then list order)."""

    roles_by_method = {"GET": ALL_ROLES, "POST": ARRANGE_ROLES}

    @extend_schema(operation_id="tasks_seating_retrieve", parameters=[LAYOUT], responses=ChartOutput)
    def get(self, request: Request, task_id: int) -> Response:
        return Response(chart_body(reads.seating_chart(reads.task_row(task_id), _layout(request, Layout.PODIUM))))

    @extend_schema(operation_id="tasks_seating_create", request=GenerateInput, responses={201: ChartOutput})
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(GenerateInput, request.data)
        chart = seating_services.seating_generate(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            **data,
        )
        view = reads.seating_chart(chart.task, chart.layout)
        return Response(chart_body(view), status=status.HTTP_201_CREATED)


class SeatingSwapApi(ReceptionApi):
    """Exchange two seats' occupants (`{group, index}` each); a free banquet seat takes a guest."""

    roles = ARRANGE_ROLES

    @extend_schema(operation_id="tasks_seating_swap", request=SwapInput, responses=ChartOutput)
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(SwapInput, request.data)
        chart = seating_services.seating_swap(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            layout=data["layout"],
            a=(data["a"]["group"], data["a"]["index"]),
            b=(data["b"]["group"], data["b"]["index"]),
            version=data.get("version"),
        )
        return Response(chart_body(reads.seating_chart(chart.task, chart.layout)))


class SeatingPdfApi(ReceptionApi):
    """The chart printed with names (the layout saved last when none is asked for)."""

    roles = ALL_ROLES

    @extend_schema(
        operation_id="tasks_seating_pdf", parameters=[LAYOUT], responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    @reporting_reads()
    def get(self, request: Request, task_id: int) -> HttpResponse:
        task = reads.task_row(task_id)
        return seating_pdf_response(task, _layout(request, reads.latest_chart_layout(task)))


class ConventionInput(serializers.Serializer):
    senior_side = serializers.ChoiceField(choices=Side.choices)
    version = serializers.IntegerField(required=False, min_value=1)


class ConventionOutput(serializers.Serializer):
    senior_side = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)


class SeatingConventionApi(ReceptionApi):
    """The jurisdiction's podium side (`left`: the principal's left is senior, domestic practice;
    `right`: mirrored). Every member reads it; the admin sets it."""

    roles_by_method = {"GET": ALL_ROLES, "PUT": {Role.ADMIN}}

    @extend_schema(operation_id="seating_convention_retrieve", responses=ConventionOutput)
    def get(self, request: Request) -> Response:
        convention = reads.seating_convention()
        version = convention.version if convention else None
        return Response({"senior_side": reads.convention_side(), "version": version})

    @extend_schema(operation_id="seating_convention_update", request=ConventionInput, responses=ConventionOutput)
    def put(self, request: Request) -> Response:
        data = valid(ConventionInput, request.data)
        convention = seating_services.seating_convention_set(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            **data,
        )
        return Response({"senior_side": convention.senior_side, "version": convention.version})
