"""What a directive carries (read in the sender's schema) and what it writes in a target's schema.

- `task`: the origin's letter (number, sending unit, purpose…) registered as a local letter, which
  stands for the local one, and a local draft task with the origin's guests and plan items
  (without providers: the local office picks its own) as guidance.
- `standard`: a new local standards version where the superior's is stricter, value by value;
  where the target's own is stricter (or equal) it is kept; nothing changes → no new version.
- `notice`: nothing is written there; the inbox reads the public rows.
- `amendment`: the origin's approved amendments, pushed after its `task` directive; the local
  task made from that directive follows them (`reception.services.directives`). The task
  delivery records which local guest and item came from which origin one (`origin_map`), and
  each amendment delivery the map as it leaves it, with the amendments it applied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput
from reception.models import Task
from reception.selectors import standard_in_force, standard_values
from reception.selectors.revisions import approved_plan, approved_revisions
from reception.services.directives import (
    GUEST_FIELDS,
    ITEM_FIELDS,
    LETTER_FIELDS,
    TASK_FIELDS,
    directive_amendment_apply,
    directive_task_receive,
)
from reception.services.standards import superior_standard_adopt
from reception.standards import standard_wire

if TYPE_CHECKING:
    from reporting.models import Delivery


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
        "guests": [{"id": g.pk, **_fields(g, GUEST_FIELDS)} for g in task.guests.all()],
        "items": [{"id": i.pk, **_fields(i, ITEM_FIELDS)} for i in task.items.all()],
    }


def amendment_payload(task_id: int) -> dict[str, Any]:
    """The origin task's approved amendments and its approved plan now (in the sender's schema;
    an amendment still open there is not pushed: its baseline is)."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise InvalidInput(_("来源任务不存在。"), field="task", code="not_found")
    revisions = approved_revisions(task)
    if not revisions:
        raise Conflict(_("来源任务还没有经批准的变更。"), code="no_amendment")
    plan = approved_plan(task)
    return {
        "task": {"id": task.pk, "status": task.status, **_fields(task, TASK_FIELDS)},
        "plan": {
            "guests": [{"id": g.pk, **_fields(g, GUEST_FIELDS)} for g in plan.guests],
            "items": [{"id": i.pk, **_fields(i, ITEM_FIELDS)} for i in plan.items],
        },
        "revisions": [{"number": r.number, "reason": r.reason, "changes": r.changes} for r in revisions],
    }


def standard_payload() -> dict[str, Any]:
    """The sender's standards in force today (in the sender's schema)."""
    return standard_wire(standard_values(standard_in_force(timezone.localdate())))


def _materialise_notice(delivery: Delivery) -> dict[str, Any]:
    return {}


def _materialise_task(delivery: Delivery) -> dict[str, Any]:
    directive = delivery.directive
    payload = directive.payload
    return directive_task_receive(
        actor=directive.created_by,
        jurisdiction=delivery.target,
        directive_id=directive.pk,
        origin=f"{directive.sender.code}:{payload['task']['id']}",
        letter=payload["letter"],
        task=payload["task"],
        guests=payload["guests"],
        items=payload["items"],
    )


def _received(delivery: Delivery) -> tuple[int | None, dict[str, Any] | None, int]:
    """The local task the target made of the original `task` directive, the origin map as the
    last delivered amendment left it, and the last amendment number applied there."""
    from reporting.models import Delivery, DeliveryStatus

    done = (DeliveryStatus.DELIVERED, DeliveryStatus.ACKNOWLEDGED)
    original = Delivery.objects.filter(directive=delivery.directive.amends, target=delivery.target).first()
    if original is None or original.status not in done:
        return None, None, 0
    mapping, applied = original.result.get("origin_map"), 0
    earlier = (
        Delivery.objects.filter(
            directive__amends=delivery.directive.amends, target=delivery.target, status__in=done, pk__lt=delivery.pk
        )
        .exclude(pk=delivery.pk)
        .order_by("pk")
    )
    for row in earlier:
        if row.result.get("outcome") in ("replaced", "amendment_opened", "applied_to_amendment"):
            mapping = row.result.get("origin_map", mapping)
            applied = max([applied, *row.result.get("applied", [])])
    return original.local_task_id, mapping, applied


def _materialise_amendment(delivery: Delivery) -> dict[str, Any]:
    directive = delivery.directive
    payload = directive.payload
    local_task_id, mapping, applied = _received(delivery)
    if local_task_id is None:
        return {"outcome": "not_applied", "reason": "not_received", "applied": []}
    pending = [r for r in payload["revisions"] if r["number"] > applied]
    result = directive_amendment_apply(
        actor=directive.created_by,
        jurisdiction=delivery.target,
        task_id=local_task_id,
        directive_id=directive.pk,
        origin=f"{directive.sender.code}:{payload['task']['id']}",
        plan=payload["plan"],
        revisions=pending,
        origin_map=mapping,
    )
    return {"local_task_id": local_task_id, **result}


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
    "amendment": _materialise_amendment,
}
