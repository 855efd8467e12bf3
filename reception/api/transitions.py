"""Transitions (`POST tasks/{id}/<action>/`) and the guests' itinerary link."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reception.api.base import ReceptionApi, valid
from reception.api.serializers import (
    AmendInput,
    AssignInput,
    CancelInput,
    CommentInput,
    ItineraryLinkInput,
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


def transition_api(
    action: str, service: Any, body: type[serializers.Serializer] = VersionInput, *, doc: str, rule_errors: bool = False
) -> type[TransitionApi]:
    """The view of one transition: its roles from the transition table, its body, its service."""
    responses: dict[int, Any] = {200: TaskOutput}
    if rule_errors:
        responses[400] = RuleErrorOutput

    class Api(TransitionApi):
        roles = TRANSITIONS[action].roles
        input_class = body

        def perform(self, request: Request, task_id: int, data: dict[str, Any]) -> None:
            service(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)

    Api.__name__ = Api.__qualname__ = f"Task{action.title()}Api"
    Api.__doc__ = doc
    schema = extend_schema(operation_id=f"tasks_{action}", request=body, responses=responses, description=doc)
    return extend_schema_view(post=schema)(Api)


TaskSubmitApi = transition_api(
    TaskAction.SUBMIT,
    transitions.task_submit,
    doc="Submit the plan for review (drafter); rule errors answer 400 `{detail, errors: [{code, message}]}`.",
    rule_errors=True,
)
TaskReturnApi = transition_api(
    TaskAction.RETURN, transitions.task_return, CommentInput, doc="Return the plan to the drafter (reviewer)."
)
TaskApproveApi = transition_api(TaskAction.APPROVE, transitions.task_approve, doc="Approve the plan (reviewer).")
TaskAssignApi = transition_api(
    TaskAction.ASSIGN, transitions.task_assign, AssignInput, doc="Name the handler (reviewer or admin)."
)
TaskCancelApi = transition_api(
    TaskAction.CANCEL, transitions.task_cancel, CancelInput, doc="Cancel the task (drafter, reviewer or admin)."
)

TaskAmendApi = transition_api(
    TaskAction.AMEND,
    transitions.task_amend,
    AmendInput,
    doc="Open an amendment of an approved or in-progress plan, with its reason (drafter or handler).",
)


class ItineraryLinkApi(ReceptionApi):
    """POST issues a signed, expiring link for the guests; DELETE revokes every link issued."""

    roles = links.ITINERARY_ROLES

    @extend_schema(
        operation_id="tasks_itinerary_link_create", request=ItineraryLinkInput, responses={201: ItineraryLinkOutput}
    )
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(ItineraryLinkInput, request.data)
        issued = links.itinerary_link_issue(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            sms_base_url=request.build_absolute_uri("/") if data["sms"] else None,
        )
        url = request.build_absolute_uri(f"/itinerary/{issued.token}/")
        body = {"url": url, "expires_at": issued.expires_at, "sms_sent": issued.sms_sent}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="tasks_itinerary_link_revoke", request=None, responses={204: None})
    def delete(self, request: Request, task_id: int) -> Response:
        links.itinerary_links_revoke(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
