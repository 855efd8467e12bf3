"""A task's messages: what the outbox sent (or is sending) about it, newest first."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from core.notifications.selectors import task_messages
from reception import selectors
from reception.api.base import ReceptionApi
from tenants.models import STAFF_ROLES
from tenants.outbox_api import MessageOutput
from tenants.permissions import JurisdictionMemberPermission


class TaskMessagesApi(ReceptionApi):
    """`[{channel, to, subject, status, attempts, sent_at, …}]`, newest first: staff of this
    jurisdiction only (addresses and numbers are personal data: no oversight from above)."""

    permission_classes = [JurisdictionMemberPermission]
    roles = STAFF_ROLES

    @extend_schema(operation_id="tasks_messages", responses=MessageOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors.task_detail(task_id)
        rows = task_messages(jurisdiction_code=self.jurisdiction.code, task_id=task.pk)
        return Response(MessageOutput(rows, many=True).data)
