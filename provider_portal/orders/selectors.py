"""Reads of orders in the active jurisdiction's schema."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from provider_portal.orders.models import CLOSED_STATUSES, SETTLED_FOR_COMPLETION, Order, OrderCostLine, OrderStatus


def task_orders(task_id: int) -> QuerySet[Order]:
    """A task's orders (declined ones included), with provider and cost: three queries."""
    return (
        Order.objects.filter(task_id=task_id)
        .select_related("provider", "cost")
        .prefetch_related(Prefetch("cost__lines", queryset=OrderCostLine.objects.order_by("id")))
        .order_by("starts_at", "created_at")
    )


def tasks_orders(task_ids: Iterable[int]) -> QuerySet[Order]:
    return Order.objects.filter(task_id__in=list(task_ids)).select_related("provider")


def order_detail(order_id: Any) -> Order:
    order = Order.objects.select_related("provider", "cost").prefetch_related("cost__lines").filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("订单不存在。"))
    return order


def live_orders_by_item_ids(item_ids: list[int]) -> dict[int, Order]:
    """The open order of each item (neither declined nor withdrawn: at most one per item)."""
    orders = Order.objects.filter(item_id__in=item_ids).exclude(status__in=CLOSED_STATUSES)
    return {order.item_id: order for order in orders}


def orders_blocking_completion(task_id: int) -> list[Order]:
    """Orders not yet fulfilled (or beyond) nor declined or withdrawn: the task cannot be completed."""
    return list(Order.objects.filter(task_id=task_id).exclude(status__in=SETTLED_FOR_COMPLETION))


def orders_not_approved(task_id: int) -> list[Order]:
    """Orders whose cost is not approved yet (declined and withdrawn ones do not count)."""
    return list(
        Order.objects.filter(task_id=task_id).exclude(
            status__in=[OrderStatus.COST_APPROVED, OrderStatus.DECLINED, OrderStatus.WITHDRAWN]
        )
    )


def approved_cost_by_item(task_id: int) -> dict[int, Order]:
    """The order with an approved cost of each item of the task, with its invoice."""
    orders = (
        Order.objects.filter(task_id=task_id, status=OrderStatus.COST_APPROVED)
        .select_related("provider", "cost")
        .prefetch_related("cost__lines")
    )
    return {order.item_id: order for order in orders}


def order_amount(order: Order) -> Decimal:
    """The reported (or approved) cost once there is one, else the planned amount."""
    return order.cost_amount if order.cost_amount is not None else order.planned_amount
