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


def plan_apis(
    noun: str,
    input_class: type[serializers.Serializer],
    output_class: type[serializers.Serializer],
    *,
    create: Callable[..., list[Any]],
    update: Callable[..., Any],
    delete: Callable[..., None],
    allow_list: bool = True,
) -> tuple[type[PlanCollectionApi], type[PlanObjectApi]]:
    """The collection view (POST) and the object view (PATCH, DELETE) of one part of the plan."""
    name = input_class.__name__.removesuffix("Input")
    body: Any = _one_or_many(f"{name}InputOneOrMany", input_class) if allow_list else input_class
    answer: Any = _one_or_many(f"{name}OutputOneOrMany", output_class) if allow_list else output_class

    class Collection(PlanCollectionApi):
        pass

    class One(PlanObjectApi):
        pass

    Collection.input_class = One.input_class = input_class
    Collection.output_class = One.output_class = output_class
    Collection.create, Collection.allow_list = staticmethod(create), allow_list  # type: ignore[assignment]
    One.update, One.delete_one = staticmethod(update), staticmethod(delete)  # type: ignore[assignment]
    version = [VersionInput]
    return (
        extend_schema_view(
            post=extend_schema(operation_id=f"tasks_{noun}_create", request=body, responses={201: answer})
        )(Collection),
        extend_schema_view(
            patch=extend_schema(
                operation_id=f"tasks_{noun}_partial_update", request=input_class, responses=output_class
            ),
            delete=extend_schema(operation_id=f"tasks_{noun}_destroy", parameters=version, responses={204: None}),
        )(One),
    )


TaskGuestsApi, TaskGuestApi = plan_apis(
    "guests",
    GuestInput,
    GuestOutput,
    create=lambda rows, **kw: plans.guests_add(guests=rows, **kw),
    update=lambda object_id, **kw: plans.guest_update(guest_id=object_id, **kw),
    delete=lambda object_id, **kw: plans.guest_delete(guest_id=object_id, **kw),
)
TaskStaffApi, TaskStaffMemberApi = plan_apis(
    "accompanying",
    StaffInput,
    StaffOutput,
    create=lambda rows, **kw: plans.staff_add(staff=rows, **kw),
    update=lambda object_id, **kw: plans.staff_update(staff_id=object_id, **kw),
    delete=lambda object_id, **kw: plans.staff_delete(staff_id=object_id, **kw),
)
TaskItemsApi, TaskItemApi = plan_apis(
    "items",
    ItemInput,
    ItemOutput,
    create=lambda rows, **kw: [plans.item_add(fields=rows[0], **kw)],
    update=lambda object_id, **kw: plans.item_update(item_id=object_id, **kw),
    delete=lambda object_id, **kw: plans.item_delete(item_id=object_id, **kw),
    allow_list=False,
)
