"""Tasks: open from a letter, list, read, edit; checks, history."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from reception import selectors
from reception.api.base import ReceptionApi, split_version, valid
from reception.api.serializers import (
    ChecksOutput,
    HistoryOutput,
    RevisionOutput,
    TaskInput,
    TaskOutput,
    TaskSummaryOutput,
    TaskUpdateInput,
)
from reception.models import TaskStatus
from reception.models.tasks import PLAN_ROLES
from reception.scopes import tasks_in_scope
from reception.selectors import revisions as selectors_revisions
from reception.selectors import rules as selectors_rules
from reception.services.tasks import TASK_CREATE_ROLES, task_create, task_update
from tenants.models import ALL_ROLES


def task_response(task_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """Every write answers with the whole task as `GET tasks/{id}/` shows it."""
    return Response(TaskOutput(selectors.task_detail(task_id)).data, status=status_code)


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    handler = django_filters.CharFilter(field_name="handler__username", max_length=150)
    q = django_filters.CharFilter(method="search", max_length=100)

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return selectors.tasks_matching(queryset, value)


class TasksApi(ReceptionApi, GenericAPIView):
    """Tasks newest first (filter `status`, `handler`, `q`); POST opens one from a registered letter."""

    roles_by_method = {"GET": ALL_ROLES, "POST": TASK_CREATE_ROLES}
    filterset_class = TaskFilter
    serializer_class = TaskSummaryOutput

    def get_queryset(self) -> Any:
        return tasks_in_scope(selectors.task_list(), self.scope)

    @extend_schema(operation_id="tasks_list", responses=TaskSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        tasks = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(tasks.values(*TaskSummaryOutput.value_names()))
        return self.get_paginated_response(TaskSummaryOutput.rows(page or []))

    @extend_schema(operation_id="tasks_create", request=TaskInput, responses={201: TaskOutput})
    def post(self, request: Request) -> Response:
        data = valid(TaskInput, request.data)
        task = task_create(actor=request.user, jurisdiction=self.jurisdiction, **data)  # type: ignore[arg-type]
        return task_response(task.pk, status_code=status.HTTP_201_CREATED)


class TaskDetailApi(ReceptionApi):
    """The task with its guests, accompanying staff, items, status and handler; PATCH its own fields."""

    roles_by_method = {"GET": ALL_ROLES, "PATCH": PLAN_ROLES}

    @extend_schema(operation_id="tasks_retrieve", responses=TaskOutput)
    def get(self, request: Request, task_id: int) -> Response:
        return task_response(task_id)

    @extend_schema(operation_id="tasks_partial_update", request=TaskUpdateInput, responses=TaskOutput)
    def patch(self, request: Request, task_id: int) -> Response:
        changes, version = split_version(valid(TaskUpdateInput, request.data, partial=True))
        task_update(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            changes=changes,
            version=version,
        )
        return task_response(task_id)


class TaskChecksApi(ReceptionApi):
    """The rules' current findings for the plan: errors block submission, warnings do not."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_checks", responses=ChecksOutput)
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors_rules.task_for_checks(task_id)
        return Response(selectors_rules.task_checks(task, jurisdiction=self.jurisdiction).as_dict())


class TaskHistoryApi(ReceptionApi):
    """The task's steps from the audit log, oldest first: `[{action, actor, at, comment}]`."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_history", responses=HistoryOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors.task_detail(task_id)
        history = selectors.task_history(jurisdiction=self.jurisdiction, task=task)
        return Response(HistoryOutput(history, many=True).data)


class TaskRevisionsApi(ReceptionApi):
    """Every approved amendment of the task, oldest first, with what it changed field by field."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_revisions", responses=RevisionOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors.task_detail(task_id)
        return Response(RevisionOutput(selectors_revisions.task_revisions(task), many=True).data)
