"""Figures of the receptions held: the one source for reports up the tree, statistics and disclosure.

A reception counts once its task is `completed` or `settled`, in the month of its start date.
Guests are 人次 (each guest of each reception), accompanying likewise. A plan item's cost is
`item_cost`: per task it is read with `task_costs`, summed over groups of tasks in SQL with
`grouped_costs` (or per provider of the items with `provider_costs`); reports, statistics and
disclosure never compute it another way.

Spending (`cost_total`, `cost_by_kind`) is what the host paid: items whose `payer` is the host.
What the guests paid themselves (their rooms and meals other than the working meal) is counted
apart as `guest_paid_total`, never in the host's spending, the budget or its warnings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from provider_portal.orders.models import Order, OrderStatus
from reception.models import AccompanyingStaff, Guest, ItemKind, Payer, PlanItem, Task, TaskStatus

#: The states in which a reception counts as held.
COUNTED_STATUSES = frozenset({TaskStatus.COMPLETED, TaskStatus.SETTLED})
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def counted_tasks(start: date, end: date) -> QuerySet[Task]:
    """Tasks held (completed or settled) whose start date lies in [start, end]."""
    return Task.objects.filter(status__in=COUNTED_STATUSES, start_date__gte=start, start_date__lte=end)


MONEY = DecimalField(max_digits=20, decimal_places=2)


def item_cost(item: str = "") -> Expression:
    """A plan item's cost as an SQL expression: its order's cost where that order's cost is
    approved, otherwise its planned amount (price × quantity).

    `item` is the path from the queried model to the plan item: "" on `PlanItem`, "items__" on
    `Task`. At most one order of an item is not declined, so at most one is `cost_approved`
    (hence no ordering: it would only add a sort per item)."""
    approved = (
        Order.objects.filter(item_id=OuterRef(f"{item}pk"), status=OrderStatus.COST_APPROVED)
        .order_by()
        .values("cost_amount")[:1]
    )
    return Coalesce(
        Subquery(approved, output_field=MONEY),
        ExpressionWrapper(F(f"{item}unit_price") * F(f"{item}quantity"), output_field=MONEY),
        output_field=MONEY,
    )


@dataclass
class Costs:
    """A group's costs: the host's by item kind, and what the guests paid themselves."""

    by_kind: dict[str, Decimal] = field(default_factory=dict)
    guest_paid: Decimal = ZERO

    def add(self, kind: str, payer: str, amount: Decimal) -> None:
        if payer == Payer.GUEST:
            self.guest_paid += amount
        else:
            self.by_kind[kind] = self.by_kind.get(kind, ZERO) + amount


def task_costs(task_ids: Iterable[int], *, payer: str = Payer.HOST) -> dict[int, dict[str, Decimal]]:
    """Each task's cost by item kind (`item_cost` summed) paid by `payer` (the host's spending by
    default), in one query.

    Tasks without such items are absent. Amounts are exact Decimals rounded to the cent."""
    ids = list(task_ids)
    if not ids:
        return {}
    rows = (
        PlanItem.objects.filter(task_id__in=ids, payer=payer)
        .values("task_id", "kind")
        .annotate(total=Sum(item_cost()))
        .order_by("task_id", "kind")
    )
    costs: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        costs[row["task_id"]][row["kind"]] = (row["total"] or ZERO).quantize(CENT)
    return dict(costs)


def grouped_costs(tasks: QuerySet[Task], key: Any) -> dict[Any, Costs]:
    """The costs of `tasks` (the host's by item kind, the guests' own apart), summed in SQL per
    value of `key` (an expression over the task, e.g. `F("level")` or `TruncMonth("start_date")`),
    in one query that returns a row per key, kind and payer rather than per task: for each key,
    what adding up `task_costs` of its tasks gives.

    Keys whose tasks have no items are absent, and so are kinds without items."""
    rows = (
        Task.objects.filter(pk__in=tasks.values("pk"))
        .order_by()
        .annotate(cost_key=key)
        .values("cost_key", "items__kind", "items__payer")
        .annotate(total=Sum(item_cost("items__")))
    )
    costs: dict[Any, Costs] = defaultdict(Costs)
    for row in rows:
        if row["items__kind"] is not None:  # a task without items (outer join)
            costs[row["cost_key"]].add(row["items__kind"], row["items__payer"], (row["total"] or ZERO).quantize(CENT))
    return dict(costs)


def provider_costs(tasks: QuerySet[Task]) -> dict[int | None, Costs]:
    """The costs of the plan items of `tasks`, summed in SQL per item provider (None: items
    without one), in one query. Unlike `grouped_costs` the key is the item's, not the task's: a
    task served by two providers splits its cost between them, and the keys add up to the tasks'
    total. Kinds without items are absent."""
    rows = (
        PlanItem.objects.filter(task_id__in=tasks.values("pk"))
        .order_by()  # the model's ordering would join the GROUP BY
        .values("provider_id", "kind", "payer")
        .annotate(total=Sum(item_cost()))
    )
    costs: dict[int | None, Costs] = defaultdict(Costs)
    for row in rows:
        costs[row["provider_id"]].add(row["kind"], row["payer"], (row["total"] or ZERO).quantize(CENT))
    return dict(costs)


@dataclass(frozen=True)
class Figures:
    """Receptions, guests (人次), accompanying (人次), the host's spending by kind and what the
    guests paid themselves, of a set of held receptions."""

    receptions: int = 0
    guests: int = 0
    accompanying: int = 0
    cost_by_kind: dict[str, Decimal] = field(default_factory=dict)
    guest_paid_total: Decimal = ZERO

    @property
    def cost_total(self) -> Decimal:
        return sum(self.cost_by_kind.values(), ZERO)

    def as_json(self) -> dict[str, Any]:
        """The wire shape (amounts as decimal strings, every kind present)."""
        return {
            "receptions": self.receptions,
            "guests": self.guests,
            "accompanying": self.accompanying,
            "cost_total": str(self.cost_total),
            "cost_by_kind": {kind: str(self.cost_by_kind.get(kind, ZERO)) for kind in ItemKind.values},
            "guest_paid_total": str(self.guest_paid_total),
        }


def figures_of(tasks: QuerySet[Task]) -> Figures:
    """Aggregate figures of `tasks` in five queries, whatever their number."""
    ids = list(tasks.values_list("pk", flat=True))
    if not ids:
        return Figures()
    guests = Guest.objects.filter(task_id__in=ids).aggregate(n=Count("pk"))["n"]
    accompanying = AccompanyingStaff.objects.filter(task_id__in=ids).aggregate(n=Count("pk"))["n"]
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for costs in task_costs(ids).values():
        for kind, amount in costs.items():
            by_kind[kind] += amount
    guest_paid = sum((sum(c.values(), ZERO) for c in task_costs(ids, payer=Payer.GUEST).values()), ZERO)
    return Figures(
        receptions=len(ids),
        guests=guests,
        accompanying=accompanying,
        cost_by_kind=dict(by_kind),
        guest_paid_total=guest_paid,
    )


def period_figures(start: date, end: date) -> Figures:
    """Figures of the receptions held with a start date in [start, end] (both included)."""
    return figures_of(counted_tasks(start, end))


@dataclass(frozen=True)
class Satisfaction:
    """Satisfaction evaluations (满意度评价) of a set of receptions: how many, their average score."""

    evaluations: int = 0
    average: Decimal | None = None

    def as_json(self) -> dict[str, Any]:
        return {"evaluations": self.evaluations, "average": str(self.average) if self.average is not None else None}


def satisfaction_of(tasks: QuerySet[Task]) -> Satisfaction:
    """Count and average score (one decimal) of the evaluations of `tasks`, in one query."""
    from django.db.models import Avg

    from reception.models import Evaluation

    row = Evaluation.objects.filter(task__in=tasks).aggregate(n=Count("pk"), avg=Avg("score"))
    if not row["n"]:
        return Satisfaction()
    return Satisfaction(evaluations=row["n"], average=Decimal(str(row["avg"])).quantize(Decimal("0.1")))
