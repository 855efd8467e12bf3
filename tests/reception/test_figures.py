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
        PlanItemFactory(task=task, kind=kind, unit_price=Decimal(price), quantity=quantity)
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
        assert len(queries) <= 4
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
