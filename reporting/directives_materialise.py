"""What a directive carries (read in the sender's schema) and what it writes in a target's schema.

- `task`: the origin's letter (number, sending unit, purpose…) registered as a local letter, which
  stands for the local one, and a local draft task with the origin's guests and plan items
  (without providers: the local office picks its own) as guidance.
- `standard`: a new local standards version where the superior's is stricter, value by value;
  where the target's own is stricter (or equal) it is kept; nothing changes → no new version.
- `notice`: nothing is written there; the inbox reads the public rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput
from reception.models import Guest, Letter, LetterStatus, PlanItem, Task, TaskStatus
from reception.models.plans import default_payer
from reception.selectors import standard_in_force, standard_values
from reception.services.standards import superior_standard_adopt
from reception.standards import standard_wire

if TYPE_CHECKING:
    from reporting.models import Delivery

LETTER_FIELDS = ("number", "sending_unit", "purpose", "content", "itinerary", "people_count", "received_on")
TASK_FIELDS = ("title", "level", "counterpart_unit", "start_date", "end_date")
GUEST_FIELDS = ("name", "unit", "post", "grade")
ITEM_FIELDS = (
    "kind",
    "starts_at",
    "ends_at",
    "venue",
    "meal_type",
    "working_meal",
    "guests_count",
    "accompanying_count",
    "unit_price",
    "quantity",
    "room_type",
    "menu",
    "payer",
)


def _wire(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _wire(getattr(obj, name)) for name in names}


def task_payload(task_id: int) -> dict[str, Any]:
    """The origin task's letter, task fields, guests and plan items (in the sender's schema)."""
    task = Task.objects.select_related("letter").prefetch_related("guests", "items").filter(pk=task_id).first()
    if task is None:
        raise InvalidInput(_("来源任务不存在。"), field="task", code="not_found")
    return {
        "task": {"id": task.pk, "status": task.status, **_fields(task, TASK_FIELDS)},
        "letter": _fields(task.letter, LETTER_FIELDS),
        "guests": [_fields(g, GUEST_FIELDS) for g in task.guests.all()],
        "items": [_fields(i, ITEM_FIELDS) for i in task.items.all()],
    }


def standard_payload() -> dict[str, Any]:
    """The sender's standards in force today (in the sender's schema)."""
    return standard_wire(standard_values(standard_in_force(timezone.localdate())))


def _materialise_notice(delivery: Delivery) -> dict[str, Any]:
    return {}


def _materialise_task(delivery: Delivery) -> dict[str, Any]:
    directive, target = delivery.directive, delivery.target
    payload = directive.payload
    actor = directive.created_by
    letter = Letter.objects.create(
        **payload["letter"],
        status=LetterStatus.REGISTERED,
        created_by=actor,
        registered_by=actor,
        registered_at=timezone.now(),
    )
    fields = {name: payload["task"][name] for name in TASK_FIELDS}
    task = Task.objects.create(letter=letter, status=TaskStatus.DRAFT, created_by=actor, **fields)
    Guest.objects.bulk_create(Guest(task=task, **guest) for guest in payload["guests"])
    PlanItem.objects.bulk_create(
        # A plan pushed before items carried a payer takes the regulation's default.
        PlanItem(task=task, **{"payer": default_payer(item["kind"], item["working_meal"]), **item})
        for item in payload["items"]
    )
    origin = f"{directive.sender.code}:{payload['task']['id']}"
    audit_record(
        actor=actor,
        action="reception.letter.registered",
        jurisdiction_code=target.code,
        obj=letter,
        after={"number": letter.number, "sending_unit": letter.sending_unit, "directive": directive.pk},
    )
    audit_record(
        actor=actor,
        action="reception.task.created",
        jurisdiction_code=target.code,
        obj=task,
        after={"letter": letter.pk, "status": task.status, "directive": directive.pk, "origin": origin},
        comment=str(_("上级下发的接待任务（%(origin)s）") % {"origin": origin}),
    )
    return {"local_task_id": task.pk, "local_letter_id": letter.pk}


def _materialise_standard(delivery: Delivery) -> dict[str, Any]:
    directive = delivery.directive
    version, tightened = superior_standard_adopt(
        actor=directive.created_by,
        jurisdiction=delivery.target,
        sender=directive.sender,
        directive_id=directive.pk,
        values=directive.payload,
    )
    return {"standard_version": version, "tightened": tightened}


MATERIALISERS: dict[str, Callable[[Delivery], dict[str, Any]]] = {
    "notice": _materialise_notice,
    "task": _materialise_task,
    "standard": _materialise_standard,
}
