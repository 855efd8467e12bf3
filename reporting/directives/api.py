"""Directives API: send (superior's admin), read one with its deliveries, resend failed ones; the
target's inbox and acknowledgement. Every view goes through the one permission layer."""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from reporting.directives import selectors
from reporting.directives.services import (
    INBOX_ROLES,
    SEND_ROLES,
    SENT_KINDS,
    SENT_READ_ROLES,
    delivery_acknowledge,
    directive_amendment_send,
    directive_resend,
    directive_send,
)
from reporting.models import Delivery, DeliveryStatus, Directive, DirectiveKind
from tenants.models import Level
from tenants.web import TenantApi, valid


def _code() -> serializers.RegexField:
    return serializers.RegexField(r"^\d{6}$", max_length=6)


class DirectiveInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in SENT_KINDS])
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    targets = serializers.ListField(child=_code(), max_length=5000, required=False, default=list)
    # Additions to the contract: whole levels of the subtree, and whole subtrees (a city with its counties).
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=[Level.CITY, Level.COUNTY]), max_length=2, required=False, default=list
    )
    subtrees = serializers.ListField(child=_code(), max_length=500, required=False, default=list)
    task = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None)


class AmendmentInput(serializers.Serializer):
    """Push the origin task's approved amendments (`POST directives/{id}/amendment/`)."""

    targets = serializers.ListField(child=_code(), max_length=5000, required=False, default=list)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")


class DirectiveAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class DeliveryOutput(serializers.Serializer):
    code = serializers.CharField(source="target.code")
    name = serializers.CharField(source="target.name")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    error = serializers.CharField(source="last_error")
    delivered_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", allow_null=True, default=None)
    local_task = serializers.IntegerField(source="local_task_id", allow_null=True)
    local_task_status = serializers.CharField(allow_null=True, default=None)
    result = serializers.JSONField()


class DirectiveOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DirectiveKind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    task = serializers.IntegerField(source="origin_task_id", allow_null=True)
    amends = serializers.IntegerField(source="amends_id", allow_null=True)
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username")
    attachments = DirectiveAttachmentOutput(many=True)
    deliveries = DeliveryOutput(many=True)


class DirectiveSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DirectiveKind.choices)
    title = serializers.CharField()
    task = serializers.IntegerField(source="origin_task_id", allow_null=True)
    created_at = serializers.DateTimeField()
    targets = serializers.IntegerField(source="n_targets")
    delivered = serializers.IntegerField(source="n_delivered")
    acknowledged = serializers.IntegerField(source="n_acknowledged")
    failed = serializers.IntegerField(source="n_failed")


class ResendInput(serializers.Serializer):
    targets = serializers.ListField(child=_code(), max_length=5000, required=False, default=list)


class InboxOutput(serializers.Serializer):
    id = serializers.IntegerField()
    directive = serializers.IntegerField(source="directive_id")
    from_code = serializers.CharField(source="directive.sender.code")
    from_name = serializers.CharField(source="directive.sender.name")
    kind = serializers.ChoiceField(source="directive.kind", choices=DirectiveKind.choices)
    title = serializers.CharField(source="directive.title")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    delivered_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class InboxEntryOutput(InboxOutput):
    body = serializers.CharField(source="directive.body")
    attachments = DirectiveAttachmentOutput(source="directive.attachments", many=True)
    local_task = serializers.IntegerField(source="local_task_id", allow_null=True)
    result = serializers.JSONField()
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", allow_null=True, default=None)


def directive_data(directive: Directive) -> dict[str, Any]:
    directive.deliveries_list = selectors.directive_deliveries(directive)  # type: ignore[attr-defined]
    data = DirectiveOutput(
        {
            "id": directive.pk,
            "kind": directive.kind,
            "title": directive.title,
            "body": directive.body,
            "origin_task_id": directive.origin_task_id,
            "amends_id": directive.amends_id,
            "created_at": directive.created_at,
            "created_by": directive.created_by,
            "attachments": list(directive.attachments.all()),
            "deliveries": directive.deliveries_list,  # type: ignore[attr-defined]
        }
    ).data
    return cast(dict[str, Any], data)


class DirectivesApi(TenantApi, GenericAPIView):
    """The directives this jurisdiction sent, newest first; POST sends one to its subtree (admin)."""

    roles_by_method = {"GET": SENT_READ_ROLES, "POST": SEND_ROLES}
    serializer_class = DirectiveSummaryOutput
    queryset = Directive.objects.none()  # the schema's model; rows come from the selector

    @extend_schema(operation_id="directives_list", responses=DirectiveSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.directives_sent(sender=self.jurisdiction))
        return self.get_paginated_response(DirectiveSummaryOutput(page, many=True).data)

    @extend_schema(operation_id="directives_create", request=DirectiveInput, responses={201: DirectiveOutput})
    def post(self, request: Request) -> Response:
        data = valid(DirectiveInput, request.data)
        directive = directive_send(
            actor=request.user,  # type: ignore[arg-type]
            sender=self.jurisdiction,
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            targets=data["targets"],
            levels=data["levels"],
            subtrees=data["subtrees"],
            task_id=data["task"],
            attachments=request.FILES.getlist("attachments"),
        )
        detail = selectors.directive_detail(sender=self.jurisdiction, directive_id=directive.pk)
        return Response(directive_data(detail), status=status.HTTP_201_CREATED)


class DirectiveDetailApi(TenantApi):
    """One directive this jurisdiction sent, with each target's delivery status (and, for a task,
    the status of the local task made from it)."""

    roles = SENT_READ_ROLES

    @extend_schema(operation_id="directives_retrieve", responses=DirectiveOutput)
    def get(self, request: Request, directive_id: int) -> Response:
        return Response(directive_data(selectors.directive_detail(sender=self.jurisdiction, directive_id=directive_id)))


class DirectiveResendApi(TenantApi):
    """Send the failed deliveries again (all, or those of `targets`)."""

    roles = SEND_ROLES

    @extend_schema(operation_id="directives_resend", request=ResendInput, responses=DirectiveOutput)
    def post(self, request: Request, directive_id: int) -> Response:
        data = valid(ResendInput, request.data)
        directive = directive_resend(
            actor=request.user,  # type: ignore[arg-type]
            sender=self.jurisdiction,
            directive_id=directive_id,
            codes=data["targets"] or None,
        )
        return Response(directive_data(selectors.directive_detail(sender=self.jurisdiction, directive_id=directive.pk)))


class DirectiveAmendmentApi(TenantApi):
    """Push the origin task's approved amendments after a `task` directive (admin): a new
    directive of kind `amendment` to the targets that received the task (or those named)."""

    roles = SEND_ROLES

    @extend_schema(operation_id="directives_amendment_create", request=AmendmentInput, responses={201: DirectiveOutput})
    def post(self, request: Request, directive_id: int) -> Response:
        data = valid(AmendmentInput, request.data)
        directive = directive_amendment_send(
            actor=request.user,  # type: ignore[arg-type]
            sender=self.jurisdiction,
            directive_id=directive_id,
            targets=data["targets"],
            title=data["title"],
            body=data["body"],
        )
        detail = selectors.directive_detail(sender=self.jurisdiction, directive_id=directive.pk)
        return Response(directive_data(detail), status=status.HTTP_201_CREATED)


class InboxApi(TenantApi, GenericAPIView):
    """What the superiors sent here, newest first."""

    roles = INBOX_ROLES
    serializer_class = InboxOutput
    queryset = Delivery.objects.none()  # the schema's model; rows come from the selector

    @extend_schema(operation_id="directives_inbox_list", responses=InboxOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.inbox(target=self.jurisdiction))
        return self.get_paginated_response(InboxOutput(page, many=True).data)


class InboxEntryApi(TenantApi):
    roles = INBOX_ROLES

    @extend_schema(operation_id="directives_inbox_retrieve", responses=InboxEntryOutput)
    def get(self, request: Request, delivery_id: int) -> Response:
        entry = selectors.inbox_entry(target=self.jurisdiction, delivery_id=delivery_id)
        return Response(InboxEntryOutput(entry).data)


class InboxAcknowledgeApi(TenantApi):
    """Confirm a directive has been read; again: 409."""

    roles = INBOX_ROLES

    @extend_schema(operation_id="directives_inbox_acknowledge", request=None, responses=InboxEntryOutput)
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery: Delivery = delivery_acknowledge(
            actor=request.user,  # type: ignore[arg-type]
            target=self.jurisdiction,
            delivery_id=delivery_id,
        )
        return Response(InboxEntryOutput(selectors.inbox_entry(target=self.jurisdiction, delivery_id=delivery.pk)).data)


def _file(attachment: Any) -> FileResponse:
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )


class DirectiveAttachmentApi(TenantApi):
    """A file of a directive this jurisdiction sent."""

    roles = SENT_READ_ROLES

    @extend_schema(
        operation_id="directives_attachments_download",
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request: Request, directive_id: int, attachment_id: int) -> FileResponse:
        return _file(
            selectors.directive_attachment(
                sender=self.jurisdiction, directive_id=directive_id, attachment_id=attachment_id
            )
        )


class InboxAttachmentApi(TenantApi):
    """A file of a directive that reached this jurisdiction."""

    roles = INBOX_ROLES

    @extend_schema(
        operation_id="directives_inbox_attachments_download",
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request: Request, delivery_id: int, attachment_id: int) -> FileResponse:
        return _file(
            selectors.inbox_attachment(target=self.jurisdiction, delivery_id=delivery_id, attachment_id=attachment_id)
        )
