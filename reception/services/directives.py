"""A superior's amendment arriving by directive (上级方案变更): the local task made from a `task`
directive follows the amended origin.

The reporting app's delivery calls `directive_amendment_apply` in the target's schema, inside the
delivery's transaction (its row locked: a redelivered message finds it delivered and stops).
What happens depends on where the local task is:

- draft or returned: its guests and items are replaced by the amended origin's approved plan, as
  guidance, without providers (like the first materialisation);
- approved or in progress: a local amendment is opened (`amending`, reason = the superior's) with
  the superior's changes applied to the items and guests they came from; the local drafter
  submits it and the local reviewer approves it (never approved here);
- amending (a local amendment already open): the changes are applied to it;
- submitted or amendment submitted (under review), cancelled, completed or settled: nothing is
  written; the answer says why (`under_review`, `task_cancelled`, `task_closed`).

`origin_map` links the origin's ids to the local ones (`{"items": {origin: local}, "guests": …}`);
the answer carries it updated for the next amendment. One audit entry when something is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.models import User
from reception.models import Guest, Letter, LetterStatus, PlanItem, Task, TaskStatus
from reception.models.plans import default_payer
from reception.notifications import task_transition_notify
from reception.services import amendments
from reception.services.common import require_schema
from tenants.models import Jurisdiction

#: What a directive carries of a guest and an item (no phone; no provider: the local office
#: picks its own).
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
#: Why a delivered amendment wrote nothing (`reason` of a `not_applied` outcome).
NOT_APPLIED: dict[str, str] = {
    TaskStatus.SUBMITTED: "under_review",
    TaskStatus.AMENDMENT_SUBMITTED: "under_review",
    TaskStatus.CANCELLED: "task_cancelled",
    TaskStatus.COMPLETED: "task_closed",
    TaskStatus.SETTLED: "task_closed",
}
PARTS: dict[str, tuple[type[models.Model], str, tuple[str, ...]]] = {
    "item": (PlanItem, "items", ITEM_FIELDS),
    "guest": (Guest, "guests", GUEST_FIELDS),
}


def _python(model: type[models.Model], values: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """JSON values (times as ISO strings, amounts as decimal strings) as the model's."""
    return {
        name: cast(models.Field, model._meta.get_field(name)).to_python(values[name])  # type: ignore[type-arg]
        for name in fields
        if name in values
    }


def _new(model: type[models.Model], task: Task, values: dict[str, Any], fields: tuple[str, ...]) -> models.Model:
    data = _python(model, values, fields)
    if model is PlanItem and not data.get("payer"):  # pushed before items carried a payer
        data["payer"] = default_payer(data.get("kind", ""), bool(data.get("working_meal")))
    return model(task=task, **data)


def _valid(obj: models.Model) -> bool:
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError:
        return False
    return True


def _outcome(outcome: str, **extra: Any) -> dict[str, Any]:
    return {"outcome": outcome, **extra}


def _replace(task: Task, plan: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Delete the local guests and items and write the origin's (as guidance, no providers)."""
    PlanItem.objects.filter(task=task).delete()
    Guest.objects.filter(task=task).delete()
    mapping: dict[str, dict[str, int]] = {"items": {}, "guests": {}}
    for model, key, fields in PARTS.values():
        rows = plan.get(key, [])
        objects = model._default_manager.bulk_create(_new(model, task, row, fields) for row in rows)
        mapping[key] = {str(row["id"]): obj.pk for row, obj in zip(rows, objects, strict=True) if "id" in row}
    return mapping


def _apply_changes(
    task: Task, revisions: list[dict[str, Any]], mapping: dict[str, dict[str, int]]
) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]]:
    """The superior's field-level changes on the local objects they came from. A change whose
    local object is gone, or that would make it invalid, is skipped (and reported)."""
    mapping = {key: dict(mapping.get(key, {})) for key in ("items", "guests")}
    skipped: list[dict[str, Any]] = []
    for revision in revisions:
        for change in revision.get("changes", []):
            part = PARTS.get(change.get("part", ""))
            if part is None:  # accompanying staff are the host's own: not pushed
                continue
            model, key, fields = part
            origin = str(change["id"])
            local_id = mapping[key].get(origin)
            local = model._default_manager.filter(task=task, pk=local_id).first() if local_id else None
            kind = change.get("change")
            if kind == "added":
                obj = _new(model, task, change.get("after") or {}, fields)
                if _valid(obj):
                    obj.save()
                    mapping[key][origin] = obj.pk
                    continue
            elif local is None:
                pass
            elif kind == "deleted":
                local.delete()
                mapping[key].pop(origin, None)
                continue
            elif kind == "changed" and change.get("field") not in fields:
                continue  # a provider or a phone: the local office's own
            elif kind == "changed":
                setattr(
                    local, change["field"], _python(model, {change["field"]: change["after"]}, fields)[change["field"]]
                )
                if _valid(local):
                    if hasattr(local, "version"):
                        local.version += 1
                    local.save()
                    continue
            skipped.append(
                {
                    "revision": revision.get("number"),
                    "part": change.get("part"),
                    "id": change["id"],
                    "change": kind,
                    "field": change.get("field"),
                }
            )
    return mapping, skipped


def directive_amendment_apply(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    directive_id: int,
    origin: str,
    plan: dict[str, Any],
    revisions: list[dict[str, Any]],
    origin_map: dict[str, dict[str, int]] | None,
) -> dict[str, Any]:
    """Make the local task `task_id` follow the superior's amendment (see the module). `revisions`
    are the approved amendments not yet applied here, oldest first; `plan` the origin's approved
    plan now. Answers `{outcome, reason?, revision?, applied, skipped, origin_map}`; call it in
    the target's schema, in a transaction."""
    require_schema(jurisdiction)
    task = Task.objects.select_for_update(of=("self",)).filter(pk=task_id).first()
    numbers = [r["number"] for r in revisions]
    if task is None:
        return _outcome("not_applied", reason="local_task_missing", applied=[], origin_map=origin_map)
    if not revisions:
        return _outcome("not_applied", reason="already_applied", applied=[], origin_map=origin_map)
    if task.status in NOT_APPLIED:
        return _outcome("not_applied", reason=NOT_APPLIED[task.status], applied=[], origin_map=origin_map)
    before = {"status": task.status}
    skipped: list[dict[str, Any]] = []
    revision_number = None
    comment = "；".join(dict.fromkeys(r["reason"] for r in revisions))
    if task.status in (TaskStatus.DRAFT, TaskStatus.RETURNED):
        outcome, mapping = "replaced", _replace(task, plan)
        action = "reception.task.directive_amendment_applied"
    elif origin_map is None:  # delivered before the ids were recorded: nothing to match
        return _outcome("not_applied", reason="no_origin_map", applied=[], origin_map=origin_map)
    elif task.status in (TaskStatus.APPROVED, TaskStatus.IN_PROGRESS):
        revision = amendments.revision_open(actor=actor, task=task, reason=comment)
        revision_number = revision.number
        task.status = TaskStatus.AMENDING
        mapping, skipped = _apply_changes(task, revisions, origin_map)
        outcome, action = "amendment_opened", "reception.task.amended"
    else:  # amending: the open amendment takes the changes too
        revision_number = amendments.open_revision(task).number
        mapping, skipped = _apply_changes(task, revisions, origin_map)
        outcome, action = "applied_to_amendment", "reception.task.directive_amendment_applied"
    task.version += 1
    task.save()
    after = {
        "status": task.status,
        "outcome": outcome,
        "directive": directive_id,
        "origin": origin,
        "revisions": numbers,
        "revision": revision_number,
    }
    audit_record(
        actor=actor,
        action=action,
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=before,
        after=after,
        comment=comment,
    )
    if outcome == "amendment_opened":
        task_transition_notify(
            jurisdiction=jurisdiction, task=task, action=action, done="amended", actor=actor, comment=comment
        )
    result = _outcome(outcome, revision=revision_number, applied=numbers, origin_map=mapping)
    if skipped:
        result["skipped"] = skipped
    return result


#: What a directive carries of the origin's letter and task.
LETTER_FIELDS = ("number", "sending_unit", "purpose", "content", "itinerary", "people_count", "received_on")
TASK_FIELDS = ("title", "level", "counterpart_unit", "start_date", "end_date")
ACTION_RECEIVED = "reception.task.received"


def _checked(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        fields = ", ".join(sorted(exc.message_dict)) if hasattr(exc, "error_dict") else ""
        raise InvalidInput(
            _("上级下发的内容无法登记（%(fields)s）。") % {"fields": fields}, field="payload", code="invalid_payload"
        ) from None


@transaction.atomic
def directive_task_receive(
    *,
    actor: User | None,
    jurisdiction: Jurisdiction,
    directive_id: int,
    origin: str,
    letter: dict[str, Any],
    task: dict[str, Any],
    guests: list[dict[str, Any]],
    items: list[dict[str, Any]],
) -> dict[str, Any]:
    """A superior's task arriving by directive (上级下发任务): its letter registered here, a local
    draft task with the origin's guests and items as guidance (no providers: the local office
    picks its own), each row checked by the model's own validation. One audit entry. Returns the
    local ids and, when the origin's rows carry ids, the map from the origin's ids to the local
    ones (a later amendment of the origin follows it)."""
    require_schema(jurisdiction)
    local_letter = Letter(
        **_python(Letter, letter, LETTER_FIELDS),
        status=LetterStatus.REGISTERED,
        created_by=actor,
        registered_by=actor,
        registered_at=timezone.now(),
    )
    _checked(local_letter)
    local_letter.save()
    local_task = Task(
        letter=local_letter, status=TaskStatus.DRAFT, created_by=actor, **_python(Task, task, TASK_FIELDS)
    )
    _checked(local_task)
    local_task.save()
    new_guests = [cast(Guest, _new(Guest, local_task, row, GUEST_FIELDS)) for row in guests]
    new_items = [cast(PlanItem, _new(PlanItem, local_task, row, ITEM_FIELDS)) for row in items]
    for obj in [*new_guests, *new_items]:
        _checked(obj, exclude=["task"])  # the task was just saved: no query per row to find it
    local_guests = Guest.objects.bulk_create(new_guests)
    local_items = PlanItem.objects.bulk_create(new_items)
    audit_record(
        actor=actor,
        action=ACTION_RECEIVED,
        jurisdiction_code=jurisdiction.code,
        obj=local_task,
        after={
            "letter": local_letter.pk,
            "number": local_letter.number,
            "status": local_task.status,
            "directive": directive_id,
            "origin": origin,
            "guests": len(local_guests),
            "items": len(local_items),
        },
        comment=str(_("上级下发的接待任务（%(origin)s）") % {"origin": origin}),
    )
    result: dict[str, Any] = {"local_task_id": local_task.pk, "local_letter_id": local_letter.pk}
    if all("id" in row for row in [*guests, *items]):
        result["origin_map"] = {
            "guests": {str(row["id"]): obj.pk for row, obj in zip(guests, local_guests, strict=True)},
            "items": {str(row["id"]): obj.pk for row, obj in zip(items, local_items, strict=True)},
        }
    return result
