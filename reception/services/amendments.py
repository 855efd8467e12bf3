"""The amendment cycle's bookkeeping (变更): the revision opened, submitted, returned, approved or
cancelled with its task, and the orders following an approved amendment.

These run inside the task's transitions (`reception.services.transitions`), with the task row
locked, in its one transaction; the transition writes the task's audit entry.
"""

from __future__ import annotations

from django.db.models import Max, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from core.models import User
from provider_portal.orders.services import OrderSpec, orders_follow_plan
from reception.models import OPEN_REVISION_STATUSES, PlanItem, Revision, RevisionStatus, Task
from reception.notifications import arrangements_notify
from reception.revisions import plan_changes, plan_snapshot
from reception.services.schedule import schedule_follow_items
from tenants.models import Jurisdiction


def order_spec(item: PlanItem) -> OrderSpec:
    """What the provider is sent of a plan item (which has a provider)."""
    assert item.provider_id is not None
    return OrderSpec(
        item_id=item.pk,
        provider_id=item.provider_id,
        kind=item.kind,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        venue=item.venue,
        meal_type=item.meal_type,
        guests_count=item.guests_count,
        accompanying_count=item.accompanying_count,
        quantity=item.quantity,
        room_type=item.room_type,
        menu=item.menu,
        unit_price=item.unit_price,
        planned_amount=item.amount,
    )


def open_revision(task: Task) -> Revision:
    """The task's open amendment, locked (the task's row is locked already)."""
    revision = Revision.objects.select_for_update().filter(task=task, status__in=OPEN_REVISION_STATUSES).first()
    if revision is None:  # a task in an amendment state always has one: the database says otherwise
        raise Conflict(_("该任务没有进行中的变更。"), code="no_amendment")
    return revision


def revision_open(*, actor: User, task: Task, reason: str) -> Revision:
    """Open the next revision on the approved plan as it stands (its baseline)."""
    prefetch_related_objects([task], "items", "guests", "accompanying")
    last = Revision.objects.filter(task=task).aggregate(n=Max("number"))["n"] or 0
    return Revision.objects.create(
        task=task,
        number=last + 1,
        reason=reason,
        resume_status=task.status,
        baseline=plan_snapshot(task),
        opened_by=actor,
    )


def revision_submit(*, actor: User, task: Task) -> None:
    revision = open_revision(task)
    revision.status, revision.submitted_by, revision.submitted_at = RevisionStatus.SUBMITTED, actor, timezone.now()
    revision.save(update_fields=["status", "submitted_by", "submitted_at"])


def revision_return(*, task: Task) -> None:
    revision = open_revision(task)
    revision.status = RevisionStatus.OPEN
    revision.save(update_fields=["status"])


def revision_cancel(*, task: Task) -> None:
    Revision.objects.filter(task=task, status__in=OPEN_REVISION_STATUSES).update(status=RevisionStatus.CANCELLED)


def revision_approve(*, actor: User, jurisdiction: Jurisdiction, task: Task) -> str:
    """Approve the open amendment: record what it changed, make the orders follow it (same
    transaction), tell the parties outside. Answers the state the task goes back to."""
    revision = open_revision(task)
    prefetch_related_objects([task], "items", "guests", "accompanying")
    revision.changes = plan_changes(revision.baseline, plan_snapshot(task))
    revision.status, revision.approved_by, revision.approved_at = RevisionStatus.APPROVED, actor, timezone.now()
    revision.save(update_fields=["changes", "status", "approved_by", "approved_at"])
    items = [item for item in task.items.all() if item.provider_id is not None]
    orders_follow_plan(
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task.pk,
        reason=revision.reason,
        specs=[order_spec(item) for item in items],
    )
    # the schedule's entries for items take the approved times and venues (one query, none changed)
    schedule_follow_items(actor=actor, jurisdiction=jurisdiction, task=task, items=list(task.items.all()))
    arrangements_notify(
        jurisdiction=jurisdiction, task=task, event="reception.task.amendment_approved", revision=revision.number
    )
    return revision.resume_status
