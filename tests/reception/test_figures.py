"""The figures of held receptions: which tasks count, 人次, exact Decimal costs by kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from reception.figures import Figures, period_figures, task_costs
from reception.models import AccompanyingStaff
from tests.conftest import count_queries, in_tenant
from tests.reception.factories import GuestFactory, PlanItemFactory, TaskFactory

MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


def _held(status: str, start: dt.date, guests: int, prices: list[tuple[str, str, int]]) -> Any:
    task = TaskFactory(status=status, start_date=start, end_date=start + dt.timedelta(days=1))
    for _ in range(guests):
        GuestFactory(task=task)
    for kind, price, quantity in prices:
        PlanItemFactory(task=task, kind=kind, unit_price=Decimal(price), quantity=quantity, payer="host")
    return task


def test_only_completed_or_settled_tasks_of_the_month_count(tree: dict[str, Any]) -> None:
    with in_tenant("340100"):
        first = _held("completed", dt.date(2026, 5, 6), 3, [("meal", "58.50", 7), ("lodging", "330.00", 2)])
        _held("settled", dt.date(2026, 5, 31), 2, [("meal", "0.10", 3)])
        _held("in_progress", dt.date(2026, 5, 10), 9, [("meal", "100", 1)])  # not held yet
        _held("cancelled", dt.date(2026, 5, 10), 9, [("meal", "100", 1)])
        _held("completed", dt.date(2026, 6, 1), 9, [("meal", "100", 1)])  # next month
        AccompanyingStaff.objects.create(task=first, name="张三", unit="市政府办公室", post="科长")

        with count_queries() as queries:
            figures = period_figures(*MAY)
        assert len(queries) <= 5
    assert figures.receptions == 2
    assert figures.guests == 5
    assert figures.accompanying == 1
    # 58.50 × 7 = 409.50; 0.10 × 3 = 0.30; 330 × 2 = 660.00
    assert figures.cost_by_kind == {"meal": Decimal("409.80"), "lodging": Decimal("660.00")}
    assert figures.cost_total == Decimal("1069.80")
    assert figures.as_json()["cost_total"] == "1069.80"
    assert figures.as_json()["cost_by_kind"]["vehicle"] == "0.00"


def test_no_receptions_gives_zeros(tree: dict[str, Any]) -> None:
    with in_tenant("340100"):
        assert period_figures(*MAY) == Figures()
        assert task_costs([]) == {}
    assert Figures().as_json()["cost_total"] == "0.00"


def test_an_item_whose_order_cost_is_approved_counts_the_approved_cost(tree: dict[str, Any]) -> None:
    from provider_portal.orders.models import Order
    from provider_portal.services import provider_add
    from tests.conftest import user

    hotel, _created = provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]])
    with in_tenant("340100"):
        task = _held("completed", dt.date(2026, 5, 6), 1, [("meal", "58.50", 7), ("lodging", "330.00", 2)])
        lodging = task.items.get(kind="lodging")
        meal = task.items.get(kind="meal")

        def order(item: Any, status: str, cost: str | None) -> None:
            Order.objects.create(
                task_id=task.pk, item_id=item.pk, provider=hotel, status=status, task_title=task.title,
                kind=item.kind, starts_at=item.starts_at, venue=item.venue, unit_price=item.unit_price,
                planned_amount=item.amount, cost_amount=Decimal(cost) if cost else None,
                sent_by=user("340100-handler"),
            )  # fmt: skip

        order(lodging, "declined", None)  # a declined order changes nothing
        order(lodging, "cost_approved", "612.30")  # its replacement's approved cost counts
        order(meal, "cost_reported", "1.00")  # reported but not approved: the plan still counts
        with count_queries() as queries:
            costs = task_costs([task.pk])
        assert len(queries) == 1
        assert costs == {task.pk: {"lodging": Decimal("612.30"), "meal": Decimal("409.50")}}
        assert period_figures(*MAY).cost_total == Decimal("1021.80")


def _mixed_costs(tree: dict[str, Any]) -> dict[str, Any]:
    """Tasks whose items' costs come from every source `item_cost` knows:

    T1 completed 05-06 bureau: meal 58.50 × 7 approved at 380.25; lodging 330.00 × 2 declined, then
       approved at 612.30; vehicle 200.00 × 1 reported at 150.00 (not approved: the plan counts)
    T2 settled 05-20 division: meal 45.00 × 4 without an order, meal 60.50 × 3 fulfilled without a
       cost (181.50), meeting 800.00 × 1 approved at 0.00 (an approved zero is a cost, not a gap)
    T3 settled 06-02 bureau: visit 0.10 × 3 approved at 0.33; lodging 330.00 × 1 only sent
    T4 cancelled 05-10 bureau: meal 100.00 × 1 approved at 90.00 (never held)
    T5 completed 06-15 bureau: no items
    """
    from provider_portal.services import provider_add
    from tests.reception.factories import order_for

    hotel, _created = provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]])

    def task(status: str, start: dt.date, level: str, items: list[tuple[str, str, int, str | None, str]]) -> Any:
        task = TaskFactory(status=status, start_date=start, end_date=start, level=level)
        for kind, price, quantity, order_status, cost in items:
            item = PlanItemFactory(task=task, kind=kind, unit_price=Decimal(price), quantity=quantity, payer="host")
            if order_status == "declined+cost_approved":
                order_for(item, provider=hotel, status="declined")
                order_status = "cost_approved"
            if order_status is not None:
                order_for(item, provider=hotel, status=order_status, cost=cost or None)
        return task

    return {
        "t1": task(
            "completed",
            dt.date(2026, 5, 6),
            "bureau",
            [
                ("meal", "58.50", 7, "cost_approved", "380.25"),
                ("lodging", "330.00", 2, "declined+cost_approved", "612.30"),
                ("vehicle", "200.00", 1, "cost_reported", "150.00"),
            ],
        ),
        "t2": task(
            "settled",
            dt.date(2026, 5, 20),
            "division",
            [
                ("meal", "45.00", 4, None, ""),
                ("meal", "60.50", 3, "fulfilled", ""),
                ("meeting", "800.00", 1, "cost_approved", "0.00"),
            ],
        ),
        "t3": task(
            "settled",
            dt.date(2026, 6, 2),
            "bureau",
            [("visit", "0.10", 3, "cost_approved", "0.33"), ("lodging", "330.00", 1, "sent", "")],
        ),
        "t4": task("cancelled", dt.date(2026, 5, 10), "bureau", [("meal", "100.00", 1, "cost_approved", "90.00")]),
        "t5": task("completed", dt.date(2026, 6, 15), "bureau", []),
    }


def by_kind(costs: dict[Any, Any]) -> dict[Any, dict[str, Decimal]]:
    """The host's costs by kind of each group (every item here is the host's)."""
    assert all(group.guest_paid == Decimal("0.00") for group in costs.values())
    return {key: group.by_kind for key, group in costs.items()}


def test_costs_summed_in_sql_per_group_are_what_task_costs_says(tree: dict[str, Any]) -> None:
    """`grouped_costs` (statistics) and `task_costs` (reports, exports, warnings) share `item_cost`;
    the exact amounts pin the rule itself, the comparisons pin that the two readings agree."""
    from django.db.models import F
    from django.db.models.functions import TruncMonth

    from reception.figures import counted_tasks, grouped_costs
    from reception.models import Task

    with in_tenant("340100"):
        t = _mixed_costs(tree)
        ids = {name: task.pk for name, task in t.items()}
        per_task = task_costs(ids.values())
        assert per_task == {
            ids["t1"]: {"meal": Decimal("380.25"), "lodging": Decimal("612.30"), "vehicle": Decimal("200.00")},
            ids["t2"]: {"meal": Decimal("361.50"), "meeting": Decimal("0.00")},
            ids["t3"]: {"visit": Decimal("0.33"), "lodging": Decimal("330.00")},
            ids["t4"]: {"meal": Decimal("90.00")},
        }  # T5 has no items: absent

        # Grouped by task, the SQL sums are task_costs, cancelled task included when asked for.
        assert by_kind(grouped_costs(Task.objects.all(), F("pk"))) == per_task

        held = counted_tasks(dt.date(2026, 5, 1), dt.date(2026, 6, 30))
        with count_queries() as queries:
            by_month = by_kind(grouped_costs(held, TruncMonth("start_date")))
        assert len(queries) == 1
        by_level = by_kind(grouped_costs(held, F("level")))
        held_tasks = list(held.values_list("pk", "start_date", "level"))

    assert by_month == {
        dt.date(2026, 5, 1): {
            "meal": Decimal("741.75"),  # 380.25 + 361.50; the cancelled T4's 90.00 left out
            "lodging": Decimal("612.30"),
            "vehicle": Decimal("200.00"),
            "meeting": Decimal("0.00"),
        },
        dt.date(2026, 6, 1): {"visit": Decimal("0.33"), "lodging": Decimal("330.00")},
    }

    def summed(key_of: Any) -> dict[Any, dict[str, Decimal]]:
        """What adding up task_costs per group in Python gives."""
        sums: dict[Any, dict[str, Decimal]] = {}
        for pk, start, level in held_tasks:
            group = sums.setdefault(key_of(start, level), {})
            for kind, amount in per_task.get(pk, {}).items():
                group[kind] = group.get(kind, Decimal("0.00")) + amount
        return {key: costs for key, costs in sums.items() if costs}

    assert by_month == summed(lambda start, level: start.replace(day=1))
    assert by_level == summed(lambda start, level: level)
    assert by_level["division"] == {"meal": Decimal("361.50"), "meeting": Decimal("0.00")}


def test_satisfaction_of_held_receptions(tree: dict[str, Any]) -> None:
    from reception.figures import Satisfaction, satisfaction_of
    from reception.models import Evaluation

    with in_tenant("340100"):
        assert satisfaction_of(period_figures_tasks()) == Satisfaction()
        first = _held("settled", dt.date(2026, 5, 6), 1, [])
        second = _held("completed", dt.date(2026, 5, 9), 1, [])
        other = _held("completed", dt.date(2026, 6, 9), 1, [])
        Evaluation.objects.create(task=first, party="visiting_unit", score=5)
        Evaluation.objects.create(task=first, party="counterpart", score=4)
        Evaluation.objects.create(task=second, party="visiting_unit", score=4)
        Evaluation.objects.create(task=other, party="visiting_unit", score=1)
        with count_queries() as queries:
            result = satisfaction_of(period_figures_tasks())
        assert len(queries) == 1
    assert result == Satisfaction(evaluations=3, average=Decimal("4.3"))
    assert result.as_json() == {"evaluations": 3, "average": "4.3"}


def period_figures_tasks() -> Any:
    from reception.figures import counted_tasks

    return counted_tasks(*MAY)
