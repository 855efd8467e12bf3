"""Outbox API (tenant host, the jurisdiction's admins): list by status, retry a failed message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import InvalidInput
from core.models import Notification
from core.notifications.selectors import outbox_messages
from tenants.outbox import OUTBOX_ROLES, outbox_retry
from tenants.permissions import JurisdictionMemberPermission
from tenants.web import TenantApi


class MessageOutput(serializers.ModelSerializer):
    """One message: `to` is the e-mail address or the mobile number."""

    to = serializers.CharField(source="address")

    class Meta:
        model = Notification
        fields = [
            "id",
            "channel",
            "to",
            "subject",
            "status",
            "attempts",
            "sent_at",
            "created_at",
            "event",
            "error_code",
            "last_error",
            "gateway",
            "receipt",
        ]


class _OutboxView(TenantApi):
    permission_classes = [JurisdictionMemberPermission]
    roles = OUTBOX_ROLES


class OutboxApi(_OutboxView, GenericAPIView):
    """The jurisdiction's messages, newest first; `?status=queued|sent|failed`."""

    serializer_class = MessageOutput
    queryset = Notification.objects.none()  # for the schema; rows come from the selector

    @extend_schema(
        operation_id="outbox_list",
        parameters=[OpenApiParameter("status", str, enum=Notification.Status.values)],
        responses=MessageOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "")
        if status and status not in Notification.Status.values:
            raise InvalidInput(_("状态无效。"), field="status", code="invalid_choice")
        rows = outbox_messages(jurisdiction_code=self.jurisdiction.code, status=status)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MessageOutput(page, many=True).data)


class OutboxRetryApi(_OutboxView):
    """Queue a failed message again (409 for one that has not failed)."""

    @extend_schema(operation_id="outbox_retry", request=None, responses=MessageOutput)
    def post(self, request: Request, message_id: int) -> Response:
        row = outbox_retry(actor=request.user, jurisdiction=self.jurisdiction, notification_id=message_id)  # type: ignore[arg-type]
        return Response(MessageOutput(row).data)


def api_urlpatterns() -> list[Any]:
    from django.urls import path

    return [
        path("outbox/", OutboxApi.as_view(), name="api-outbox"),
        path("outbox/<int:message_id>/retry/", OutboxRetryApi.as_view(), name="api-outbox-retry"),
    ]
