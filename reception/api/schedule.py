"""The schedule (日程表) through the API: entries, their changes, and the history of every change."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reception.api.base import ReceptionApi, split_version, valid
from reception.api.serializers import VersionInput
from reception.models import ScheduleChange, ScheduleEntry
from reception.selectors import meetings as reads
from reception.services import schedule
from reception.services.arrangements import ARRANGE_ROLES
from tenants.models import ALL_ROLES


class EntryInput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    title = serializers.CharField(max_length=200)
    venue = serializers.CharField(max_length=200)
    provider = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    item = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="the plan item it shows (POST only): kept in step"
    )
    version = serializers.IntegerField(required=False, min_value=1)


class EntryOutput(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    item = serializers.IntegerField(source="item_id", allow_null=True)
    provider_name = serializers.CharField(source="provider.name", allow_null=True, default=None)

    class Meta:
        model = ScheduleEntry
        fields = [
            "id",
            "starts_at",
            "ends_at",
            "title",
            "venue",
            "provider",
            "provider_name",
            "note",
            "item",
            "version",
            "created_at",
            "updated_at",
        ]


class ChangeOutput(serializers.ModelSerializer):
    action = serializers.SerializerMethodField()
    entry = serializers.IntegerField(source="entry_id")
    actor = serializers.CharField(source="actor.username")
    actor_name = serializers.CharField(source="actor.label")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    class Meta:
        model = ScheduleChange
        fields = ["action", "entry", "actor", "actor_name", "at", "before", "after", "notified"]

    def get_action(self, change: ScheduleChange) -> str:
        return schedule.SCHEDULE_ACTIONS[change.action]


ORDER = OpenApiParameter(
    "order", str, enum=["created", "time"], description="`created` (default): newest created first; `time`: by start"
)


class ScheduleApi(ReceptionApi):
    """The task's schedule; POST adds an entry (drafter or handler, any state before settled)."""

    roles_by_method = {"GET": ALL_ROLES, "POST": ARRANGE_ROLES}

    @extend_schema(operation_id="tasks_schedule_list", parameters=[ORDER], responses=EntryOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        task = reads.task_row(task_id)
        entries = reads.schedule_entries(task, newest_first=request.query_params.get("order") != "time")
        return Response(EntryOutput(entries, many=True).data)

    @extend_schema(operation_id="tasks_schedule_create", request=EntryInput, responses={201: EntryOutput})
    def post(self, request: Request, task_id: int) -> Response:
        data, _version = split_version(valid(EntryInput, request.data))
        entry = schedule.schedule_entry_add(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]
        return Response(EntryOutput(reads.schedule_entry(entry.task, entry.pk)).data, status=status.HTTP_201_CREATED)


class ScheduleEntryApi(ReceptionApi):
    """One entry: PATCH (optionally with `version`; stale → 409), DELETE (optional `?version=`)."""

    roles_by_method = {"GET": ALL_ROLES, "PATCH": ARRANGE_ROLES, "DELETE": ARRANGE_ROLES}

    @extend_schema(operation_id="tasks_schedule_retrieve", responses=EntryOutput)
    def get(self, request: Request, task_id: int, entry_id: int) -> Response:
        return Response(EntryOutput(reads.schedule_entry(reads.task_row(task_id), entry_id)).data)

    @extend_schema(operation_id="tasks_schedule_partial_update", request=EntryInput, responses=EntryOutput)
    def patch(self, request: Request, task_id: int, entry_id: int) -> Response:
        changes, version = split_version(valid(EntryInput, request.data, partial=True))
        entry = schedule.schedule_entry_update(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            entry_id=entry_id,
            changes=changes,
            version=version,
        )
        return Response(EntryOutput(reads.schedule_entry(entry.task, entry.pk)).data)

    @extend_schema(operation_id="tasks_schedule_destroy", parameters=[VersionInput], responses={204: None})
    def delete(self, request: Request, task_id: int, entry_id: int) -> Response:
        version = valid(VersionInput, request.query_params).get("version")
        schedule.schedule_entry_delete(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            entry_id=entry_id,
            version=version,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleHistoryApi(ReceptionApi):
    """Every change of the schedule, oldest first: who, when, the entry before and after."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_schedule_history", responses=ChangeOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        return Response(ChangeOutput(reads.schedule_history(reads.task_row(task_id)), many=True).data)
