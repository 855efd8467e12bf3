"""The plan: guests, accompanying staff and items, edited by the drafter while draft or returned.

Each write locks the task row (so a concurrent submission waits), checks the object's version
when one is sent, validates, writes, bumps the task's version and records one audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput, NotFound
from core.models import User
from provider_portal.models import Provider
from reception.models import ITEM_FIELDS as ITEM_FIELDS_SENT
from reception.models import AccompanyingStaff, Guest, ItemKind, PlanItem, RoomType, Task
from reception.models.plans import default_payer
from reception.models.tasks import AMENDMENT_STATUSES
from reception.rule_facts import meal_type_at
from reception.services.common import check_version, required_text, snapshot, validated
from reception.services.schedule import schedule_follow_item
from reception.services.tasks import lock_editable_task, task_touch
from tenants.models import Jurisdiction

Cleaner = Callable[[Jurisdiction, dict[str, Any], set[str]], dict[str, Any]]


@dataclass(frozen=True)
class PlanPart:
    model: type[models.Model]
    noun: str  # reception.<noun>.added / updated / deleted
    fields: tuple[str, ...]
    clean: Cleaner
    missing: Any  # the message when the object is not in this task


def _clean_person(jurisdiction: Jurisdiction, values: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    out = dict(values)
    out["name"] = required_text(values.get("name"), field="name", message=_("请填写姓名。"), max_length=50)
    out["unit"] = required_text(values.get("unit"), field="unit", message=_("请填写单位。"), max_length=200)
    out["post"] = required_text(values.get("post"), field="post", message=_("请填写职务。"), max_length=100)
    if "phone" in values:
        out["phone"] = (values.get("phone") or "").strip()
    return out


def _only_for(values: dict[str, Any], changed: set[str], field: str, empty: Any, message: Any) -> None:
    """A field that does not apply to the item's kind: refused when sent, cleared when inherited."""
    if values.get(field) not in (None, "", False) and field in changed:
        raise InvalidInput(message, field=field, code="not_applicable")
    values[field] = empty


def _provider_serving(jurisdiction: Jurisdiction, provider_id: int) -> Provider:
    provider = Provider.objects.filter(
        pk=provider_id, is_active=True, service_areas__jurisdiction_id=jurisdiction.pk
    ).first()
    if provider is None:
        raise InvalidInput(_("该服务单位不在本辖区的定点名单中。"), field="provider", code="provider_not_serving")
    return provider


def _clean_item(jurisdiction: Jurisdiction, values: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    out = dict(values)
    out["venue"] = required_text(values.get("venue"), field="venue", message=_("请填写地点。"), max_length=200)
    out["menu"] = (values.get("menu") or "").strip()
    kind = out.get("kind")
    if kind == ItemKind.MEAL:
        out["meal_type"] = out.get("meal_type") or meal_type_at(out["starts_at"])
    else:
        _only_for(out, changed, "meal_type", "", _("只有用餐事项才有餐别。"))
        _only_for(out, changed, "working_meal", False, _("只有用餐事项才能标为工作餐。"))
    if kind == ItemKind.LODGING:
        out["room_type"] = out.get("room_type") or RoomType.STANDARD
    else:
        _only_for(out, changed, "room_type", "", _("只有住宿事项才有房型。"))
    ends_at = out.get("ends_at")
    if ends_at is not None and ends_at < out["starts_at"]:
        raise InvalidInput(_("结束时间不能早于开始时间。"), field="ends_at", code="end_before_start")
    if not out.get("payer"):
        # Omitted: the regulation's default (guests pay their meals and rooms; the host the
        # working meal, vehicles, meeting rooms, visits). Kept as it is on a change that omits it.
        out["payer"] = default_payer(kind or "", bool(out.get("working_meal")))
    provider = out.pop("provider", None)
    if "provider" in changed:
        out["provider_id"] = _provider_serving(jurisdiction, provider).pk if provider is not None else None
    out.setdefault("accompanying_count", 0)
    return out


GUEST = PlanPart(Guest, "guest", ("name", "unit", "post", "grade", "phone"), _clean_person, _("来宾不存在。"))
STAFF = PlanPart(AccompanyingStaff, "staff", ("name", "unit", "post"), _clean_person, _("陪同人员不存在。"))
ITEM_FIELDS = tuple(f"{name}_id" if name == "provider" else name for name in ITEM_FIELDS_SENT)
ITEM = PlanPart(PlanItem, "item", ITEM_FIELDS, _clean_item, _("方案事项不存在。"))
#: The audit action of each change to a part of the plan.
PART_ACTIONS = {
    ("guest", "added"): "reception.guest.added",
    ("guest", "updated"): "reception.guest.updated",
    ("guest", "deleted"): "reception.guest.deleted",
    ("staff", "added"): "reception.staff.added",
    ("staff", "updated"): "reception.staff.updated",
    ("staff", "deleted"): "reception.staff.deleted",
    ("item", "added"): "reception.item.added",
    ("item", "updated"): "reception.item.updated",
    ("item", "deleted"): "reception.item.deleted",
}


def _audit(
    part: PlanPart,
    verb: str,
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task: Task,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=PART_ACTIONS[(part.noun, verb)],
        jurisdiction_code=jurisdiction.code,
        obj=obj,
        before=None if before is None else {"task": task.pk, **before},
        after=None if after is None else {"task": task.pk, **after},
    )


def _create(
    part: PlanPart, *, actor: User, jurisdiction: Jurisdiction, task_id: int, rows: list[dict[str, Any]]
) -> list[Any]:
    if not rows:
        raise InvalidInput(_("至少提交一条记录。"), field="non_field_errors", code="empty")
    task = lock_editable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    created = []
    for row in rows:
        obj = part.model(task=task, **part.clean(jurisdiction, row, set(row)))
        validated(obj).save()
        _audit(
            part, "added", actor=actor, jurisdiction=jurisdiction, task=task, obj=obj, after=snapshot(obj, part.fields)
        )
        created.append(obj)
    task_touch(task)
    return created


def _locked_part(part: PlanPart, task: Task, object_id: int) -> Any:
    obj = part.model._default_manager.select_for_update().filter(pk=object_id, task=task).first()
    if obj is None:
        raise NotFound(part.missing)
    return obj


def _update(
    part: PlanPart,
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    object_id: int,
    changes: dict[str, Any],
    version: int | None,
) -> Any:
    task = lock_editable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    obj = _locked_part(part, task, object_id)
    check_version(obj, version)
    before = snapshot(obj, part.fields)
    current = {name.removesuffix("_id"): getattr(obj, name) for name in part.fields}
    current.pop("provider", None)  # only re-checked when sent
    for name, value in part.clean(jurisdiction, {**current, **changes}, set(changes)).items():
        setattr(obj, name, value)
    obj.version += 1
    validated(obj).save()
    if part is ITEM and task.status not in AMENDMENT_STATUSES:  # an amendment's: at its approval
        schedule_follow_item(actor=actor, jurisdiction=jurisdiction, task=task, item=obj)
    _audit(
        part,
        "updated",
        actor=actor,
        jurisdiction=jurisdiction,
        task=task,
        obj=obj,
        before=before,
        after=snapshot(obj, part.fields),
    )
    task_touch(task)
    return obj


def _delete(
    part: PlanPart, *, actor: User, jurisdiction: Jurisdiction, task_id: int, object_id: int, version: int | None
) -> None:
    task = lock_editable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    obj = _locked_part(part, task, object_id)
    check_version(obj, version)
    _audit(
        part, "deleted", actor=actor, jurisdiction=jurisdiction, task=task, obj=obj, before=snapshot(obj, part.fields)
    )
    obj.delete()
    task_touch(task)


# --- Public services ------------------------------------------------------------------------


@transaction.atomic
def guests_add(*, actor: User, jurisdiction: Jurisdiction, task_id: int, guests: list[dict[str, Any]]) -> list[Guest]:
    """Add one or more guests (name, unit, post, grade, phone)."""
    return _create(GUEST, actor=actor, jurisdiction=jurisdiction, task_id=task_id, rows=guests)


@transaction.atomic
def guest_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    guest_id: int,
    changes: dict[str, Any],
    version: int | None = None,
) -> Guest:
    return _update(
        GUEST,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        object_id=guest_id,
        changes=changes,
        version=version,
    )


@transaction.atomic
def guest_delete(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, guest_id: int, version: int | None = None
) -> None:
    _delete(GUEST, actor=actor, jurisdiction=jurisdiction, task_id=task_id, object_id=guest_id, version=version)


@transaction.atomic
def staff_add(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, staff: list[dict[str, Any]]
) -> list[AccompanyingStaff]:
    """Add one or more accompanying officials (name, unit, post)."""
    return _create(STAFF, actor=actor, jurisdiction=jurisdiction, task_id=task_id, rows=staff)


@transaction.atomic
def staff_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    staff_id: int,
    changes: dict[str, Any],
    version: int | None = None,
) -> AccompanyingStaff:
    return _update(
        STAFF,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        object_id=staff_id,
        changes=changes,
        version=version,
    )


@transaction.atomic
def staff_delete(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, staff_id: int, version: int | None = None
) -> None:
    _delete(STAFF, actor=actor, jurisdiction=jurisdiction, task_id=task_id, object_id=staff_id, version=version)


@transaction.atomic
def item_add(*, actor: User, jurisdiction: Jurisdiction, task_id: int, fields: dict[str, Any]) -> PlanItem:
    """Add an item; a meal without a meal type takes it from its time, lodging defaults to a standard room."""
    return _create(ITEM, actor=actor, jurisdiction=jurisdiction, task_id=task_id, rows=[fields])[0]


@transaction.atomic
def item_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    item_id: int,
    changes: dict[str, Any],
    version: int | None = None,
) -> PlanItem:
    """Change an item; a stale `version` answers 409, none writes anyway."""
    return _update(
        ITEM,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        object_id=item_id,
        changes=changes,
        version=version,
    )


@transaction.atomic
def item_delete(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, item_id: int, version: int | None = None
) -> None:
    _delete(ITEM, actor=actor, jurisdiction=jurisdiction, task_id=task_id, object_id=item_id, version=version)
