"""The resource library, the guest database (接待对象信息库) and suggestions for a task."""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import NotFound
from core.http import open_stored
from reception.api.base import ReceptionApi, split_version, valid
from reception.api.serializers import VersionInput
from reception.models import Guest, Resource, ResourceKind
from reception.models.common import TEXT_MAX
from reception.models.plans import RoomType
from reception.scopes import scope_of
from reception.selectors import library as library
from reception.selectors import meetings as reads
from reception.services import resources
from tenants.models import ALL_ROLES
from tenants.permissions import request_access

# --- Resources --------------------------------------------------------------------------------


class ResourceInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)  # type: ignore[assignment]
    provider = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10000)
    room_type = serializers.ChoiceField(choices=RoomType.choices, required=False, allow_blank=True)
    floor = serializers.IntegerField(required=False, allow_null=True, min_value=-10, max_value=300)
    image = serializers.FileField(required=False, max_length=200, allow_empty_file=True)
    version = serializers.IntegerField(required=False, min_value=1)


class ResourceOutput(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    parent_name = serializers.CharField(source="parent.name", allow_null=True, default=None)
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    room_type = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "address",
            "phone",
            "parent",
            "parent_name",
            "provider",
            "price",
            "capacity",
            "room_type",
            "floor",
            "image_url",
            "image_type",
            "image_size",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_room_type(self, resource: Resource) -> str | None:
        return resource.room_type or None

    def get_image_url(self, resource: Resource) -> str | None:
        return f"/api/v1/resources/{resource.pk}/image/" if resource.image else None


class ResourceDetailOutput(ResourceOutput):
    children = ResourceOutput(many=True, read_only=True)

    class Meta(ResourceOutput.Meta):
        fields = [*ResourceOutput.Meta.fields, "children"]


class ResourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)
    parent = django_filters.NumberFilter(field_name="parent_id")
    q = django_filters.CharFilter(method="search", max_length=100)

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return library.resources_matching(queryset, value)


class ResourcesApi(ReceptionApi, GenericAPIView):
    """The library, newest first (filter `kind`, `parent`; search `q` in name, description,
    address). POST (admin) adds an entry: JSON, or multipart with `image` for a floor plan."""

    roles_by_method = {"GET": ALL_ROLES, "POST": resources.RESOURCE_ROLES}
    filterset_class = ResourceFilter
    serializer_class = ResourceOutput

    def get_queryset(self) -> Any:
        return library.resource_list()

    @extend_schema(operation_id="resources_list", responses=ResourceOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ResourceOutput(page, many=True).data)

    @extend_schema(
        operation_id="resources_create",
        request={"application/json": ResourceInput, "multipart/form-data": ResourceInput},
        responses={201: ResourceDetailOutput},
    )
    def post(self, request: Request) -> Response:
        data, _version = split_version(valid(ResourceInput, request.data))
        resource = resources.resource_create(actor=request.user, jurisdiction=self.jurisdiction, **data)  # type: ignore[arg-type]
        return Response(ResourceDetailOutput(library.resource_detail(resource.pk)).data, status=status.HTTP_201_CREATED)


class ResourceApi(ReceptionApi):
    """One entry with what hangs under it; PATCH (admin, `version`; a new `image` for a floor
    plan) and DELETE (admin, optional `?version=`; its rooms, dishes and plans go with it)."""

    roles_by_method = {"GET": ALL_ROLES, "PATCH": resources.RESOURCE_ROLES, "DELETE": resources.RESOURCE_ROLES}

    @extend_schema(operation_id="resources_retrieve", responses=ResourceDetailOutput)
    def get(self, request: Request, resource_id: int) -> Response:
        return Response(ResourceDetailOutput(library.resource_detail(resource_id)).data)

    @extend_schema(
        operation_id="resources_partial_update",
        request={"application/json": ResourceInput, "multipart/form-data": ResourceInput},
        responses=ResourceDetailOutput,
    )
    def patch(self, request: Request, resource_id: int) -> Response:
        changes, version = split_version(valid(ResourceInput, request.data, partial=True))
        if "kind" in changes:
            raise serializers.ValidationError({"kind": [_("类别不能修改。")]})
        image = changes.pop("image", None)
        resources.resource_update(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            resource_id=resource_id,
            changes=changes,
            version=version,
            image=image,
        )
        return Response(ResourceDetailOutput(library.resource_detail(resource_id)).data)

    @extend_schema(operation_id="resources_destroy", parameters=[VersionInput], responses={204: None})
    def delete(self, request: Request, resource_id: int) -> Response:
        version = valid(VersionInput, request.query_params).get("version")
        resources.resource_delete(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            resource_id=resource_id,
            version=version,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResourceImageApi(ReceptionApi):
    """A floor plan's image, for members and overseers (never a public media URL)."""

    roles = ALL_ROLES

    @extend_schema(operation_id="resources_image", responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, resource_id: int) -> FileResponse:
        resource = library.resource_detail(resource_id)
        if not resource.image:
            raise NotFound(_("该资源没有图片。"))
        return FileResponse(open_stored(resource.image), content_type=resource.image_type)


# --- The guest database and suggestions -------------------------------------------------------


class DirectoryGuestOutput(serializers.ModelSerializer):
    visits = serializers.IntegerField(help_text="receptions this person came to")
    first_visit = serializers.DateField()
    last_visit = serializers.DateField()
    last_task = serializers.IntegerField(source="task_id")

    class Meta:
        model = Guest
        fields = ["name", "unit", "post", "grade", "phone", "visits", "first_visit", "last_visit", "last_task"]


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=100)

    def search(self, queryset: Any, name: str, value: str) -> Any:
        scope = scope_of(request_access(self.request), self.request.user)
        return library.guest_directory(q=value, scope=scope)


class GuestDirectoryApi(ReceptionApi, GenericAPIView):
    """The guest database built from past tasks (not cancelled): one row per name + unit with the
    latest post, grade and phone and the number of receptions; search `q` (name, unit, post)."""

    roles = ALL_ROLES
    filterset_class = DirectoryFilter
    serializer_class = DirectoryGuestOutput

    def get_queryset(self) -> Any:
        return library.guest_directory(scope=self.scope)

    @extend_schema(operation_id="guests_directory", responses=DirectoryGuestOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DirectoryGuestOutput(page, many=True).data)


class SimilarTaskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sending_unit = serializers.CharField(source="letter.sending_unit")
    level = serializers.CharField()
    start_date = serializers.DateField()
    status = serializers.CharField()
    same_unit = serializers.BooleanField()


class UsedOutput(serializers.Serializer):
    times = serializers.IntegerField(help_text="similar tasks that used it")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="planned total")
    score = serializers.FloatField(allow_null=True, help_text="average evaluation score (null: none recorded)")


class HotelUsedOutput(UsedOutput):
    provider = serializers.IntegerField()
    name = serializers.CharField()


class MenuUsedOutput(UsedOutput):
    menu = serializers.CharField()
    venue = serializers.CharField()
    meal_type = serializers.CharField(allow_blank=True)


class VenueUsedOutput(UsedOutput):
    kind = serializers.CharField()
    venue = serializers.CharField()


class SuggestionsOutput(serializers.Serializer):
    similar_tasks = SimilarTaskOutput(many=True)
    hotels = HotelUsedOutput(many=True)
    menus = MenuUsedOutput(many=True)
    venues = VenueUsedOutput(many=True)


class TaskSuggestionsApi(ReceptionApi):
    """What similar past tasks (same sending unit first, then same level) used: hotels, menus and
    venues, most used first, with their planned costs."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_suggestions", responses=SuggestionsOutput)
    def get(self, request: Request, task_id: int) -> Response:
        found = library.task_suggestions(reads.task_row(task_id), self.scope)
        body = {
            "similar_tasks": found.similar,
            "hotels": found.hotels,
            "menus": found.menus,
            "venues": found.venues,
        }
        return Response(SuggestionsOutput(body).data)
