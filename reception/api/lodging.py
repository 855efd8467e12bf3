"""Lodging allocation through the API: allocate a hotel's rooms, read the grids, move guests."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reception.api.base import ReceptionApi, valid
from reception.models import Guest
from reception.models.plans import RoomType
from reception.selectors import meetings as reads
from reception.services import lodging
from reception.services.arrangements import ARRANGE_ROLES
from tenants.models import ALL_ROLES


class RoomInput(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    type = serializers.ChoiceField(choices=RoomType.choices, default=RoomType.STANDARD)
    floor = serializers.IntegerField(required=False, min_value=-10, max_value=300)


class RatesInput(serializers.Serializer):
    standard = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    suite = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)


class AllocateInput(serializers.Serializer):
    provider = serializers.IntegerField(min_value=1)
    rooms = RoomInput(many=True, required=False, max_length=lodging.MAX_ROOMS)  # type: ignore[call-arg]
    check_in = serializers.DateField(required=False)
    check_out = serializers.DateField(required=False)
    rates = RatesInput(required=False)


class AssignmentOutput(serializers.Serializer):
    """One guest and their room (`room` null: no room left for them in this hotel)."""

    guest = serializers.CharField(help_text="the guest's name")
    guest_id = serializers.IntegerField()
    grade = serializers.CharField()
    unit = serializers.CharField()
    room = serializers.CharField(allow_null=True, help_text="the room's number")
    room_type = serializers.CharField(allow_null=True)
    floor = serializers.IntegerField(allow_null=True)


def assignment(guest: Guest, room: Any = None) -> dict[str, Any]:
    return {
        "guest": guest.name,
        "guest_id": guest.pk,
        "grade": guest.grade,
        "unit": guest.unit,
        "room": getattr(room, "number", None),
        "room_type": getattr(room, "room_type", None) or getattr(room, "type", None),
        "floor": getattr(room, "floor", None),
    }


class ConflictOutput(serializers.Serializer):
    code = serializers.CharField()
    room = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class GridRoomOutput(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField()
    floor = serializers.IntegerField()
    guest = serializers.CharField(source="guest.name", allow_null=True, default=None)
    guest_id = serializers.IntegerField(source="guest.pk", allow_null=True, default=None)
    grade = serializers.CharField(source="guest.grade", allow_null=True, default=None)
    unit = serializers.CharField(source="guest.unit", allow_null=True, default=None)
    conflict = serializers.CharField(allow_blank=True)


class HotelOutput(serializers.Serializer):
    provider = serializers.IntegerField(source="allocation.provider_id")
    name = serializers.CharField(source="allocation.provider.name")
    check_in = serializers.DateField(source="allocation.check_in")
    check_out = serializers.DateField(source="allocation.check_out")
    version = serializers.IntegerField(source="allocation.version")
    items = serializers.ListField(source="allocation.item_ids", child=serializers.IntegerField())
    rooms = GridRoomOutput(many=True)
    conflicts = ConflictOutput(many=True)


class UnassignedOutput(serializers.Serializer):
    guest_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    grade = serializers.CharField()
    unit = serializers.CharField()


class LodgingOutput(serializers.Serializer):
    hotels = HotelOutput(many=True)
    unassigned = UnassignedOutput(many=True)


class PlaceInput(serializers.Serializer):
    provider = serializers.IntegerField(min_value=1)
    guest = serializers.IntegerField(min_value=1)
    room = serializers.CharField(max_length=20, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)


def overview(task_id: int) -> Response:
    return Response(LodgingOutput(reads.lodging_overview(reads.task_row(task_id))).data)


class LodgingApi(ReceptionApi):
    """Every hotel's room grid (rooms, occupants, conflicts) and the guests lodged nowhere."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_lodging_retrieve", responses=LodgingOutput)
    def get(self, request: Request, task_id: int) -> Response:
        return overview(task_id)


class LodgingAllocateApi(ReceptionApi):
    """One click: the task's guests (those not lodged in another hotel) into this hotel's rooms,
    senior guests first, suites only for grades the standards allow, one unit on one floor when
    possible. Answers `[{guest, room}]`, most senior first; guests left without a room come last
    with `room: null`. Without `rooms`, the hotel's rooms from the resource library."""

    roles = ARRANGE_ROLES

    @extend_schema(operation_id="tasks_lodging_allocate", request=AllocateInput, responses=AssignmentOutput(many=True))
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(AllocateInput, request.data)
        result = lodging.lodging_allocate(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]
        rows = [assignment(guest, room) for guest, room in result.assigned]
        rows += [assignment(guest) for guest in result.unassigned]
        return Response(AssignmentOutput(rows, many=True).data)


class LodgingPlaceApi(ReceptionApi):
    """Put a guest in a room (its occupant takes the guest's old room, or none), or out (`room`
    null). A suite for a grade that may not have one: 400 `suite_not_allowed`."""

    roles = ARRANGE_ROLES

    @extend_schema(operation_id="tasks_lodging_place", request=PlaceInput, responses=LodgingOutput)
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(PlaceInput, request.data)
        lodging.lodging_place(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]
        return overview(task_id)


class LodgingHotelApi(ReceptionApi):
    """DELETE drops a hotel's allocation and the lodging items it wrote."""

    roles = ARRANGE_ROLES

    @extend_schema(operation_id="tasks_lodging_release", responses={204: None})
    def delete(self, request: Request, task_id: int, provider_id: int) -> Response:
        actor = request.user
        lodging.lodging_release(actor=actor, jurisdiction=self.jurisdiction, task_id=task_id, provider=provider_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
