"""Reads that feed the rules: a task's plan with its rosters, the standards it is judged by and
its providers' agreed prices; many tasks at once (early warning, reports, statistics) in a
constant number of queries; and reported costs judged against the same plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from provider_portal.orders.models import Order, OrderCostLine, OrderStatus
from provider_portal.selectors import agreed_price_book
from reception.models import ItemKind, PlanItem, Task, TaskStatus
from reception.models.bookings import MEETING_LENGTH
from reception.models.tasks import AMENDMENT_STATUSES
from reception.rules import RULES, Checks, Finding, PlanInput, Rule, check_plan
from reception.rules_costs import ReportedCost, judge_cost
from reception.selectors.revisions import approved_plan
from reception.selectors.tasks import standard_values, standard_versions, task_standard
from reception.standards import StandardValues
from tenants.models import Jurisdiction

#: Orders whose reported cost is judged (reported, and approved ones: an approved cost over the
#: standards, from before a rule existed or reopened, is still a finding).
COST_STATUSES = (OrderStatus.COST_REPORTED, OrderStatus.COST_APPROVED)


class StandardBook:
    """Every standards version of the tenant, loaded once (three queries), to check many tasks."""

    def __init__(self) -> None:
        versions = list(standard_versions())
        self.by_id = {s.pk: standard_values(s) for s in versions}
        self.by_date = sorted(
            ((s.effective_from, s.version, s.pk) for s in versions), key=lambda v: (v[0], v[1]), reverse=True
        )

    def for_task(self, *, standard_id: int | None, start_date: date, editable: bool) -> StandardValues:
        """As `reception.selectors.task_standard`: a submitted task keeps its version, a draft
        uses the one in force on its start date (else the oldest)."""
        if not editable and standard_id in self.by_id:
            return self.by_id[standard_id]  # type: ignore[index]
        return self.in_force(start_date)

    def in_force(self, day: date) -> StandardValues:
        for effective_from, _version, pk in self.by_date:
            if effective_from <= day:
                return self.by_id[pk]
        if self.by_date:
            return self.by_id[self.by_date[-1][2]]
        return standard_values(None)


#: What the rules read of a task: guests, accompanying staff, items in plan order.
PLAN_PARTS = ("guests", "accompanying", Prefetch("items", queryset=PlanItem.objects.order_by("starts_at", "id")))


def with_plan(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """`tasks` with what the rules read (three queries)."""
    return tasks.prefetch_related(*PLAN_PARTS)


def task_for_checks(task_id: int) -> Task:
    """A task with only what the rules read (four queries)."""
    task = with_plan(Task.objects.filter(pk=task_id)).first()
    if task is None:
        raise NotFound(_("接待任务不存在。"))
    return task


def _provider_ids(tasks: Iterable[Task]) -> set[int | None]:
    return {item.provider_id for task in tasks for item in task.items.all()}


def venue_clashes(task: Task) -> list[tuple[int, str]]:
    """Other tasks' (not cancelled) meeting items overlapping one of this task's at the same
    provider and venue: (this task's item id, the other task's title). One query, none without
    a meeting at a provider. An item without an end holds its venue for `MEETING_LENGTH`."""
    meetings = [i for i in task.items.all() if i.kind == ItemKind.MEETING and i.provider_id is not None]
    if not meetings:
        return []
    ends = {i.pk: i.ends_at or i.starts_at + MEETING_LENGTH for i in meetings}
    overlapping = Q()
    for item in meetings:
        overlapping |= Q(
            provider_id=item.provider_id, venue=item.venue, starts_at__lt=ends[item.pk], end__gt=item.starts_at
        )
    others = (
        PlanItem.objects.filter(kind=ItemKind.MEETING)
        .exclude(task=task)
        .exclude(task__status=TaskStatus.CANCELLED)
        .annotate(end=Coalesce("ends_at", F("starts_at") + MEETING_LENGTH))
        .filter(overlapping)
        .select_related("task")
        .order_by("starts_at", "pk")
    )
    return [
        (mine.pk, other.task.title)
        for other in others
        for mine in meetings
        if (mine.provider_id, mine.venue) == (other.provider_id, other.venue)
        and mine.starts_at < other.end  # type: ignore[attr-defined]
        and other.starts_at < ends[mine.pk]
    ]


def venue_clashes_among(tasks: Sequence[Task]) -> dict[int, list[tuple[int, str]]]:
    """`venue_clashes` of every task at once, when `tasks` are all the tasks not cancelled (loaded
    `with_plan`): read from their prefetched items, no query. Task id → (its item id, the other
    task's title), in the other item's time order."""
    meetings: dict[tuple[int, str], list[tuple[Any, Any, PlanItem, Task]]] = {}
    for task in tasks:
        if task.status == TaskStatus.CANCELLED:
            continue
        for item in task.items.all():
            if item.kind == ItemKind.MEETING and item.provider_id is not None:
                end = item.ends_at or item.starts_at + MEETING_LENGTH
                meetings.setdefault((item.provider_id, item.venue), []).append((item.starts_at, end, item, task))
    found: dict[int, list[tuple[int, str]]] = {}
    for rows in meetings.values():
        rows.sort(key=lambda row: (row[0], row[2].pk))
        for start, end, item, task in rows:
            for other_start, other_end, _other, other_task in rows:
                if other_task.pk != task.pk and start < other_end and other_start < end:
                    found.setdefault(task.pk, []).append((item.pk, other_task.title))
    return found


def plan_input(
    task: Task, *, standard: StandardValues, prices: Any, clashes: Sequence[tuple[int, str]] = ()
) -> PlanInput:
    return PlanInput(
        task=task,
        guests=list(task.guests.all()),
        accompanying=list(task.accompanying.all()),
        items=list(task.items.all()),
        standard=standard,
        prices=prices,
        venue_clashes=clashes,
    )


def task_plan_input(task: Task, *, jurisdiction: Jurisdiction) -> PlanInput:
    """The plan of one task (its guests, staff and items prefetched or not) as the rules read it,
    with the venues other tasks hold."""
    prices = agreed_price_book(jurisdiction=jurisdiction, provider_ids=_provider_ids([task]))
    return plan_input(task, standard=task_standard(task), prices=prices, clashes=venue_clashes(task))


def task_checks(task: Task, *, jurisdiction: Jurisdiction) -> Checks:
    """The current findings of the task's plan."""
    return check_plan(task_plan_input(task, jurisdiction=jurisdiction))


def tasks_plan_inputs(
    tasks: Sequence[Task], *, jurisdiction: Jurisdiction, clashes: dict[int, list[tuple[int, str]]] | None = None
) -> dict[int, PlanInput]:
    """The plans of many tasks (loaded `with_plan`): the standards and the agreed prices are read
    once for all of them (four queries whatever their number). `clashes`: the venues other tasks
    hold, by task (`venue_clashes_among`); none judged without it."""
    book = StandardBook()
    prices = agreed_price_book(jurisdiction=jurisdiction, provider_ids=_provider_ids(tasks))
    return {
        task.pk: plan_input(
            task,
            standard=book.for_task(standard_id=task.standard_id, start_date=task.start_date, editable=task.is_editable),
            prices=prices,
            clashes=(clashes or {}).get(task.pk, ()),
        )
        for task in tasks
    }


def tasks_checks(
    tasks: Sequence[Task], *, jurisdiction: Jurisdiction, rules: Sequence[Rule] = RULES
) -> dict[int, Checks]:
    return {
        task_id: check_plan(plan, rules)
        for task_id, plan in tasks_plan_inputs(tasks, jurisdiction=jurisdiction).items()
    }


# --- Reported costs -------------------------------------------------------------------------


def _reported(order: Order, lines: Iterable[OrderCostLine]) -> ReportedCost | None:
    if order.cost_amount is None:
        return None
    return ReportedCost(total=order.cost_amount, lines=[line.description for line in lines])


def order_cost_findings(*, jurisdiction: Jurisdiction, order: Order, lines: Sequence[OrderCostLine]) -> list[Finding]:
    """What the standards say of an order's reported cost (`lines`: its cost lines), judged
    against its item in the task's plan as it stands; no item, no findings. Only what a cost is
    judged by is read (the task, its guests' grades, the one item and its place in the plan, the
    standard, the provider's agreed prices): the same number of queries whatever the plan's size."""
    cost = _reported(order, lines)
    if cost is None:
        return []
    task = Task.objects.filter(pk=order.task_id).first()
    if task is not None and task.status in AMENDMENT_STATUSES:
        # The work was done to the approved plan: an open amendment's edits do not judge it.
        approved = approved_plan(task, ("items", "guests"))
        item = next((i for i in approved.items if i.pk == order.item_id), None)
        if item is None:
            return []
        position, guests = approved.items.index(item) + 1, approved.guests
    else:
        item = PlanItem.objects.filter(pk=order.item_id, task_id=order.task_id).first()
        if task is None or item is None:
            return []
        earlier = Q(starts_at__lt=item.starts_at) | Q(starts_at=item.starts_at, pk__lt=item.pk)
        position = PlanItem.objects.filter(earlier, task_id=task.pk).count() + 1
        guests = list(task.guests.only("pk", "task_id", "grade"))
    plan = PlanInput(
        task=task,
        guests=guests,
        items=[item],
        standard=task_standard(task),
        prices=agreed_price_book(jurisdiction=jurisdiction, provider_ids={item.provider_id}),
    )
    return judge_cost(plan, item, cost, position=position)


def costs_findings(plans: dict[int, PlanInput]) -> dict[int, list[Finding]]:
    """The findings of every reported (or approved) cost of these tasks' orders, by task (two
    queries: the orders, their lines)."""
    if not plans:
        return {}
    orders = (
        Order.objects.filter(task_id__in=list(plans), status__in=COST_STATUSES, cost_amount__isnull=False)
        .prefetch_related(Prefetch("cost__lines", queryset=OrderCostLine.objects.order_by("id")))
        .select_related("cost")
        .order_by("starts_at", "created_at")
    )
    found: dict[int, list[Finding]] = {}
    for order in orders:
        plan = plans[order.task_id]
        item = next((item for item in plan.items if item.pk == order.item_id), None)
        cost_row = getattr(order, "cost", None)
        cost = _reported(order, cost_row.lines.all() if cost_row is not None else [])
        if item is None or cost is None:
            continue
        findings = judge_cost(plan, item, cost)
        if findings:
            found.setdefault(order.task_id, []).extend(findings)
    return found
