"""Transitions (`POST tasks/{id}/<action>/`) and the guests' itinerary link."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reception.api.base import ReceptionApi, valid
from reception.api.serializers import (
    AssignInput,
    CancelInput,
    CommentInput,
    ItineraryLinkOutput,
    RuleErrorOutput,
    TaskOutput,
    VersionInput,
)
from reception.api.tasks import task_response
from reception.models import TRANSITIONS, TaskAction
from reception.services import links, transitions


class TransitionApi(ReceptionApi):
    """Validate the body, run the transition service, answer the task with its new status."""

    input_class: type[serializers.Serializer] = VersionInput

    def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, task_id: int) -> Response:
        self.perform(request, task_id, valid(self.input_class, request.data))
        return task_response(task_id)


def _schema(action: str, body: type[serializers.Serializer], *, rule_errors: bool = False) -> Any:
    responses: dict[int, Any] = {200: TaskOutput}
    if rule_errors:
        responses[400] = RuleErrorOutput
    return extend_schema_view(post=extend_schema(operation_id=f"tasks_{action}", request=body, responses=responses))


@_schema("submit", VersionInput, rule_errors=True)
class TaskSubmitApi(TransitionApi):
    """Submit the plan for review; rule errors answer 400 `{detail, errors: [{code, message}]}`."""

    roles = TRANSITIONS[TaskAction.SUBMIT].roles

    def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
        transitions.task_submit(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]


@_schema("return", CommentInput)
class TaskReturnApi(TransitionApi):
    roles = TRANSITIONS[TaskAction.RETURN].roles
    input_class = CommentInput

    def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
        transitions.task_return(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]


@_schema("approve", VersionInput)
class TaskApproveApi(TransitionApi):
    roles = TRANSITIONS[TaskAction.APPROVE].roles

    def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
        transitions.task_approve(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]


@_schema("assign", AssignInput)
class TaskAssignApi(TransitionApi):
    roles = TRANSITIONS[TaskAction.ASSIGN].roles
    input_class = AssignInput

    def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
        transitions.task_assign(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]


@_schema("cancel", CancelInput)
class TaskCancelApi(TransitionApi):
    roles = TRANSITIONS[TaskAction.CANCEL].roles
    input_class = CancelInput

    def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
        transitions.task_cancel(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]


class ItineraryLinkApi(ReceptionApi):
    """POST issues a signed, expiring link for the guests; DELETE revokes every link issued."""

    roles = links.ITINERARY_ROLES

    @extend_schema(operation_id="tasks_itinerary_link_create", request=None, responses={201: ItineraryLinkOutput})
    def post(self, request: Request, task_id: int) -> Response:
        issued = links.itinerary_link_issue(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id)  # type: ignore[arg-type]
        url = request.build_absolute_uri(f"/itinerary/{issued.token}/")
        return Response({"url": url, "expires_at": issued.expires_at}, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="tasks_itinerary_link_revoke", request=None, responses={204: None})
    def delete(self, request: Request, task_id: int) -> Response:
        links.itinerary_links_revoke(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
