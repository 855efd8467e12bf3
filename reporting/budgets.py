"""Reads of the annual reception budget: what a year's budget counts as spent.

One definition for the budget page, the budgets API, the dashboard and the annual early warning:
the host-paid cost (`reception.figures.task_costs`) of every task not cancelled, counted in the
year it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from reception.figures import ZERO, task_costs
from reception.models import Task, TaskStatus
from reporting.local.models import ReceptionBudget


def spending_by_task(years: Iterable[int]) -> list[tuple[Task, Decimal]]:
    """Each task (not cancelled) starting in one of `years`, with its host-paid cost, in the
    order the money was committed (start date, then creation)."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    tasks = list(
        Task.objects.exclude(status=TaskStatus.CANCELLED)
        .filter(start_date__year__in=wanted)
        .only("pk", "title", "start_date")
        .order_by("start_date", "pk")
    )
    costs = task_costs(t.pk for t in tasks)
    return [(task, sum(costs.get(task.pk, {}).values(), ZERO)) for task in tasks]


def budget_spent(years: Iterable[int]) -> dict[int, Decimal]:
    """Spending so far of each of `years` (zero for a year without tasks)."""
    wanted = set(years)
    spent = dict.fromkeys(wanted, ZERO)
    for task, cost in spending_by_task(wanted):
        spent[task.start_date.year] += cost
    return spent


def _status(budget: ReceptionBudget, spent: Decimal) -> dict[str, Any]:
    share = float(spent * 100 / budget.amount) if budget.amount else None
    return {
        "year": budget.year,
        "amount": budget.amount,
        "spent": spent,
        "share": share,
        "updated_at": budget.updated_at,
    }


def budget_status(year: int) -> dict[str, Any]:
    """The year's budget, its spending so far and its share (amount None without a budget)."""
    budget = ReceptionBudget.objects.filter(year=year).first()
    if budget is None:
        return {"year": year, "amount": None}
    return _status(budget, budget_spent([year])[year])


def budgets_with_spending() -> list[dict[str, Any]]:
    """Every year's budget, newest first, each with its spending and share (two queries in all)."""
    budgets = list(ReceptionBudget.objects.order_by("-year"))
    spent = budget_spent(b.year for b in budgets)
    return [_status(b, spent[b.year]) for b in budgets]
