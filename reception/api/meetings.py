"""Meetings through the API: the meeting's settings, the .xlsx roster, invitations and notices."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import NotFound
from reception.api.base import ReceptionApi, valid
from reception.api.serializers import GuestOutput
from reception.models import Meeting, MeetingNotice, NoticeKind
from reception.models.common import TEXT_MAX
from reception.models.tasks import PLAN_ROLES
from reception.roster import template_workbook
from reception.selectors import meetings as reads
from reception.services import meetings
from reception.services.arrangements import ARRANGE_ROLES
from tenants.models import ALL_ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MeetingInput(serializers.Serializer):
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    international = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, min_value=1)


class MeetingOutput(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task_id")
    guests_count = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["task", "venue", "international", "guests_count", "version", "created_at", "updated_at"]

    def get_guests_count(self, meeting: Meeting) -> int:
        return meeting.task.guests.count()


class MeetingApi(ReceptionApi):
    """GET the task's meeting settings (404 when the task is not a meeting); PUT makes it one or
    changes its venue and its international-practice switch (外事: the right is senior)."""

    roles_by_method = {"GET": ALL_ROLES, "PUT": ARRANGE_ROLES}

    @extend_schema(operation_id="tasks_meeting_retrieve", responses=MeetingOutput)
    def get(self, request: Request, task_id: int) -> Response:
        meeting = reads.meeting_of(reads.task_row(task_id))
        if meeting is None:
            raise NotFound(_("该任务不是会议。"), code="not_a_meeting")
        return Response(MeetingOutput(meeting).data)

    @extend_schema(operation_id="tasks_meeting_update", request=MeetingInput, responses=MeetingOutput)
    def put(self, request: Request, task_id: int) -> Response:
        data = valid(MeetingInput, request.data)
        meeting = meetings.meeting_save(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]
        return Response(MeetingOutput(meeting).data)


class RosterInput(serializers.Serializer):
    file = serializers.FileField(max_length=200, allow_empty_file=True)
    skip_bad_rows = serializers.BooleanField(required=False, default=False)


class RowErrorOutput(serializers.Serializer):
    """A problem of the roster: of a row and column (`row`, `column`), or of the request itself
    (`field`, as every 400 for bad input has it: a file too large, not an .xlsx)."""

    row = serializers.IntegerField(required=False)
    column = serializers.CharField(required=False, allow_blank=True)
    field = serializers.CharField(required=False)
    code = serializers.CharField()
    message = serializers.CharField()


class RosterGuestOutput(GuestOutput):
    arrives_at = serializers.DateTimeField(source="stay.arrives_at", allow_null=True, default=None)
    departs_at = serializers.DateTimeField(source="stay.departs_at", allow_null=True, default=None)

    class Meta(GuestOutput.Meta):
        fields = [*GuestOutput.Meta.fields, "arrives_at", "departs_at"]


class RosterOutput(serializers.Serializer):
    imported = serializers.IntegerField()
    guests = RosterGuestOutput(many=True)
    skipped = RowErrorOutput(many=True)


class RosterErrorOutput(serializers.Serializer):
    """A refused roster (`detail`, `code: roster_invalid`, the rows' errors), or a refused request
    (`{file: [messages], errors: [{field, code, message}]}`: too large, not an .xlsx)."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    errors = RowErrorOutput(many=True)  # type: ignore[assignment]


class RosterApi(ReceptionApi):
    """Import guests from an .xlsx roster (multipart `file`; columns 姓名 单位 职务 级别 手机号
    抵达时间 离开时间). Any bad row refuses the whole file: 400 `{detail, code: roster_invalid,
    errors: [{row, column, code, message}]}`; with `skip_bad_rows` the good rows are imported and
    the bad ones listed in `skipped`. Drafter, while the task is a draft or returned."""

    roles = PLAN_ROLES
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tasks_roster_import",
        request={"multipart/form-data": RosterInput},
        responses={201: RosterOutput, 400: RosterErrorOutput},
    )
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(RosterInput, request.data)
        result = meetings.roster_import(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            content=data["file"].read(),
            skip_bad_rows=data["skip_bad_rows"],
        )
        body = {
            "imported": len(result.guests),
            "guests": result.guests,
            "skipped": [error.as_dict() for error in result.skipped],
        }
        return Response(RosterOutput(body).data, status=status.HTTP_201_CREATED)


class RosterTemplateApi(ReceptionApi):
    """An empty roster with the expected columns and one example row."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_roster_template", responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request: Request, task_id: int) -> HttpResponse:
        reads.task_row(task_id)
        response = HttpResponse(template_workbook(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response


class NoticeInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class NoticeOutput(serializers.ModelSerializer):
    sent_by = serializers.CharField(source="sent_by.username")

    class Meta:
        model = MeetingNotice
        fields = ["id", "kind", "subject", "body", "recipients", "sent_by", "sent_at"]


class NoticesApi(ReceptionApi):
    """Invitations and notices sent to the task's guests (SMS to each guest with a phone), newest
    first; POST sends one (an invitation without text gets one written from the task)."""

    roles_by_method = {"GET": ALL_ROLES, "POST": ARRANGE_ROLES}

    @extend_schema(operation_id="tasks_notices_list", responses=NoticeOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        return Response(NoticeOutput(reads.task_notices(reads.task_row(task_id)), many=True).data)

    @extend_schema(operation_id="tasks_notices_create", request=NoticeInput, responses={201: NoticeOutput})
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(NoticeInput, request.data)
        notice = meetings.notice_send(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id, **data)  # type: ignore[arg-type]
        return Response(NoticeOutput(notice).data, status=status.HTTP_201_CREATED)
