"""Input shapes (validated here, acted on by services) and output shapes of the reception API."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from reception.models import (
    ITEM_FIELDS,
    AccompanyingStaff,
    Guest,
    Letter,
    LetterAttachment,
    MealType,
    Payer,
    PlanItem,
    RoomType,
    Task,
)
from reception.models.common import TEXT_MAX

MAX_BATCH = 200


class BlankAsNullChoiceField(serializers.ChoiceField):
    """An optional code: accepts null or "" for 'none' and answers null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, allow_blank=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return value or None


# --- Letters ------------------------------------------------------------------------------


class LetterInput(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = [
            "number",
            "sending_unit",
            "purpose",
            "content",
            "itinerary",
            "people_count",
            "received_on",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]


class AttachmentOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = LetterAttachment
        fields = ["id", "name", "content_type", "size", "created_at"]


class LetterOutput(serializers.ModelSerializer):
    attachments = AttachmentOutput(many=True, read_only=True)

    class Meta:
        model = Letter
        fields = [
            "id",
            "number",
            "sending_unit",
            "purpose",
            "content",
            "itinerary",
            "people_count",
            "received_on",
            "status",
            "contact_name",
            "contact_phone",
            "contact_email",
            "reject_reason",
            "registered_at",
            "created_at",
            "attachments",
        ]


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(max_length=200, allow_empty_file=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


# --- Tasks --------------------------------------------------------------------------------


class VersionInput(serializers.Serializer):
    """Optimistic concurrency: the version the client last saw (optional)."""

    version = serializers.IntegerField(required=False, min_value=1)


class TaskInput(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["letter", "title", "level", "counterpart_unit", "start_date", "end_date", "budget"]


class TaskUpdateInput(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Task
        fields = ["title", "level", "counterpart_unit", "start_date", "end_date", "budget", "version"]


class GuestInput(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, min_value=1, write_only=True)

    class Meta:
        model = Guest
        fields = ["name", "unit", "post", "grade", "phone", "version"]


class GuestOutput(serializers.ModelSerializer):
    class Meta:
        model = Guest
        fields = ["id", "name", "unit", "post", "grade", "phone", "version"]


class StaffInput(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, min_value=1, write_only=True)

    class Meta:
        model = AccompanyingStaff
        fields = ["name", "unit", "post", "version"]


class StaffOutput(serializers.ModelSerializer):
    class Meta:
        model = AccompanyingStaff
        fields = ["id", "name", "unit", "post", "version"]


class ItemInput(serializers.ModelSerializer):
    provider = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    meal_type = BlankAsNullChoiceField(choices=MealType.choices)
    room_type = BlankAsNullChoiceField(choices=RoomType.choices)
    payer = BlankAsNullChoiceField(
        choices=Payer.choices,
        help_text="host or guest; omitted: the working meal, vehicles, meetings and visits host, "
        "lodging and other meals guest",
    )
    version = serializers.IntegerField(required=False, min_value=1, write_only=True)

    class Meta:
        model = PlanItem
        fields = [*ITEM_FIELDS, "version"]


class ItemOutput(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    meal_type = BlankAsNullChoiceField(choices=MealType.choices)
    room_type = BlankAsNullChoiceField(choices=RoomType.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PlanItem
        fields = ["id", *ITEM_FIELDS, "amount", "version"]


#: Serializer fields whose `to_representation` gives back a value of this exact type unchanged
#: (`str(text)`, `int(number)`, a choice's own key): `TaskSummaryOutput.rows` skips the call.
_IDENTITY_TYPES: dict[type, type] = {
    serializers.CharField: str,
    serializers.ChoiceField: str,
    serializers.IntegerField: int,
}


class TaskSummaryOutput(serializers.ModelSerializer):
    handler = serializers.CharField(source="handler.username", allow_null=True, read_only=True)
    letter_number = serializers.CharField(source="letter.number", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "letter",
            "letter_number",
            "title",
            "level",
            "counterpart_unit",
            "start_date",
            "end_date",
            "budget",
            "status",
            "handler",
            "version",
            "created_at",
        ]

    _plan: list[tuple[str, str, Any, type | None]] | None = None

    @classmethod
    def _row_plan(cls) -> list[tuple[str, str, Any, type | None]]:
        """(output name, `.values()` name, field or None to pass the value through, the type
        whose values are their own representation in that field), built once."""
        if cls._plan is None:
            fields = cls().fields
            cls._plan = [
                (
                    name,
                    str(field.source).replace(".", "__"),
                    None if isinstance(field, serializers.PrimaryKeyRelatedField) else field,
                    _IDENTITY_TYPES.get(type(field)),
                )
                for name, field in fields.items()
            ]
        return cls._plan

    @classmethod
    def value_names(cls) -> list[str]:
        """What to ask `.values()` for: the output of `rows()` needs nothing else."""
        return [source for _name, source, _field, _same in cls._row_plan()]

    @classmethod
    def rows(cls, values: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """What `TaskSummaryOutput(tasks, many=True).data` gives, from `.values(*value_names())`
        rows: no model instances and no serializer pass per row, which were most of the task
        list's time (bench/RESULTS.md, "Throughput"). Each value goes through the same field's
        `to_representation`, so dates, decimals and times are formatted identically."""
        plan = cls._row_plan()
        if any(isinstance(field, serializers.DateTimeField) for _n, _s, field, _t in plan):
            # DRF looks up the active time zone for every datetime (about 6 µs, most of a row's
            # cost): look it up once per call, on a copy of the field (the output is the same).
            zone = timezone.get_current_timezone() if settings.USE_TZ else None
            plan = [(n, src, _zoned(field, zone), t) for n, src, field, t in plan]
        return [
            {
                name: value if field is None or value is None or type(value) is same else field.to_representation(value)
                for name, source, field, same in plan
                for value in (row[source],)
            }
            for row in values
        ]


def _zoned(field: Any, zone: Any) -> Any:
    if not isinstance(field, serializers.DateTimeField) or hasattr(field, "timezone"):
        return field
    fixed = copy.copy(field)
    fixed.timezone = zone  # what `DateTimeField.enforce_timezone` uses instead of the lookup
    return fixed


class TaskOutput(TaskSummaryOutput):
    submitted_by = serializers.CharField(source="submitted_by.username", allow_null=True, read_only=True)
    sending_unit = serializers.CharField(source="letter.sending_unit", read_only=True)
    purpose = serializers.CharField(source="letter.purpose", read_only=True)
    standard_version = serializers.IntegerField(source="standard.version", allow_null=True, read_only=True)
    guests = GuestOutput(many=True, read_only=True)
    accompanying = StaffOutput(many=True, read_only=True)
    items = ItemOutput(many=True, read_only=True)
    total = serializers.SerializerMethodField()
    guest_paid_total = serializers.SerializerMethodField()

    class Meta(TaskSummaryOutput.Meta):
        fields = [
            *TaskSummaryOutput.Meta.fields,
            "sending_unit",
            "purpose",
            "standard_version",
            "updated_at",
            "guests",
            "accompanying",
            "items",
            "total",
            "guest_paid_total",
            "submitted_by",
        ]

    def get_total(self, task: Task) -> str:
        """Host-paid (the reception budget's) total of the plan; guests' own in `guest_paid_total`."""
        return f"{sum((i.amount for i in task.items.all() if i.payer == Payer.HOST), start=Decimal(0)):.2f}"

    def get_guest_paid_total(self, task: Task) -> str:
        return f"{sum((i.amount for i in task.items.all() if i.payer == Payer.GUEST), start=Decimal(0)):.2f}"


class FindingOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(help_text="names the numbers and the source article, in the user's language")
    item = serializers.IntegerField(allow_null=True, required=False, help_text="the plan item it concerns")
    field = serializers.CharField(allow_null=True, required=False, help_text="the field to show it beside")
    source = serializers.CharField(required=False, help_text="the article (and standards version) it applies")  # type: ignore[assignment]


class ChecksOutput(serializers.Serializer):
    errors = FindingOutput(many=True)  # type: ignore[assignment]  # an output field, not Serializer.errors
    warnings = FindingOutput(many=True)


class RuleErrorOutput(serializers.Serializer):
    detail = serializers.CharField()
    errors = FindingOutput(many=True)  # type: ignore[assignment]


class HistoryOutput(serializers.Serializer):
    action = serializers.CharField()
    actor = serializers.CharField()
    at = serializers.DateTimeField()
    comment = serializers.CharField()


class CommentInput(VersionInput):
    comment = serializers.CharField(max_length=TEXT_MAX)


class AmendInput(VersionInput):
    reason = serializers.CharField(max_length=TEXT_MAX)


class RevisionChangeOutput(serializers.Serializer):
    part = serializers.ChoiceField(choices=["item", "guest", "staff"])
    id = serializers.IntegerField()
    item = serializers.IntegerField(allow_null=True, help_text="the plan item's id (null for guests and staff)")
    change = serializers.ChoiceField(choices=["added", "deleted", "changed"])
    field = serializers.CharField(allow_null=True, help_text="null when the whole object was added or deleted")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class RevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    reason = serializers.CharField()
    opened_by = serializers.CharField(source="opened_by.username")
    opened_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username", allow_null=True)
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True)
    approved_at = serializers.DateTimeField()
    changes = RevisionChangeOutput(many=True)


class AssignInput(VersionInput):
    handler = serializers.CharField(max_length=150)


class CancelInput(VersionInput):
    reason = serializers.CharField(max_length=TEXT_MAX)


class ItineraryLinkInput(serializers.Serializer):
    sms = serializers.BooleanField(required=False, default=False, help_text="also send the link to every guest's phone")


class ItineraryLinkOutput(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()
    sms_sent = serializers.IntegerField()
