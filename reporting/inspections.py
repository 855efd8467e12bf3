"""Supervision of subordinates (监督检查): an inspection per visit with a checklist of the five areas
(rules made, standards kept, funds used, disclosure, in-house venues), findings and follow-ups.

Kept in the superior's schema; the subordinate is referenced by its code, which must lie in the
superior's subtree. Reads in `inspection_list` / `inspection_detail`; every write is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.models import User
from reporting.local.models import Area, ChecklistItem, Inspection, InspectionStatus, Result
from tenants.models import Jurisdiction

ITEM_FIELDS = ("result", "finding", "follow_up", "follow_up_due", "resolved")
#: What may still change once an inspection is closed: whether a follow-up was carried out.
AFTER_CLOSE_FIELDS = frozenset({"resolved"})


def inspection_list(*, subordinate_code: str | None = None) -> QuerySet[Inspection]:
    rows = Inspection.objects.prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("id")))
    if subordinate_code:
        rows = rows.filter(subordinate_code=subordinate_code)
    return rows.order_by("-inspected_on", "-id")


def inspection_detail(inspection_id: int) -> Inspection:
    inspection = inspection_list().filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFound(_("检查记录不存在。"))
    return inspection


def subordinate(*, jurisdiction: Jurisdiction, code: str) -> Jurisdiction:
    """A jurisdiction below `jurisdiction` (at any depth), or a 400 on `subordinate_code`."""
    found = Jurisdiction.objects.filter(code=code).first()
    if found is None or not jurisdiction.is_ancestor_of(found):
        raise InvalidInput(
            _("辖区 %(code)s 不是本辖区的下级，不能检查。") % {"code": code},
            field="subordinate_code",
            code="not_subordinate",
        )
    return found


def _snapshot(inspection: Inspection) -> dict[str, Any]:
    return {
        "subordinate_code": inspection.subordinate_code,
        "title": inspection.title,
        "inspected_on": inspection.inspected_on.isoformat(),
        "status": inspection.status,
        "summary": inspection.summary,
    }


def _item_snapshot(item: ChecklistItem) -> dict[str, Any]:
    due = item.follow_up_due
    return {
        "area": item.area,
        "result": item.result,
        "finding": item.finding,
        "follow_up": item.follow_up,
        "follow_up_due": due.isoformat() if due else None,
        "resolved": item.resolved,
    }


def _audit(actor: User, jurisdiction: Jurisdiction, action: str, inspection: Inspection, **kwargs: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        jurisdiction_code=jurisdiction.code,
        object_type="reporting.inspection",
        object_id=inspection.pk,
        **kwargs,
    )


def inspection_create(
    *, actor: User, jurisdiction: Jurisdiction, subordinate_code: str, title: str, inspected_on: date
) -> Inspection:
    """Open an inspection of a subordinate with an unchecked item for each of the five areas."""
    target = subordinate(jurisdiction=jurisdiction, code=subordinate_code)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            subordinate_code=target.code,
            subordinate_name=target.name,
            title=title,
            inspected_on=inspected_on,
            created_by=actor,
        )
        ChecklistItem.objects.bulk_create(ChecklistItem(inspection=inspection, area=area) for area in Area.values)
        _audit(actor, jurisdiction, "reporting.inspection.created", inspection, after=_snapshot(inspection))
    return inspection_detail(inspection.pk)


def _locked(inspection_id: int) -> Inspection:
    inspection = Inspection.objects.select_for_update().filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFound(_("检查记录不存在。"))
    return inspection


def checklist_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    inspection_id: int,
    area: str,
    changes: dict[str, Any],
    version: int | None = None,
) -> ChecklistItem:
    """Record an area's result, finding and follow-up; once closed, only `resolved` changes."""
    with transaction.atomic():
        inspection = _locked(inspection_id)
        item = ChecklistItem.objects.select_for_update().filter(inspection=inspection, area=area).first()
        if item is None:
            raise NotFound(_("检查事项不存在。"))
        if version is not None and version != item.version:
            raise Conflict(_("该检查事项已被他人修改，请刷新后重试。"), code="stale_version")
        if inspection.status == InspectionStatus.CLOSED and set(changes) - AFTER_CLOSE_FIELDS:
            raise Conflict(_("检查已结束，只能登记整改是否完成。"), code="inspection_closed")
        result = changes.get("result", item.result)
        finding = changes.get("finding", item.finding)
        if result == Result.ISSUES and not str(finding).strip():
            raise InvalidInput(_("存在问题时须写明发现的问题。"), field="finding", code="finding_required")
        before = _item_snapshot(item)
        for name in ITEM_FIELDS:
            if name in changes:
                setattr(item, name, changes[name])
        if _item_snapshot(item) == before:
            return item
        item.version += 1
        item.save()
        inspection.version += 1
        inspection.save(update_fields=["version"])
        _audit(
            actor,
            jurisdiction,
            "reporting.inspection.item_updated",
            inspection,
            before=before,
            after=_item_snapshot(item),
        )
    return item


def inspection_close(*, actor: User, jurisdiction: Jurisdiction, inspection_id: int, summary: str) -> Inspection:
    """Close an inspection once every area is checked; closing twice is a conflict (409)."""
    with transaction.atomic():
        inspection = _locked(inspection_id)
        if inspection.status != InspectionStatus.OPEN:
            raise Conflict(_("检查已结束。"), code="inspection_closed")
        unchecked = list(
            inspection.items.filter(result=Result.NOT_CHECKED).order_by("id").values_list("area", flat=True)
        )
        if unchecked:
            raise RuleViolation(
                _("尚有检查事项未检查，不能结束。"),
                errors=[
                    {"code": "area_not_checked", "message": _("未检查：%(area)s") % {"area": Area(area).label}}
                    for area in unchecked
                ],
            )
        before = _snapshot(inspection)
        inspection.status = InspectionStatus.CLOSED
        inspection.summary = summary
        inspection.closed_at = timezone.now()
        inspection.version += 1
        inspection.save()
        _audit(
            actor, jurisdiction, "reporting.inspection.closed", inspection, before=before, after=_snapshot(inspection)
        )
    return inspection_detail(inspection.pk)
