"""Statistics grouped by provider (按服务单位): the one grouping whose key belongs to a plan item
rather than to its task.

One row per designated provider whose items served a reception held in the range, plus one (key
`none`) for the items without a provider. A row's costs are its items' costs
(`reception.figures.provider_costs`, the same `item_cost` as everywhere), so the rows' costs add up
to the total cost. Its receptions, guests, accompanying and over-standard findings are those of the
tasks with at least one of its items: a task served by a hotel and a restaurant counts in both
rows, and the totals, taken over the range's distinct tasks, are not the sum of the rows. A held
task without any item is in the totals and in no row. Own data only: reports carry no provider.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from provider_portal.models import Provider
from reception.figures import ZERO, provider_costs
from reception.models import PlanItem
from reporting.statistics import Held, Row

#: The key of the row of plan items without a provider.
NO_PROVIDER = "none"


def _count(row: Row, task: dict[str, Any], over: int) -> None:
    row.receptions += 1
    row.guests += task["guest_n"]
    row.accompanying += task["accompanying_n"]
    row.over_standard += over


def _order(row: Row) -> tuple[bool, str, str]:
    return (row.key == NO_PROVIDER, row.label, row.key)


def provider_rows(held: Held) -> tuple[list[Row], Row]:
    """The rows, ordered by provider name with `none` last, and the totals over distinct tasks.
    Three queries beyond `held` (which tasks each provider served, the costs, the names)."""
    totals = Row(key="")
    for task_id, task in held.tasks.items():
        _count(totals, task, held.over.get(task_id, 0))
    if not held.tasks:
        return [], totals

    rows: dict[int | None, Row] = {}

    def row_of(provider_id: int | None) -> Row:
        row = rows.get(provider_id)
        if row is None:
            key = NO_PROVIDER if provider_id is None else str(provider_id)
            row = rows[provider_id] = Row(key=key)
        return row

    served = (
        PlanItem.objects.filter(task_id__in=held.queryset.values("pk"))
        .order_by()
        .values_list("provider_id", "task_id")
        .distinct()
    )
    for served_by, task_id in served:
        served_task = held.tasks.get(task_id)
        if served_task is not None:  # a task held since `held` was read has costs below, no reception
            _count(row_of(served_by), served_task, held.over.get(task_id, 0))
    for paid, costs in provider_costs(held.queryset).items():
        row = row_of(paid)
        for kind, amount in costs.by_kind.items():
            row.cost_by_kind[kind] = row.cost_by_kind.get(kind, ZERO) + amount
            totals.cost_by_kind[kind] = totals.cost_by_kind.get(kind, ZERO) + amount
        row.guest_paid_total += costs.guest_paid
        totals.guest_paid_total += costs.guest_paid

    # The ids come from this tenant's own plan items: a provider since dropped from the designated
    # list still names its past rows.
    names = dict(Provider.objects.filter(pk__in=[pk for pk in rows if pk is not None]).values_list("pk", "name"))
    for pk, row in rows.items():
        row.label = _("无服务单位") if pk is None else names.get(pk, row.key)
    return sorted(rows.values(), key=_order), totals
