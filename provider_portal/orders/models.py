"""Orders to providers (服务订单) and their costs, in the schema of the jurisdiction that placed them.

An order copies what the provider needs from the plan item (times, venue, headcount, room type,
menu) when it is sent, so the provider side never reads the reception tables. `task_id` and
`item_id` are plain numbers: this app sits below the reception workflow and knows nothing of it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import Transition
from provider_portal.models import OrderKind, OrderStatus
from tenants.models import Role

__all__ = [
    "CLOSED_STATUSES",
    "ORDER_ACTIONS",
    "ORDER_TRANSITIONS",
    "SETTLED_FOR_COMPLETION",
    "Order",
    "OrderCost",
    "OrderCostLine",
    "OrderKind",
    "OrderStatus",
    "PaymentMethod",
]


class PaymentMethod(models.TextChoices):
    OFFICIAL_CARD = "official_card", _("公务卡")
    TRANSFER = "transfer", _("银行转账")


_O = OrderStatus
_FINANCE = frozenset({Role.FINANCE})
#: The order's state machine. Services, API permissions and page buttons read it. Roles empty:
#: the provider on its own order (public host) or the reception workflow (withdraw, amend).
#: `done` is the audit action's last word: provider_portal.order.<done> (`ORDER_ACTIONS`).
ORDER_TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({_O.SENT}), _O.ACCEPTED, done="accepted"),
    "decline": Transition(frozenset({_O.SENT, _O.ACCEPTED}), _O.DECLINED, done="declined"),
    "fulfil": Transition(frozenset({_O.ACCEPTED}), _O.FULFILLED, done="fulfilled"),
    # Reported again while not approved (a refused approval leaves it reported: the provider corrects it).
    "report_cost": Transition(frozenset({_O.FULFILLED, _O.COST_REPORTED}), _O.COST_REPORTED, done="cost_reported"),
    "approve_cost": Transition(frozenset({_O.COST_REPORTED}), _O.COST_APPROVED, _FINANCE, "cost_approved"),
    "return_cost": Transition(frozenset({_O.COST_REPORTED}), _O.FULFILLED, _FINANCE, "cost_returned"),
    # Finance reopens an approved cost, with a reason, so that a returned reception list can be corrected.
    "reopen_cost": Transition(frozenset({_O.COST_APPROVED}), _O.COST_REPORTED, _FINANCE, "cost_reopened"),
    # The task was cancelled, or an amendment dropped the item: work not yet done is called off
    # (terminal). Fulfilled work stays.
    "withdraw": Transition(frozenset({_O.SENT, _O.ACCEPTED}), _O.WITHDRAWN, done="withdrawn"),
    # An approved amendment changed the item: the provider confirms the order again.
    "amend": Transition(frozenset({_O.SENT, _O.ACCEPTED}), _O.SENT, done="amended"),
}
#: The audit action of each `done` in the table (written out whole: grep finds it).
ORDER_ACTIONS = {
    "accepted": "provider_portal.order.accepted",
    "declined": "provider_portal.order.declined",
    "fulfilled": "provider_portal.order.fulfilled",
    "cost_reported": "provider_portal.order.cost_reported",
    "cost_approved": "provider_portal.order.cost_approved",
    "cost_returned": "provider_portal.order.cost_returned",
    "cost_reopened": "provider_portal.order.cost_reopened",
    "withdrawn": "provider_portal.order.withdrawn",
    "amended": "provider_portal.order.amended",
}
#: An order in these states is closed; every other one is open (at most one per plan item).
CLOSED_STATUSES = frozenset({_O.DECLINED, _O.WITHDRAWN})
#: An order in these states no longer blocks completing its task.
SETTLED_FOR_COMPLETION = frozenset({_O.FULFILLED, _O.COST_REPORTED, _O.COST_APPROVED, _O.DECLINED, _O.WITHDRAWN})


class Order(models.Model):
    """One plan item sent to its provider. The UUID is the same in the public inbox index."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_id = models.PositiveIntegerField(_("接待任务"), db_index=True)
    item_id = models.PositiveIntegerField(_("方案事项"))
    provider = models.ForeignKey(
        "provider_portal.Provider", verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.SENT)
    # What the provider sees of the plan (copied when sent).
    task_title = models.CharField(_("任务名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=OrderKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    venue = models.CharField(_("地点"), max_length=200)
    meal_type = models.CharField(
        _("餐别"),
        max_length=20,
        blank=True,
        choices=[("breakfast", _("早餐")), ("lunch", _("午餐")), ("dinner", _("晚餐"))],
    )
    guests_count = models.PositiveIntegerField(_("客人数"), default=0)
    accompanying_count = models.PositiveIntegerField(_("陪同人数"), default=0)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    room_type = models.CharField(
        _("房型"), max_length=20, blank=True, choices=[("standard", _("标准间")), ("suite", _("普通套间"))]
    )
    menu = models.TextField(_("菜单"), blank=True)
    unit_price = models.DecimalField(_("单价"), max_digits=12, decimal_places=2)
    planned_amount = models.DecimalField(_("计划金额"), max_digits=14, decimal_places=2)
    decline_reason = models.TextField(_("拒单原因"), blank=True)
    withdraw_reason = models.TextField(_("撤回原因"), blank=True)  # the cancel or amendment reason
    # The last approved amendment that changed this order: its reason and [{field, before, after}].
    amendment_reason = models.TextField(_("变更原因"), blank=True)
    amendment_changes = models.JSONField(_("变更内容"), default=list, blank=True)
    amended_at = models.DateTimeField(_("变更时间"), null=True, blank=True)
    cost_comment = models.TextField(_("费用退回意见"), blank=True)
    # The reported cost's total, kept here so that figures read it in the same query.
    cost_amount = models.DecimalField(_("费用金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("派单时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["starts_at", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OrderStatus.values), name="provider_order_status"),
            # At most one open order per plan item: a declined or withdrawn one may be followed by another.
            models.UniqueConstraint(
                fields=["item_id"],
                # Written as two comparisons, not IN: PostgreSQL prints an IN list back differently
                # after a clone replays it, and the clone must equal a migrated schema.
                condition=~models.Q(status="declined") & ~models.Q(status="withdrawn"),
                name="provider_order_one_open_per_item",
            ),
        ]
        indexes = [models.Index(fields=["item_id", "status"], name="provider_order_item_idx")]

    def __str__(self) -> str:
        return f"{self.task_title} · {self.kind}"


class OrderCost(models.Model):
    """The cost a provider reported for a fulfilled order (invoice and lines). Immutable once approved."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="cost")
    invoice_number = models.CharField(_("发票号码"), max_length=50)
    total = models.DecimalField(_("合计"), max_digits=14, decimal_places=2)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("报送时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("订单费用")
        verbose_name_plural = _("订单费用")
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="provider_cost_total_nonneg")]


class OrderCostLine(models.Model):
    cost = models.ForeignKey(OrderCost, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("摘要"), max_length=200)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    payment_method = models.CharField(_("支付方式"), max_length=20, choices=PaymentMethod.choices)

    class Meta:
        verbose_name = _("费用明细")
        verbose_name_plural = _("费用明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="provider_cost_line_positive"),
            models.CheckConstraint(
                condition=models.Q(payment_method__in=PaymentMethod.values), name="provider_cost_line_no_cash"
            ),
        ]
