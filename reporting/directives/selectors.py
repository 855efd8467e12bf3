"""Reads of directives: the sender's list and one directive with its deliveries, a target's inbox,
and the status of the local tasks made from a `task` directive (status only)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from core.models import AuditEntry
from reporting.models import Delivery, DeliveryStatus, Directive, DirectiveAttachment
from tenants.models import Jurisdiction

INBOX_STATUSES = (DeliveryStatus.DELIVERED, DeliveryStatus.ACKNOWLEDGED)


def directives_sent(*, sender: Jurisdiction) -> QuerySet[Directive]:
    """The sender's directives, newest first, with their delivery counts by status (one query)."""
    counts = {f"n_{s}": Count("deliveries", filter=Q(deliveries__status=s)) for s in DeliveryStatus.values}
    return (
        Directive.objects.filter(sender=sender)
        .select_related("created_by")
        .annotate(n_targets=Count("deliveries"), **counts)
        .order_by("-created_at", "-id")
    )


def directive_detail(*, sender: Jurisdiction, directive_id: int) -> Directive:
    directive = (
        Directive.objects.filter(pk=directive_id, sender=sender)
        .select_related("created_by")
        .prefetch_related("attachments")
        .first()
    )
    if directive is None:
        raise NotFound(_("指令不存在。"))
    return directive


def directive_deliveries(directive: Directive) -> list[Delivery]:
    """The deliveries in tree order, each with `local_task_status` (None without a local task)."""
    rows = list(
        Delivery.objects.filter(directive=directive)
        .select_related("target", "acknowledged_by")
        .order_by("target__path")
    )
    statuses = local_task_statuses(rows)
    for row in rows:
        row.local_task_status = statuses.get((row.target.code, row.local_task_id))  # type: ignore[attr-defined]
    return rows


def local_task_statuses(deliveries: list[Delivery]) -> dict[tuple[str, int | None], str]:
    """The current status of each delivery's local task, from the public audit log (one query).

    Every change of a task's status is audited (append-only, in the public schema) with the new
    status in `after`, so the origin reads its targets' progress without entering their schemas."""
    pairs = {(d.target.code, d.local_task_id) for d in deliveries if d.local_task_id is not None}
    if not pairs:
        return {}
    rows = (
        AuditEntry.objects.filter(
            jurisdiction_code__in={code for code, _id in pairs},
            object_type="reception.task",
            object_id__in={str(task_id) for _code, task_id in pairs},
            after__has_key="status",
        )
        .order_by("jurisdiction_code", "object_id", "-sequence")
        .distinct("jurisdiction_code", "object_id")
        .values_list("jurisdiction_code", "object_id", "after")
    )
    found: dict[tuple[str, int | None], str] = {}
    for code, object_id, after in rows:
        key = (code, int(object_id))
        if key in pairs:
            found[key] = str((after or {}).get("status"))
    return found


def inbox(*, target: Jurisdiction) -> QuerySet[Delivery]:
    """What reached this jurisdiction, newest first."""
    return (
        Delivery.objects.filter(target=target, status__in=INBOX_STATUSES)
        .select_related("directive", "directive__sender", "acknowledged_by")
        .order_by("-directive__created_at", "-id")
    )


def inbox_entry(*, target: Jurisdiction, delivery_id: int) -> Delivery:
    found = inbox(target=target).prefetch_related("directive__attachments").filter(pk=delivery_id).first()
    if found is None:
        raise NotFound(_("指令不存在。"))
    return found


def subtree_for_picker(*, sender: Jurisdiction) -> list[dict[str, Any]]:
    """Every active jurisdiction below the sender, in tree order with its depth (for the picker)."""
    base = sender.path.count(".")
    return [
        {"code": j.code, "name": j.name, "level": j.level, "depth": j.path.count(".") - base, "parent": j.parent_code}
        for j in Jurisdiction.objects.filter(
            path__startswith=sender.path + ".", status=Jurisdiction.Status.ACTIVE
        ).order_by("path")
    ]


def directive_attachment(*, sender: Jurisdiction, directive_id: int, attachment_id: int) -> DirectiveAttachment:
    found = DirectiveAttachment.objects.filter(
        pk=attachment_id, directive_id=directive_id, directive__sender=sender
    ).first()
    if found is None:
        raise NotFound(_("附件不存在。"))
    return found


def inbox_attachment(*, target: Jurisdiction, delivery_id: int, attachment_id: int) -> DirectiveAttachment:
    """An attachment of a directive that reached this jurisdiction (delivered or acknowledged)."""
    delivery = inbox_entry(target=target, delivery_id=delivery_id)
    found = DirectiveAttachment.objects.filter(pk=attachment_id, directive_id=delivery.directive_id).first()
    if found is None:
        raise NotFound(_("附件不存在。"))
    return found
