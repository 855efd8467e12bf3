"""The plan through the API: guests, accompanying staff and items of a task (drafter)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reception.api.base import ReceptionApi, split_version, valid
from reception.api.serializers import (
    MAX_BATCH,
    GuestInput,
    GuestOutput,
    ItemInput,
    ItemOutput,
    StaffInput,
    StaffOutput,
    VersionInput,
)
from reception.models.tasks import PLAN_ROLES
from reception.services import plans


class PlanCollectionApi(ReceptionApi):
    """POST one object or a list of them (at most 200) → 201 with what was created."""

    roles = PLAN_ROLES
    input_class: type[serializers.Serializer]
    output_class: type[serializers.Serializer]
    create: Callable[..., list[Any]]
    allow_list = True

    def post(self, request: Request, task_id: int) -> Response:
        many = self.allow_list and isinstance(request.data, list)
        kwargs: dict[str, Any] = {"many": True, "max_length": MAX_BATCH, "allow_empty": False} if many else {}
        data = valid(self.input_class, request.data, **kwargs)
        rows = [split_version(row)[0] for row in (data if many else [data])]
        created = type(self).create(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, rows=rows)
        body = self.output_class(created, many=True).data if many else self.output_class(created[0]).data
        return Response(body, status=status.HTTP_201_CREATED)


class PlanObjectApi(ReceptionApi):
    """PATCH (optionally with `version`; stale → 409) and DELETE (optional `?version=`)."""

    roles = PLAN_ROLES
    input_class: type[serializers.Serializer]
    output_class: type[serializers.Serializer]
    update: Callable[..., Any]
    delete_one: Callable[..., None]

    def patch(self, request: Request, task_id: int, object_id: int) -> Response:
        changes, version = split_version(valid(self.input_class, request.data, partial=True))
        obj = type(self).update(
            actor=request.user,
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            object_id=object_id,
            changes=changes,
            version=version,
        )
        return Response(self.output_class(obj).data)

    def delete(self, request: Request, task_id: int, object_id: int) -> Response:
        version = valid(VersionInput, request.query_params).get("version")
        type(self).delete_one(
            actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, object_id=object_id, version=version
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _one_or_many(name: str, serializer: type[serializers.Serializer]) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer, serializer(many=True)],
        resource_type_field_name=None,
        many=False,
    )


def _add_guests(*, rows: list[dict[str, Any]], **kw: Any) -> list[Any]:
    return plans.guests_add(guests=rows, **kw)


def _add_staff(*, rows: list[dict[str, Any]], **kw: Any) -> list[Any]:
    return plans.staff_add(staff=rows, **kw)


def _add_item(*, rows: list[dict[str, Any]], **kw: Any) -> list[Any]:
    return [plans.item_add(fields=rows[0], **kw)]


@extend_schema_view(
    post=extend_schema(
        operation_id="tasks_guests_create",
        request=_one_or_many("GuestInputOneOrMany", GuestInput),
        responses={201: _one_or_many("GuestOutputOneOrMany", GuestOutput)},
    )
)
class TaskGuestsApi(PlanCollectionApi):
    input_class, output_class, create = GuestInput, GuestOutput, staticmethod(_add_guests)


@extend_schema_view(
    patch=extend_schema(operation_id="tasks_guests_partial_update", request=GuestInput, responses=GuestOutput),
    delete=extend_schema(operation_id="tasks_guests_destroy", parameters=[VersionInput], responses={204: None}),
)
class TaskGuestApi(PlanObjectApi):
    input_class, output_class = GuestInput, GuestOutput
    update = staticmethod(lambda object_id, **kw: plans.guest_update(guest_id=object_id, **kw))
    delete_one = staticmethod(lambda object_id, **kw: plans.guest_delete(guest_id=object_id, **kw))


@extend_schema_view(
    post=extend_schema(
        operation_id="tasks_accompanying_create",
        request=_one_or_many("StaffInputOneOrMany", StaffInput),
        responses={201: _one_or_many("StaffOutputOneOrMany", StaffOutput)},
    )
)
class TaskStaffApi(PlanCollectionApi):
    input_class, output_class, create = StaffInput, StaffOutput, staticmethod(_add_staff)


@extend_schema_view(
    patch=extend_schema(operation_id="tasks_accompanying_partial_update", request=StaffInput, responses=StaffOutput),
    delete=extend_schema(operation_id="tasks_accompanying_destroy", parameters=[VersionInput], responses={204: None}),
)
class TaskStaffMemberApi(PlanObjectApi):
    input_class, output_class = StaffInput, StaffOutput
    update = staticmethod(lambda object_id, **kw: plans.staff_update(staff_id=object_id, **kw))
    delete_one = staticmethod(lambda object_id, **kw: plans.staff_delete(staff_id=object_id, **kw))


@extend_schema_view(
    post=extend_schema(operation_id="tasks_items_create", request=ItemInput, responses={201: ItemOutput}),
)
class TaskItemsApi(PlanCollectionApi):
    input_class, output_class, create = ItemInput, ItemOutput, staticmethod(_add_item)
    allow_list = False


@extend_schema_view(
    patch=extend_schema(operation_id="tasks_items_partial_update", request=ItemInput, responses=ItemOutput),
    delete=extend_schema(operation_id="tasks_items_destroy", parameters=[VersionInput], responses={204: None}),
)
class TaskItemApi(PlanObjectApi):
    input_class, output_class = ItemInput, ItemOutput
    update = staticmethod(lambda object_id, **kw: plans.item_update(item_id=object_id, **kw))
    delete_one = staticmethod(lambda object_id, **kw: plans.item_delete(item_id=object_id, **kw))
