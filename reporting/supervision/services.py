"""Writes of supervision: early-warning notices, the annual budget, inspections and their
checklists. Each is one transaction with one audit entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.models import User
from core.notifications import notify
from core.transitions import transition_require
from reception.rules import RuleCode
from reporting.local.models import (
    INSPECTION_TRANSITIONS,
    Area,
    ChecklistItem,
    Inspection,
    InspectionAction,
    InspectionStatus,
    ReceptionBudget,
    Result,
    WarningNotice,
)
from reporting.supervision.selectors import WarningCode, current_warnings, inspection_detail, subordinate
from tenants.models import Jurisdiction, Membership, Role

#: Who is told.
#: Told of each finding as it appears; supervisors get the daily digest (`reporting.supervision.digest`).
NOTIFIED_ROLES = (Role.FINANCE,)
#: The notification event of an early warning, by its code (a rule's finding or an annual budget's).
WARNING_EVENTS: dict[str, str] = {
    RuleCode.ACCOMPANY_LIMIT: "reporting.warning.accompany_limit",
    RuleCode.MEAL_HEADCOUNT: "reporting.warning.meal_headcount",
    RuleCode.MEAL_STANDARD: "reporting.warning.meal_standard",
    RuleCode.MEAL_STANDARD_NEAR: "reporting.warning.meal_standard_near",
    RuleCode.HOSTED_MEAL_NOT_ALLOWED: "reporting.warning.hosted_meal_not_allowed",
    RuleCode.WORKING_MEAL_COUNT: "reporting.warning.working_meal_count",
    RuleCode.LEVEL_ABOVE_GUESTS: "reporting.warning.level_above_guests",
    RuleCode.SUITE_NOT_ALLOWED: "reporting.warning.suite_not_allowed",
    RuleCode.LODGING_STANDARD: "reporting.warning.lodging_standard",
    RuleCode.AGREED_PRICE_EXCEEDED: "reporting.warning.agreed_price_exceeded",
    RuleCode.BANNED_ITEM: "reporting.warning.banned_item",
    RuleCode.BANNED_ACTIVITY: "reporting.warning.banned_activity",
    RuleCode.VEHICLE_PER_GUEST: "reporting.warning.vehicle_per_guest",
    RuleCode.BUDGET_EXCEEDED: "reporting.warning.budget_exceeded",
    RuleCode.ITEM_OUTSIDE_DATES: "reporting.warning.item_outside_dates",
    RuleCode.BOOKING_CONFLICT: "reporting.warning.booking_conflict",
    RuleCode.ACTUAL_OVER_STANDARD: "reporting.warning.actual_over_standard",
    WarningCode.ANNUAL_BUDGET_NEAR: "reporting.warning.annual_budget_near",
    WarningCode.ANNUAL_BUDGET_EXCEEDED: "reporting.warning.annual_budget_exceeded",
}


def _recipients(jurisdiction: Jurisdiction) -> list[User]:
    ids = Membership.objects.filter(jurisdiction=jurisdiction, role__in=NOTIFIED_ROLES).values_list(
        "user_id", flat=True
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def warnings_notify(*, jurisdiction: Jurisdiction) -> int:
    """Tell finance and supervisors about each finding not told before; returns how many findings.

    Run by Celery (beat, every few minutes, in each jurisdiction's schema). Safe to run twice."""
    warnings = current_warnings(jurisdiction=jurisdiction)
    if not warnings:
        return 0
    with transaction.atomic():
        told = set(WarningNotice.objects.filter(key__in=[w.key for w in warnings]).values_list("key", flat=True))
        fresh = [w for w in warnings if w.key not in told]
        if not fresh:
            return 0
        recipients = _recipients(jurisdiction)
        for warning in fresh:
            _notice, created = WarningNotice.objects.get_or_create(
                key=warning.key,
                defaults={
                    "code": warning.code,
                    "task_id": warning.task,
                    "message": warning.message,
                    "recipients": len(recipients),
                },
            )
            if not created:
                continue  # a concurrent run told it
            notify(
                recipients=recipients,
                event=WARNING_EVENTS[warning.code],
                subject=_("接待预警：%(title)s") % {"title": warning.task_title},
                body=warning.message,
                jurisdiction_code=jurisdiction.code,
                dedupe_key=f"{jurisdiction.schema_name}:{warning.key}",
            )
            audit_record(
                actor=None,
                action="reporting.warning.notified",
                jurisdiction_code=jurisdiction.code,
                object_type="reception.task",
                object_id=warning.task,
                after={"code": warning.code, "severity": warning.severity, "recipients": len(recipients)},
                comment=warning.message,
            )
    return len(fresh)


def budget_set(*, actor: User, jurisdiction: Jurisdiction, year: int, amount: Decimal) -> ReceptionBudget:
    """Set the year's reception budget (a tenant setting); audited with before and after."""
    with transaction.atomic():
        budget = ReceptionBudget.objects.select_for_update().filter(year=year).first()
        before = None if budget is None else {"amount": str(budget.amount)}
        if budget is None:
            budget = ReceptionBudget(year=year)
        budget.amount = amount
        budget.updated_by = actor
        budget.save()
        audit_record(
            actor=actor,
            action="reporting.budget.set",
            jurisdiction_code=jurisdiction.code,
            object_type="reporting.budget",
            object_id=year,
            before=before,
            after={"year": year, "amount": str(amount)},
        )
    return budget


ITEM_FIELDS = ("result", "finding", "follow_up", "follow_up_due", "resolved")
#: What may still change once an inspection is closed: whether a follow-up was carried out.
AFTER_CLOSE_FIELDS = frozenset({"resolved"})


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
        transition = transition_require(
            INSPECTION_TRANSITIONS,
            InspectionAction.CLOSE,
            inspection.status,
            message=_("检查已结束。"),
            code="inspection_closed",
        )
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
        inspection.status = transition.target
        inspection.summary = summary
        inspection.closed_at = timezone.now()
        inspection.version += 1
        inspection.save()
        _audit(
            actor, jurisdiction, "reporting.inspection.closed", inspection, before=before, after=_snapshot(inspection)
        )
    return inspection_detail(inspection.pk)
