"""A handler's day (今日任务): the tasks assigned to them that run today and what happens today,
for the page the service worker keeps for use on the road. "Today" is the day in the time zone
active for the request (the user's own, see core.middleware.UserTimeZoneMiddleware)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from provider_portal.models import OrderStatus
from provider_portal.orders.models import CLOSED_STATUSES, Order
from reception.models import PlanItem, ScheduleEntry, Task, TaskStatus

#: A task is on a handler's day while it is to be carried out; while an amendment is drafted or
#: reviewed, the approved plan stays in force.
TODAY_STATUSES = (TaskStatus.APPROVED, TaskStatus.IN_PROGRESS, TaskStatus.AMENDING, TaskStatus.AMENDMENT_SUBMITTED)


@dataclass(frozen=True)
class DayEntry:
    """One line of the day's itinerary: a plan item (with its order's state, if sent) or a
    schedule entry of its own."""

    starts_at: datetime
    ends_at: datetime | None
    label: str
    venue: str
    provider: str
    order_status: str = ""
    order_status_label: str = ""


@dataclass(frozen=True)
class DayTask:
    """A task of the day with its entries and when anything of it last changed (the task, its
    schedule or its orders)."""

    task: Task
    entries: list[DayEntry]
    updated_at: datetime


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the next, in the active time zone."""
    opens = timezone.make_aware(datetime.combine(day, time(0)))
    return opens, timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0)))


def _touches(opens: datetime, closes: datetime) -> Q:
    """Rows whose time touches the day: starting before it ends, ending (or starting) in or after it."""
    return Q(starts_at__lt=closes) & (Q(ends_at__gte=opens) | Q(ends_at__isnull=True, starts_at__gte=opens))


def _item_label(item: PlanItem) -> str:
    label = str(item.get_kind_display())
    if item.meal_type:
        label += f"（{item.get_meal_type_display()}）"
    if item.room_type:
        label += f"（{item.get_room_type_display()}）"
    return label


def handler_day(*, handler_id: int, day: date | None = None) -> list[DayTask]:
    """The handler's tasks running on `day` (default: today in the active time zone), soonest
    first, each with that day's plan items and schedule entries. Four queries, whatever the count."""
    day = day or timezone.localdate()
    opens, closes = day_bounds(day)
    tasks = list(
        Task.objects.filter(
            handler_id=handler_id, status__in=TODAY_STATUSES, start_date__lte=day, end_date__gte=day
        ).order_by("start_date", "id")
    )
    if not tasks:
        return []
    ids = [task.pk for task in tasks]
    items = list(
        PlanItem.objects.filter(_touches(opens, closes), task_id__in=ids)
        .select_related("provider")
        .order_by("starts_at")
    )
    # An entry that shows a plan item repeats it: the item is listed once, with its order.
    entries = list(
        ScheduleEntry.objects.filter(_touches(opens, closes), task_id__in=ids, item__isnull=True)
        .select_related("provider")
        .order_by("starts_at")
    )
    orders: dict[int, Order] = {}
    changed: dict[int, datetime] = {}
    for order in Order.objects.filter(task_id__in=ids).order_by("created_at", "id"):
        kept = orders.get(order.item_id)
        if kept is None or kept.status in CLOSED_STATUSES:
            orders[order.item_id] = order  # the item's open order, else its latest closed one
        changed[order.task_id] = max(changed.get(order.task_id, order.updated_at), order.updated_at)
    lines: dict[int, list[DayEntry]] = {pk: [] for pk in ids}
    for item in items:
        sent = orders.get(item.pk)
        lines[item.task_id].append(
            DayEntry(
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                label=_item_label(item),
                venue=item.venue,
                provider=item.provider.name if item.provider else "",
                order_status=sent.status if sent else "",
                order_status_label=str(OrderStatus(sent.status).label) if sent else "",
            )
        )
    for entry in entries:
        lines[entry.task_id].append(
            DayEntry(
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                label=entry.title,
                venue=entry.venue,
                provider=entry.provider.name if entry.provider else "",
            )
        )
        changed[entry.task_id] = max(changed.get(entry.task_id, entry.updated_at), entry.updated_at)
    return [
        DayTask(
            task=task,
            entries=sorted(lines[task.pk], key=lambda line: line.starts_at),
            updated_at=max(task.updated_at, changed.get(task.pk, task.updated_at)),
        )
        for task in tasks
    ]
